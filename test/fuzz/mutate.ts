/**
 * The mutation fuzzer: fast-check arbitraries describing edits of a seed input (bytes flipped,
 * truncation, tokens deleted or duplicated, hostile pieces inserted: deep nesting, huge numbers,
 * long strings, macro bombs, include cycles). A case is (seed index, edits); fast-check draws it
 * from a fixed seed, so every failure prints a reproducible `{ seed, path }` and shrinks.
 */
import fc from 'fast-check';

export type Edit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete-token'; at: number; count: number }
  | { kind: 'duplicate-token'; at: number; count: number; times: number }
  | { kind: 'insert'; at: number; piece: number };

/** Hostile text spliced in at token boundaries. */
export const TEXT_PIECES: readonly string[] = [
  '{', '}', ';', '<', '>', '"', "'", '[', ']', '(', ')', '/', '&', ':', '=', ',', '@', '#', '\\', '\n', '\0', '\xff',
  '/delete-node/ ', '/delete-property/ ', '/bits/ 64 ', '/bits/ 7 ', '/plugin/;', '/dts-v1/;', '/memreserve/ 1 2;',
  '&{/}', '&lbl', 'lbl:', '&{/a/b/c@1}', '/omit-if-no-ref/ ',
  '0xffffffffffffffffffffffffffffffff', '99999999999999999999999999', '-0x8000000000000000', '077777777777777777777777',
  '(1 / 0)', '(1 % 0)', '(-1 >> 64)', '(1 << 63)', "'\\x'", "'ab'",
  `"${'a'.repeat(70_000)}"`, `[${'00'.repeat(40_000)}]`, `<${'1 '.repeat(30_000)}>`,
  'n{'.repeat(4_000), '}'.repeat(4_000), `p = <${'('.repeat(3_000)}1${')'.repeat(3_000)}>;`,
  '/include/ "self.dtsi"\n', '/include/ "/etc/passwd"\n', '/include/ "../../../../etc/hostname"\n',
  '/incbin/("self.dtsi")', '/incbin/("self.dtsi", 0xffffffff, 0xffffffff)', '/incbin/("big.bin", 1, 3)',
  '\n#include "self.dtsi"\n', '\n#include "loop-a.h"\n', '\n#include <missing.h>\n', '\n#include "/dev/zero"\n',
  '\n#define B0 x x\n#define B1 B0 B0\n#define B2 B1 B1\n#define B3 B2 B2\n#define B4 B3 B3\n#define B5 B4 B4\n#define B6 B5 B5\n#define B7 B6 B6\nB7 B7 B7\n',
  '\n#define F(x) F(x) x x\nF(F(F(1)))\n', '\n#define G(a) G(a\nG(1)\n', '\n#if 1/0\n#endif\n', `\n#if ${'('.repeat(5_000)}1\n#endif\n`,
  '\n#if\n', '\n#else\n', '\n#endif\n', '\n#line 4294967295 "x"\n', '\n#line 0\n', '\n#pragma once\n', '\n#error boom\n',
  '\n#define S(x) #x\nS("\n', '\n#define C(a,b) a##b\nC(/,/)\n', '__LINE__ __FILE__ __COUNTER__',
];

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete-token' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('duplicate-token' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 6 }),
      times: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(200, 3_000)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: fc.nat({ max: TEXT_PIECES.length - 1 }) }) },
);

/** A case: which seed, and one to four edits. */
export const caseArb = (seeds: number): fc.Arbitrary<{ seed: number; edits: Edit[] }> =>
  fc.record({ seed: fc.nat({ max: seeds - 1 }), edits: fc.array(editArb, { minLength: 1, maxLength: 4 }) });

/** Token boundaries of source text: runs of identifier characters, runs of blanks, or one other char. */
function tokenStarts(text: string): number[] {
  const starts: number[] = [];
  let i = 0;
  while (i < text.length) {
    starts.push(i);
    const c = text.charCodeAt(i);
    const word = (x: number) => (x >= 48 && x <= 57) || (x >= 65 && x <= 90) || (x >= 97 && x <= 122) || x === 95 || x === 44 || x === 45;
    const blank = (x: number) => x === 32 || x === 9 || x === 10;
    if (word(c)) while (i < text.length && word(text.charCodeAt(i))) i++;
    else if (blank(c)) while (i < text.length && blank(text.charCodeAt(i))) i++;
    else i++;
  }
  starts.push(text.length);
  return starts;
}

