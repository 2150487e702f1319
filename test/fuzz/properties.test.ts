/**
 * Property-based tests (fast-check, seeded): generated inputs rather than mutated seeds.
 *  - any bytes behind a valid-looking header: readDtb returns a tree or a DtbFormatError with an offset;
 *  - any generated source tree compiles, and the blob read back holds the same nodes and values;
 *  - any text through the preprocessor: output, or a cpp/… error at a position.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, defaultCompileOptions } from '../../src/compile/index.js';
import { DiagnosticError } from '../../src/diagnostics.js';
import { DtbFormatError, readDtb } from '../../src/dtb/read.js';
import { preprocess, PreprocessCache } from '../../src/preprocess/index.js';
import type { Node } from '../../src/tree/model.js';
import { SCALE, SEED } from './stages.js';

const runs = (n: number) => Math.round(n * SCALE);

describe('properties', () => {
  it('readDtb: random bytes after a plausible header end in a tree or a located DtbFormatError', () => {
    const header = fc.tuple(fc.nat({ max: 4096 }), fc.nat({ max: 200 }), fc.nat({ max: 200 }), fc.nat({ max: 200 }), fc.integer({ min: 0, max: 20 }));
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 600 }), ([total, struct, strings, rsv, version], body) => {
        const bytes = new Uint8Array(40 + body.length);
        const view = new DataView(bytes.buffer);
        [0xd00dfeed, total, 40 + struct, 40 + strings, 40 + rsv, version, 16, 0, body.length - strings, body.length - struct].forEach((w, i) =>
          view.setUint32(i * 4, w >>> 0),
        );
        bytes.set(body, 40);
        try {
          readDtb(bytes, { lenient: version % 2 === 0 });
        } catch (err) {
          if (!(err instanceof DtbFormatError) || !Number.isInteger(err.offset)) throw err;
        }
      }),
      { seed: SEED, numRuns: runs(3000) },
    );
  });

  it('compile: generated trees compile, and the blob read back has the same nodes and values', async () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9,._+-]{0,12}$/);
    const value = fc.oneof(
      fc.array(fc.nat(), { maxLength: 6 }).map((cells) => ({ text: `<${cells.map((c) => `0x${c.toString(16)}`).join(' ')}>`, bytes: cells.flatMap((c) => [c >>> 24, (c >>> 16) & 255, (c >>> 8) & 255, c & 255]) })),
      fc.stringMatching(/^[ -!#-[\]-~]{0,20}$/).map((s) => ({ text: `"${s}"`, bytes: [...Buffer.from(s, 'latin1'), 0] })),
      fc.uint8Array({ maxLength: 8 }).map((b) => ({ text: `[${[...b].map((x) => x.toString(16).padStart(2, '0')).join(' ')}]`, bytes: [...b] })),
    );
    interface GenNode {
      props: [string, { text: string; bytes: number[] }][];
      children: [string, GenNode][];
    }
    const nodeArb = (depth: number): fc.Arbitrary<GenNode> =>
      fc.record({
        props: fc.uniqueArray(fc.tuple(name, value), { maxLength: 4, selector: (p) => p[0] }),
        children: depth === 0 ? fc.constant([]) : fc.uniqueArray(fc.tuple(name, nodeArb(depth - 1)), { maxLength: 3, selector: (c) => c[0] }),
      });
    const tree = nodeArb(3);
    const print = (n: GenNode): string =>
      n.props.map(([k, v]) => `p-${k} = ${v.text};`).join(' ') + n.children.map(([k, c]) => ` n-${k} { ${print(c)} };`).join('');
    const same = (g: GenNode, t: Node): void => {
      for (const [k, v] of g.props) expect([...t.getProperty(`p-${k}`)!.value.bytes]).toEqual(v.bytes);
      for (const [k, c] of g.children) same(c, t.children.find((x) => x.name === `n-${k}`)!);
      expect(t.children.length).toBe(g.children.length);
    };
    await fc.assert(
      fc.asyncProperty(tree, async (g) => {
        const text = `/dts-v1/;\n/ { ${print(g)} };\n`;
        const r = await compile({ file: 'gen.dts', text }, { ...defaultCompileOptions(), outputFormat: 'dtb', quiet: 3, force: true });
        expect(r.exitCode, `${text}\n${r.stderr}`).toBe(0);
        same(g, readDtb(r.output!).root);
      }),
      { seed: SEED, numRuns: runs(300) },
    );
  });

  it('preprocess: any text yields output or a cpp error with a position', () => {
    const piece = fc.constantFrom('#define ', '#if ', '#endif\n', '#else\n', '#include "x.h"\n', '#undef ', 'A', 'B(', ')', ',', '##', '#', '"', "'", '/*', '*/', '\\\n', '\n', ' ', '1', '0x', '(', '__LINE__', 'defined');
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 60 }), (parts) => {
        const files = new Map([['/p/main.dts', parts.join('')], ['/p/x.h', parts.slice(0, 10).join('')]]);
        try {
          preprocess('/p/main.dts', { includeDirs: [], cache: new PreprocessCache(), readFile: (p) => files.get(p) ?? (() => { throw new Error('ENOENT'); })() });
        } catch (err) {
          if (!(err instanceof DiagnosticError) || !err.diagnostic.span) throw err;
        }
      }),
      { seed: SEED, numRuns: runs(3000) },
    );
  });
});
