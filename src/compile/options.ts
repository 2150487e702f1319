/**
 * dtc's command line (getopt_long with "qI:O:o:V:d:R:S:p:a:fb:i:H:sW:E:@LAThv") plus ours:
 * `--cpp`, `-D NAME[=V]`, several inputs and `--out-dir DIR`. Parsed by hand because dtc's
 * short options with attached values (`-Wno-foo`, `-b0`, `-qq`) do not fit commander.
 */
import type { PhandleFormat } from '../tree/phandles.js';
import { parseLimit, type Limits } from '../limits.js';

export interface CompileOptions {
  inputs: string[];
  /** `-I`: dts, dtb or fs (a /proc/device-tree-like folder); guessed from the file when absent. */
  inputFormat?: 'dts' | 'dtb' | 'fs';
  /** `-O`: dtb, dts, json or asm; guessed from `-o` when absent. */
  outputFormat?: 'dtb' | 'dts' | 'json' | 'asm';
  /** `-o`; '-' (default) is stdout. */
  outFile: string;
  /** `--out-dir`: one output per input, named after it. */
  outDir?: string;
  /** `--jobs N`: worker threads for several inputs (default: the CPUs; 1 = this thread only). */
  jobs?: number;
  /** `-V`. */
  version: number;
  /** `-d`: dependency file. */
  depFile?: string;
  reserveSlots: number;
  minSize: number;
  padSize: number;
  alignSize: number;
  force: boolean;
  quiet: number;
  /** `-b`. */
  bootCpu?: number;
  /** `-i`: search folders for `/include/`, `/incbin/` and, with `--cpp`, `#include`. */
  includeDirs: string[];
  phandleFormat: PhandleFormat;
  sort: boolean;
  /** `-W` / `-E` arguments in command-line order. */
  checkFlags: { flag: string; isError: boolean }[];
  symbols: boolean;
  /** `-L`: generate __fixups__/__local_fixups__ even for a non-plugin source. */
  localFixups: boolean;
  autoAliases: boolean;
  annotate: number;
  cpp: boolean;
  defines: string[];
  /** `--allow-outside-includes`: no include sandbox (docs/security.md). */
  allowOutsideIncludes: boolean;
  /** Folders includes may read from besides the input's folder and `includeDirs` (a kernel tree root). */
  sandboxRoots?: string[];
  /** `--limit NAME=VALUE`: resource limits changed from their defaults (src/limits.ts). */
  limits?: Partial<Limits>;
  /**
   * How input errors are printed: `dtc`, dtc's own lines (`Error: f.dts:3.1-9 …`, `FATAL ERROR: …`),
   * the default of the `compile` command; `gcc` (the default of every other caller), `f.dts:3:1:
   * error: …` with a source excerpt.
   */
  diagnostics?: 'dtc' | 'gcc';
  help: boolean;
  showVersion: boolean;
  /**
   * Stop once the tree is final (after `-@`, fixups and `-s`): no output bytes. For callers that
   * want the tree only (check, apply, simulate): the blob they would discard costs a cold run
   * tens of milliseconds. Never set by the command line.
   */
  treeOnly?: boolean;
}

export class UsageError extends Error {}

export function defaultCompileOptions(): CompileOptions {
  return {
    inputs: [],
    outFile: '-',
    version: 17,
    reserveSlots: 0,
    minSize: 0,
    padSize: 0,
    alignSize: 0,
    force: false,
    quiet: 0,
    includeDirs: [],
    phandleFormat: 'epapr',
    sort: false,
    checkFlags: [],
    symbols: false,
    localFixups: false,
    autoAliases: false,
    annotate: 0,
    cpp: false,
    defines: [],
    allowOutsideIncludes: false,
    help: false,
    showVersion: false,
  };
}

/** Options that take a value: short letter → long name. */
const WITH_VALUE: Record<string, string> = {
  I: 'in-format',
  O: 'out-format',
  o: 'out',
  V: 'out-version',
  d: 'out-dependency',
  R: 'reserve',
  S: 'space',
  p: 'pad',
  a: 'align',
  b: 'boot-cpu',
  i: 'include',
  H: 'phandle',
  W: 'warning',
  E: 'error',
  D: 'define',
};
const FLAGS: Record<string, string> = {
  q: 'quiet',
  f: 'force',
  s: 'sort',
  '@': 'symbols',
  L: 'local-fixups',
  A: 'auto-alias',
  T: 'annotate',
  h: 'help',
  v: 'version',
};
const LONG_WITH_VALUE = new Set([...Object.values(WITH_VALUE), 'out-dir', 'jobs', 'limit', 'diagnostics']);
const LONG_FLAGS = new Set([...Object.values(FLAGS), 'cpp', 'allow-outside-includes']);