/**
 * Mutated inputs stay below this size: larger ones are refused by the input-bytes limit before
 * they are read (test/limits.test.ts), and building them would only exhaust the fuzzer's memory.
 */
export const MAX_MUTATED_BYTES = 8 << 20;

/** Applies edits to text (a byte string: one char per byte). */
export function mutateText(text: string, edits: readonly Edit[]): string {
  for (const e of edits) {
    if (text.length > MAX_MUTATED_BYTES) text = text.slice(0, MAX_MUTATED_BYTES);
    if (e.kind === 'flip') {
      if (!text.length) continue;
      const at = e.at % text.length;
      text = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ (1 << e.bit)) + text.slice(at + 1);
    } else if (e.kind === 'truncate') text = text.slice(0, e.at % (text.length + 1));
    else {
      const starts = tokenStarts(text);
      const t = e.at % starts.length;
      const from = starts[t]!;
      const to = starts[Math.min(t + (e.kind === 'insert' ? 0 : e.count), starts.length - 1)]!;
      if (e.kind === 'delete-token') text = text.slice(0, from) + text.slice(to);
      else if (e.kind === 'duplicate-token') text = text.slice(0, to) + text.slice(from, to).repeat(e.times) + text.slice(to);
      else text = text.slice(0, from) + TEXT_PIECES[e.piece]! + text.slice(from);
    }
  }
  return text.length > MAX_MUTATED_BYTES ? text.slice(0, MAX_MUTATED_BYTES) : text;
}

/** Edits of a binary blob: bit flips, truncation, chunks deleted or repeated, words set to hostile values. */
export type BlobEdit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'repeat'; at: number; count: number; times: number }
  | { kind: 'word'; at: number; value: number };

const HOSTILE_WORDS = [0, 1, 2, 3, 4, 9, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 0xd00dfeed, 16, 17, 40, 0x1000];

const blobEditArb: fc.Arbitrary<BlobEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), count: fc.integer({ min: 4, max: 64 }), times: fc.integer({ min: 1, max: 50 }) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('word' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...HOSTILE_WORDS), fc.nat()) }),
  },
);

export const blobCaseArb = (seeds: number): fc.Arbitrary<{ seed: number; edits: BlobEdit[] }> =>
  fc.record({ seed: fc.nat({ max: seeds - 1 }), edits: fc.array(blobEditArb, { minLength: 1, maxLength: 5 }) });

export function mutateBlob(input: Uint8Array, edits: readonly BlobEdit[]): Uint8Array {
  let b = Buffer.from(input);
  for (const e of edits) {
    if (!b.length) break;
    const at = e.at % b.length;
    if (e.kind === 'flip') b[at] = b[at]! ^ (1 << e.bit);
    else if (e.kind === 'truncate') b = b.subarray(0, at);
    else if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.count)]);
    else if (e.kind === 'repeat') {
      const chunk = b.subarray(at, at + e.count);
      b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: e.times + 1 }, () => chunk), b.subarray(at + e.count)]);
    } else {
      // header words and struct tokens are 4-aligned: hit them often
      const w = at & ~3;
      if (w + 4 <= b.length) b.writeUInt32BE(e.value >>> 0, w);
    }
  }
  return new Uint8Array(b);
}

/** Edits of a tree's property values: the value picked by `at` gets blob edits (cells, strings, lengths change). */
export type ValueEdit = { prop: number; edits: BlobEdit[] };

export const valueEditsArb: fc.Arbitrary<ValueEdit[]> = fc.array(
  fc.record({ prop: fc.nat(), edits: fc.array(blobEditArb, { minLength: 1, maxLength: 2 }) }),
  { minLength: 1, maxLength: 4 },
);

interface MutableProperty {
  value: { bytes: Uint8Array };
}
interface MutableNode {
  properties: MutableProperty[];
  children: MutableNode[];
}

/** Applies value edits in place to the properties of `root` (in tree order). */
export function mutateValues(root: MutableNode, edits: readonly ValueEdit[]): void {
  const props: MutableProperty[] = [];
  const pending = [root];
  while (pending.length) {
    const node = pending.pop()!;
    props.push(...node.properties);
    pending.push(...node.children);
  }
  if (!props.length) return;
  for (const e of edits) {
    const prop = props[e.prop % props.length]!;
    prop.value.bytes = prop.value.bytes.length ? mutateBlob(prop.value.bytes, e.edits) : new Uint8Array([0, 0, 0, 1]);
  }
}
