/**
 * What kbuild's dts Makefiles say, read without make: the dtbs a folder builds (`dtb-y`,
 * `dtb-$(CONFIG_…)`, `+=`/`:=`), the compositions (`x-dtbs := x.dtb y.dtbo`, the kernel's
 * overlay-application lines) and the DTC_FLAGS (folder-wide and `DTC_FLAGS_<target>`).
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

/** Joins `\`-continued lines and drops comments (a `#` starts one, as in make). */
export function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const hash = raw.indexOf('#');
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    if (line.endsWith('\\') && hash < 0) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    out.push((pending + line).trim());
    pending = '';
  }
  if (pending.trim()) out.push(pending.trim());
  return out.filter((l) => l.length > 0);
}

const ASSIGN = /^([A-Za-z0-9_.,$()+-]+?)\s*(\+=|:=|\?=|=)\s*(.*)$/;

export function parseKbuildMakefile(text: string): KbuildDtbs {
  const result: KbuildDtbs = { dtbs: [], compositions: new Map(), dtcFlags: [], targetDtcFlags: new Map(), subdirs: [] };
  const seen = new Set<string>();
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
      const previous = op === '+=' ? (result.compositions.get(composition) ?? []) : [];
      result.compositions.set(composition, [...previous, ...parts]);
    } else if (name === 'DTC_FLAGS') {
      result.dtcFlags = op === '+=' ? [...result.dtcFlags, ...words] : words;
    } else if (name.startsWith('DTC_FLAGS_')) {
      const target = name.slice('DTC_FLAGS_'.length);
      const previous = op === '+=' ? (result.targetDtcFlags.get(target) ?? []) : [];
      result.targetDtcFlags.set(target, [...previous, ...words]);
    }
  }
  return result;
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
