/**
 * Mutants that cannot change behaviour, with the reason: scripts/mutate.ts counts a survivor named
 * here as equivalent (listed in the report, left out of the rate's denominator). An entry names the
 * file, the source line as it reads (trimmed), the change (and its column when the line has it
 * twice); when the line changes, the entry
 * stops matching and the mutant counts as a survivor again until someone looks at it anew.
 */
export interface Equivalent {
  file: string;
  /** The mutated line, trimmed, exactly as in the source. */
  line: string;
  original: string;
  replacement: string;
  /** The column in that line, when the line has the same change at more than one place. */
  column?: number;
  reason: string;
}

const HEAD_CACHE_NAME = 'const file = (key: string) => path.join(dir!, `${base.copy().update(key).digest(\'hex\').slice(0, 32)}.json`);';
const HEAD_CACHE_NAME_WHY =
  "an entry's file name is a fixed piece of a SHA-256 digest of the same inputs: any such piece names it as well (nothing lists the folder), and get() checks the run key stored inside";

export const EQUIVALENT: readonly Equivalent[] = [
  { file: 'src/review/head-cache.ts', line: HEAD_CACHE_NAME, original: '0', replacement: '1', reason: HEAD_CACHE_NAME_WHY },
  { file: 'src/review/head-cache.ts', line: HEAD_CACHE_NAME, original: '32', replacement: '31', reason: HEAD_CACHE_NAME_WHY },
  { file: 'src/review/head-cache.ts', line: HEAD_CACHE_NAME, original: '32', replacement: '33', reason: HEAD_CACHE_NAME_WHY },
  {
    file: 'src/review/head-cache.ts',
    line: 'stamps.push(`${v}@absent`);',
    original: 'stamps.push(`${v}@absent`);',
    replacement: ';',
    reason: "the options' JSON already holds the folder's path, and once the folder exists its path@mtime stamp changes the key whether or not its absence was stamped",
  },
  {
    file: 'src/overlay/arity.ts',
    line: 'const fromSource = starts.length > 0 && starts[0] === 0;',
    original: '>',
    replacement: '>=',
    reason: 'starts[0] === 0 already implies a non-empty list; an empty one gives undefined',
  },
  {
    file: 'src/overlay/apply.ts',
    line: 'have += 4;',
    original: '4',
    replacement: '3',
    reason: 'counting the 4-byte END_NODE as 3 only makes bytesFrom gather more bytes than it needs; it cuts them to `need`, so the bytes are the same',
  },
  {
    file: 'src/overlay/apply.ts',
    line: 'if (slash < 0) continue; // a symbol outside any fragment does not reach the base',
    original: '0',
    replacement: '1',
    reason: "slash is path.indexOf('/', 1): -1 or at least 1, so `< 1` and `< 0` agree",
  },
  {
    file: 'src/overlay/errors.ts',
    line: 'let prev = Array.from({ length: b.length + 1 }, (_, j) => j);',
    original: '1',
    replacement: '2',
    reason: 'one more cell in the first row is never read: the loops read prev[0..b.length] only',
  },
  {
    file: 'src/overlay/errors.ts',
    line: 'for (let i = 1; i <= a.length; i++) {',
    original: '1',
    replacement: '0',
    reason: 'a row for i = 0 computes [0, 1, …, b.length] again (a[-1] matches nothing), the first row itself',
  },
  { file: 'src/overlay/flat.ts', line: 'constructor(initialSize = 1 << 16) {', original: '16', replacement: '17', reason: "a writer's first capacity: it grows by copying whenever a write needs more, so only the speed changes" },
  { file: 'src/overlay/flat.ts', line: 'const out = new ByteWriter(256);', original: '256', replacement: '257', reason: "a writer's first capacity: it grows by copying whenever a write needs more, so only the speed changes" },
  {
    file: 'src/overlay/flat.ts',
    line: 'this.ensure(1);',
    original: '1',
    replacement: '0',
    reason: 'a padding zero written one past a full buffer is dropped, but every align4 is followed by a write that grows the buffer, whose new bytes are zero: the same bytes',
  },
  {
    file: 'src/overlay/inputs.ts',
    line: 'return bytes.length >= 4 && FDT_MAGIC.every((b, i) => bytes[i] === b);',
    original: '4',
    replacement: '3',
    reason: 'a 3-byte file fails the magic anyway: its bytes[3] is undefined, never 0xed',
  },
  ...capacity('src/overlay/strings.ts', 'this.bytes = new Uint8Array(Math.max(256, initial?.length ?? 0));', [
    ['256', '255'],
    ['256', '257'],
    ['0', '1'],
  ]),
  ...capacity('src/overlay/strings.ts', 'if (size <= this.bytes.length) return;', [['<=', '<']]),
  ...capacity('src/overlay/strings.ts', 'const grown = new Uint8Array(Math.max(size, this.bytes.length * 2));', [
    ['2', '1'],
    ['2', '3'],
  ]),
  {
    file: 'src/overlay/strings.ts',
    line: 'for (let i = 0; i < initial.length; i++) {',
    original: '<',
    replacement: '<=',
    reason: 'initial[initial.length] is undefined, not 0: the extra step continues',
  },
  {
    file: 'src/overlay/strings.ts',
    line: 'start = i + 1;',
    original: '1',
    replacement: '0',
    reason: "each later name is indexed with the NUL before it: its suffix from k = 1 is the name at its right offset, and a name starting with NUL is never looked up",
  },
  {
    file: 'src/overlay/structure.ts',
    line: 'if (bytes.length < 2 || bytes[bytes.length - 1] !== 0 || bytes[0] !== 0x2f) {',
    original: '2',
    replacement: '1',
    reason: "a one-byte target-path is either NUL (so not '/') or not NUL-terminated: the other two tests flag it anyway",
  },
  {
    file: 'src/review/worktree.ts',
    line: "const r = spawnSync('git', ['-c', 'user.name=dtoverlay-check', '-c', 'user.email=dtoverlay-check@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', input, maxBuffer: 1 << 30 });",
    original: '1',
    replacement: '0',
    reason: "maxBuffer 0 is no limit to spawnSync, more room than 1 GiB: git's output is read the same",
  },
  {
    file: 'src/review/hook.ts',
    line: 'let existing = 0;',
    original: '0',
    replacement: '1',
    reason: 'read only when there is a HEAD to compare with (cli/hook.ts prints it under `compare`), and then assigned before it is returned',
  },
  {
    file: 'src/review/review.ts',
    line: 'let sidMapWeight = -1;',
    original: '1',
    replacement: '2',
    reason: 'weights are counts (0 or more): starting below them at -2 picks the same first board as at -1',
  },
  {
    file: 'src/schema/decode.ts',
    line: 'if (bits !== 32) {',
    original: '32',
    replacement: '33',
    reason: 'records 32-bit widths too, and every reader of valueSizes (typeSizeOf, py-errors sizeOf) takes an absent width as 32',
  },
  {
    file: 'src/schema/decode.ts',
    line: 'cells = (next >= 0 ? next : val.length) - (i + 1);',
    original: '>=',
    replacement: '>',
    reason: 'next is searched from i + 1, so it is -1 or at least 1, never 0',
  },
  {
    file: 'src/pas/smr.ts',
    line: "for (let i = 0; i < size; i++) this.entries.push({ index: i, id: 0, mask: 0, valid: false, count: 0, handoff: false, owners: [] });",
    original: '0',
    replacement: '1',
    column: 79,
    reason: "an empty entry's mask: an entry gets its id and mask (importHandoff, allocSmes) before it is marked valid, findSme skips invalid entries, and only valid ones are reported (used())",
  },
  {
    file: 'src/overlay/blob.ts',
    line: 'if (offset === undefined || slack === 0) continue;',
    original: '||',
    replacement: '&&',
    reason: 'readDtb records an offset for every property it builds; and with no slack the padding read is empty, so nothing is recorded either way',
  },
  {
    file: 'src/schema/decode.ts',
    line: '} else if (types.size > 1) {',
    original: '>',
    replacement: '>=',
    reason: 'with one candidate type the hint can only keep it (it fits) or keep it anyway (nothing fits, nothing is dropped)',
  },
];

/** Mutants that change only how much room a growing buffer starts or grows with: its bytes are the same. */
function capacity(file: string, line: string, changes: [string, string][]): Equivalent[] {
  return changes.map(([original, replacement]) => ({ file, line, original, replacement, reason: 'only the capacity of a buffer that grows as needed changes: its contents are the same' }));
}
