/**
 * What kbuild's dts Makefiles say, read without make: the dtbs a folder builds (`dtb-y`,
 * `dtb-$(CONFIG_…)`), the compositions (`x-dtbs := x.dtb y.dtbo`, the kernel's
 * overlay-application lines) and the DTC_FLAGS (folder-wide and `DTC_FLAGS_<target>`), with make's
 * `+=`, `:=`, `=` and `?=`. The dtb lists only accumulate, whatever the operator.
 * Conditionals and variable expansion beyond `$(CONFIG_…)` are not evaluated: every dtb that any
 * config can build is listed.
 */

export interface KbuildDtbs {
  /** Targets in `dtb-…` lists, in order, each once: `x.dtb`, `y.dtbo`. */
  dtbs: string[];
  /** Composition name (without `.dtb`) → its parts (`x.dtb`, `y.dtbo`, …). */
  compositions: Map<string, string[]>;
  /** `DTC_FLAGS += …` for the folder. */
  dtcFlags: string[];
  /** `DTC_FLAGS_<target> += …` (target without extension). */
  targetDtcFlags: Map<string, string[]>;
  /** `subdir-y += qcom` and `dtb-y += qcom/` entries. */
  subdirs: string[];
}

/**
 * Joins `\`-continued lines, then drops comments, in make's order: a `#` comments out the rest of
 * the logical line, so a comment ending in `\` swallows the next line too. The backslash-newline
 * and the blanks around it become one space, as in make.
 */
export function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const joined = pending === undefined ? raw : `${pending} ${raw.trimStart()}`;
    if (joined.endsWith('\\')) {
      pending = joined.slice(0, -1).trimEnd();
      continue;
    }
    pending = undefined;
    out.push(withoutComment(joined));
  }
  if (pending !== undefined) out.push(withoutComment(pending));
  return out.filter((l) => l.length > 0);
}

function withoutComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

const ASSIGN = /^([A-Za-z0-9_.,$()+-]+?)\s*(\+=|:=|\?=|=)\s*(.*)$/;

export function parseKbuildMakefile(text: string): KbuildDtbs {
  const result: KbuildDtbs = { dtbs: [], compositions: new Map(), dtcFlags: [], targetDtcFlags: new Map(), subdirs: [] };
  const seen = new Set<string>();
  const folderFlags = new Map<string, string[]>();
  for (const line of logicalLines(text)) {
    const m = ASSIGN.exec(line);
    if (!m) continue;
    const [, name, op, value] = m;
    const words = value.split(/\s+/).filter(Boolean);
    if (/^dtb-(y|\$\(CONFIG_[A-Za-z0-9_]+\))$/.test(name)) {
      for (const w of words) {
        if (w.endsWith('/')) result.subdirs.push(w.slice(0, -1));
        else if ((w.endsWith('.dtb') || w.endsWith('.dtbo')) && !seen.has(w)) {
          seen.add(w);
          result.dtbs.push(w);
        }
      }
    } else if (/^subdir-(y|\$\(CONFIG_[A-Za-z0-9_]+\))$/.test(name)) {
      result.subdirs.push(...words);
    } else if (name.endsWith('-dtbs')) {
      const composition = name.slice(0, -'-dtbs'.length);
      const parts = words.filter((w) => w.endsWith('.dtb') || w.endsWith('.dtbo'));
      assign(result.compositions, composition, op, parts);
    } else if (name === 'DTC_FLAGS') {
      assign(folderFlags, name, op, words);
    } else if (name.startsWith('DTC_FLAGS_')) {
      assign(result.targetDtcFlags, name.slice('DTC_FLAGS_'.length), op, words);
    }
  }
  result.dtcFlags = folderFlags.get('DTC_FLAGS') ?? [];
  return result;
}

/** make's operators on a list variable: `+=` appends, `?=` sets only an unset one, `:=`/`=` replace. */
function assign(vars: Map<string, string[]>, name: string, op: string, words: string[]): void {
  const previous = vars.get(name);
  if (op === '?=' && previous !== undefined) return;
  vars.set(name, op === '+=' ? [...(previous ?? []), ...words] : words);
}

/**
 * The warnings scripts/Makefile.dtbs turns off by default (no W=1/W=2), as `-W` flags for the
 * compile: `-Wno-unit_address_vs_reg` → { flag: 'no-unit_address_vs_reg', isError: false }.
 */
export const KERNEL_DEFAULT_DTC_FLAGS = [
  '-Wno-unique_unit_address',
  '-Wno-unit_address_vs_reg',
  '-Wno-avoid_unnecessary_addr_size',
  '-Wno-alias_paths',
  '-Wno-interrupt_map',
  '-Wno-simple_bus_reg',
];

/** The `-W…`/`-E…` words of a DTC_FLAGS list as check flags; other dtc options are ignored. */
export function checkFlagsOf(words: readonly string[]): { flag: string; isError: boolean }[] {
  const out: { flag: string; isError: boolean }[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const m = /^-([WE])(.*)$/.exec(w);
    if (!m) continue;
    const flag = m[2] || words[++i];
    if (flag) out.push({ flag, isError: m[1] === 'E' });
  }
  return out;
}
