import { Builtin, builtinMacro, type MacroDef } from './macro.js';

const BUILTINS: ReadonlyArray<readonly [string, Builtin]> = [
  ['__FILE__', Builtin.FILE], ['__LINE__', Builtin.LINE], ['__COUNTER__', Builtin.COUNTER],
  ['__INCLUDE_LEVEL__', Builtin.INCLUDE_LEVEL], ['__BASE_FILE__', Builtin.BASE_FILE],
  ['__DATE__', Builtin.DATE], ['__TIME__', Builtin.TIME], ['__TIMESTAMP__', Builtin.TIMESTAMP],
  ['_Pragma', Builtin.PRAGMA],
];

/** The dynamic macros cpp keeps even with -undef (shared: builtins are never disabled). */
export const BUILTIN_DEFS: readonly MacroDef[] = BUILTINS.map(([name, kind]) => builtinMacro(name, kind));

/** What `cpp -undef -D__DTS__ -x assembler-with-cpp -nostdinc` predefines. */
export const PREDEFINED = '#define __STDC__ 1\n#define __STDC_HOSTED__ 1\n#define __ASSEMBLER__ 1\n#define __DTS__ 1\n';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Build time for __DATE__/__TIME__; SOURCE_DATE_EPOCH wins, as in GNU cpp (reproducible builds). */
export function buildTime(): Date {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  return epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

/** __DATE__: "Mmm dd yyyy" with a space-padded day. */
export function dateLiteral(d: Date): string {
  return `"${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${d.getFullYear()}"`;
}

/** __TIME__: "hh:mm:ss". */
export function timeLiteral(d: Date): string {
  return `"${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}"`;
}

/** __TIMESTAMP__: "Ddd Mmm dd hh:mm:ss yyyy". */
export function timestampLiteral(d: Date): string {
  return `"${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${d.getFullYear()}"`;
}

/** A C string literal for `s` (used for __FILE__ and __BASE_FILE__). */
export function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    out += c === '"' || c === '\\' ? `\\${c}` : c;
  }
  return `${out}"`;
}