/** Every option the parser accepts, short and long (`compile --help` must list them all). */
export const COMPILE_OPTIONS = { short: [...Object.keys(WITH_VALUE), ...Object.keys(FLAGS)], long: [...LONG_WITH_VALUE, ...LONG_FLAGS] };

/** C's strtol(s, NULL, 0) on the leading part of s (0 when nothing parses). */
export function cNumber(s: string): number {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return 0;
  const body = m[2]!;
  const v = body.startsWith('0x') || body.startsWith('0X') ? parseInt(body, 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : parseInt(body, 10);
  return m[1] === '-' ? -v : v;
}

export function parseCompileArgs(argv: string[]): CompileOptions {
  const o: CompileOptions = { ...defaultCompileOptions(), diagnostics: 'dtc' };
  const apply = (name: string, value: string | undefined): void => {
    switch (name) {
      case 'in-format':
        if (value !== 'dts' && value !== 'dtb' && value !== 'fs') throw new UsageError(`Unknown input format "${value}"`);
        o.inputFormat = value;
        break;
      case 'out-format':
        if (value !== 'dts' && value !== 'dtb' && value !== 'json' && value !== 'asm') throw new UsageError(`Unknown output format "${value}"`);
        o.outputFormat = value;
        break;
      case 'out':
        o.outFile = value!;
        break;
      case 'out-dir':
        o.outDir = value!;
        break;
      case 'jobs':
        if (!/^[1-9][0-9]*$/.test(value!)) throw new UsageError(`--jobs ${value}: expected a positive number`);
        o.jobs = Number(value);
        break;
      case 'out-version':
        o.version = cNumber(value!);
        break;
      case 'out-dependency':
        o.depFile = value!;
        break;
      case 'reserve':
        o.reserveSlots = cNumber(value!);
        break;
      case 'space':
        o.minSize = cNumber(value!);
        break;
      case 'pad':
        o.padSize = cNumber(value!);
        break;
      case 'align': {
        const a = cNumber(value!);
        if (a <= 0 || (a & (a - 1)) !== 0) throw new UsageError(`Invalid argument "${a}" to -a option`);
        o.alignSize = a;
        break;
      }
      case 'boot-cpu':
        o.bootCpu = cNumber(value!) >>> 0;
        break;
      case 'include':
        o.includeDirs.push(value!);
        break;
      case 'phandle':
        if (value !== 'legacy' && value !== 'epapr' && value !== 'both') throw new UsageError(`Invalid argument "${value}" to -H option`);
        o.phandleFormat = value;
        break;
      case 'warning':
        o.checkFlags.push({ flag: value!, isError: false });
        break;
      case 'error':
        o.checkFlags.push({ flag: value!, isError: true });
        break;
      case 'define':
        o.defines.push(value!);
        break;
      case 'quiet':
        o.quiet++;
        break;
      case 'force':
        o.force = true;
        break;
      case 'sort':
        o.sort = true;
        break;
      case 'symbols':
        o.symbols = true;
        break;
      case 'local-fixups':
        o.localFixups = true;
        break;
      case 'auto-alias':
        o.autoAliases = true;
        break;
      case 'annotate':
        o.annotate++;
        break;
      case 'help':
        o.help = true;
        break;
      case 'version':
        o.showVersion = true;
        break;
      case 'cpp':
        o.cpp = true;
        break;
      case 'allow-outside-includes':
        o.allowOutsideIncludes = true;
        break;
      case 'diagnostics':
        if (value !== 'dtc' && value !== 'gcc') throw new UsageError(`--diagnostics ${value}: expected dtc or gcc`);
        o.diagnostics = value;
        break;
      case 'limit':
        try {
          o.limits = parseLimit(value!, o.limits);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        break;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      o.inputs.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (LONG_WITH_VALUE.has(name)) {
        let value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
        if (value === undefined) throw new UsageError(`option '--${name}' requires an argument`);
        apply(name, value);
      } else if (LONG_FLAGS.has(name) && eq < 0) apply(name, undefined);
      else throw new UsageError(`unrecognized option '${arg}'`);
      continue;
    }
    if (arg.length > 1 && arg[0] === '-') {
      for (let k = 1; k < arg.length; k++) {
        const ch = arg[k]!;
        if (WITH_VALUE[ch]) {
          let value = arg.slice(k + 1);
          if (value === '') {
            value = argv[++i]!;
            if (value === undefined) throw new UsageError(`option requires an argument -- '${ch}'`);
          }
          apply(WITH_VALUE[ch]!, value);
          break;
        }
        if (FLAGS[ch]) apply(FLAGS[ch]!, undefined);
        else throw new UsageError(`invalid option -- '${ch}'`);
      }
      continue;
    }
    o.inputs.push(arg);
  }
  if (o.minSize && o.padSize) throw new UsageError("Can't set both -p and -S");
  return o;
}
