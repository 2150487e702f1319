/**
 * treeToJson / printJson: output valid against the schema published in docs/json-tree.md, chunks
 * that re-encode to the exact bytes, references and labels kept, deterministic text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { readDtb } from '../../src/dtb/read.js';
import { printJson, treeToJson, type JsonNode, type JsonValue } from '../../src/output/json.js';
import { DiagnosticError } from '../../src/diagnostics.js';
import { Node, type Tree } from '../../src/tree/model.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { compileDtcTest, dtcTestSources, dtcTestsDir, includeArgsFor } from './reference-blobs.js';

function schemaFromDocs(): object {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs/json-tree.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## JSON Schema'));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/json-tree.md has no JSON Schema block');
  return JSON.parse(block[1]!) as object;
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schemaFromDocs());

function expectValid(json: unknown): void {
  const ok = validate(json);
  expect(ok ? [] : validate.errors!.slice(0, 5)).toEqual([]);
}

/** Encodes a value's chunks back to bytes: must give `raw`. */
function chunksToHex(value: JsonValue): string {
  const bytes: number[] = [];
  const uint = (v: bigint, width: number) => {
    for (let i = width - 1; i >= 0; i--) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
  };
  for (const chunk of value.chunks) {
    expect(chunk.offset).toBe(bytes.length);
    if (chunk.type === 'bytes') bytes.push(...chunk.values);
    else if (chunk.type === 'strings') {
      for (const s of chunk.values) {
        const text = typeof s === 'string' ? s : s.path;
        for (const ch of text) bytes.push(ch.charCodeAt(0));
        bytes.push(0);
      }
    } else {
      for (const v of chunk.values) {
        const n = typeof v === 'object' ? BigInt(v.phandle) : BigInt(v);
        uint(n, chunk.bits / 8);
      }
    }
  }
  return Buffer.from(bytes).toString('hex');
}

function* allNodes(node: JsonNode): Generator<JsonNode> {
  yield node;
  for (const child of node.children) yield* allNodes(child);
}

function expectExact(tree: Tree): void {
  const json = treeToJson(tree);
  expectValid(json);
  for (const node of allNodes(json.root)) for (const prop of node.properties) expect(chunksToHex(prop.value), `${node.path}:${prop.name}`).toBe(prop.value.raw);
}

async function compileSource(text: string, args: string[] = []) {
  const result = await compile({ file: 'x.dts', text }, parseCompileArgs(['-q', ...args, '-O', 'json', '-o', '-', 'x.dts']));
  expect(result.exitCode, result.messages.join('\n')).toBe(0);
  return result;
}

describe('JSON tree output', () => {
  it('keeps types, references, labels and spans of a source-built tree', async () => {
    const result = await compileSource(`/dts-v1/;
/memreserve/ 0x1000 0x20;
/ {
	a = lbl: <1 mid: 2>, "s", [01 02], /bits/ 16 <3>, /bits/ 64 <0xffffffffffffffff>;
	b = <&intc 5>;
	c = &intc;
	pl: e;
	intc: i { };
};`);
    const json = treeToJson(result.tree!);
    expectValid(json);
    expect(json.reservations).toEqual([{ address: '0x1000', size: '0x20', labels: [] }]);
    const [a, b, c, e] = json.root.properties;
    expect(a!.value.chunks).toEqual([
      { type: 'cells', bits: 32, offset: 0, values: [1, 2] },
      { type: 'strings', offset: 8, values: ['s'] },
      { type: 'bytes', offset: 10, values: [1, 2] },
      { type: 'cells', bits: 16, offset: 12, values: [3] },
      { type: 'cells', bits: 64, offset: 14, values: ['0xffffffffffffffff'] },
    ]);
    expect(a!.value.labels).toEqual([
      { name: 'lbl', offset: 0 },
      { name: 'mid', offset: 4 },
    ]);
    expect(a!.value.guessed).toBe(false);
    expect(a!.spans).toEqual([{ file: 'x.dts', line: 4, column: 2 }]);
    expect(b!.value.chunks).toEqual([{ type: 'cells', bits: 32, offset: 0, values: [{ ref: 'intc', phandle: 1 }, 5] }]);
    expect(c!.value.chunks).toEqual([{ type: 'strings', offset: 0, values: [{ ref: 'intc', path: '/i' }] }]);
    expect(e).toMatchObject({ name: 'e', labels: ['pl'], value: { raw: '', chunks: [] } });
    expect(json.root.children[0]).toMatchObject({ path: '/i', name: 'i', labels: ['intc'], phandle: 1 });
  });

  it('guesses types of a blob tree as dtc -O dts does, and gives blob offsets', () => {
    const tree = readDtb(new Uint8Array(fs.readFileSync(path.join(repoRoot, 'fixtures/dtb/small.dtb'))));
    const json = treeToJson(tree);
    expectValid(json);
    const uart = json.root.children.find((n) => n.name === 'uart@2000')!;
    const byName = Object.fromEntries(uart.properties.map((p) => [p.name, p]));
    expect(byName.compatible!.value).toMatchObject({ guessed: true, chunks: [{ type: 'strings', values: ['example,uart'] }] });
    expect(byName.reg!.value.chunks).toEqual([{ type: 'cells', bits: 32, offset: 0, values: [0x2000, 0x100] }]);
    expect(byName.mac!.value.chunks).toEqual([{ type: 'bytes', offset: 0, values: [0, 0x11, 0x22, 0x33, 0x44, 0x55] }]);
    expect(byName.width!.value.chunks).toEqual([{ type: 'bytes', offset: 0, values: [0x12, 0x34] }]);
    expect(uart.offset).toBe(316);
    expect(uart.spans).toEqual([]);
    expect(json.root.children[0]!.phandle).toBe(1);
  });

  it('prints the same text for the same tree, with keys in the documented order', async () => {
    const source = '/dts-v1/;\n/ { compatible = "a", "b"; n@1 { reg = <1>; }; };';
    const first = await compileSource(source);
    const second = await compileSource(source);
    expect(Buffer.from(first.output!).toString()).toBe(Buffer.from(second.output!).toString());
    const text = printJson(first.tree!, []);
    const parsed = JSON.parse(text) as { diagnostics: unknown[]; tree: Record<string, unknown> };
    expect(Object.keys(parsed)).toEqual(['diagnostics', 'tree']);
    expect(Object.keys(parsed.tree)).toEqual(['format', 'version', 'plugin', 'bootCpuidPhys', 'reservations', 'root']);
    expect(Object.keys(parsed.tree.root as object)).toEqual(['path', 'name', 'labels', 'phandle', 'spans', 'properties', 'children']);
  });

  it('refuses trees with more value bytes than the budget, and JSON nested beyond what JSON.stringify can, as output/too-large', async () => {
    const result = await compileSource('/dts-v1/;\n/ { a = [00 01 02 03 04 05 06 07]; n { b = <1 2>; }; };');
    expect(() => treeToJson(result.tree!, { maxValueBytes: 15 })).toThrow(DiagnosticError);
    expect(treeToJson(result.tree!, { maxValueBytes: 16 }).root.properties[0]!.value.raw).toBe('0001020304050607');
    let root = new Node('');
    const top = root;
    for (let i = 0; i < 20_000; i++) {
      const child = new Node('n');
      root.addChild(child);
      root = child;
    }
    const deep: Tree = { v1: true, plugin: false, reservations: [], root: top, bootCpuidPhys: 0 };
    try {
      expect(printJson(deep).length).toBeGreaterThan(20_000);
    } catch (err) {
      expect(err).toBeInstanceOf(DiagnosticError);
      expect((err as DiagnosticError).diagnostic.rule).toBe('output/too-large');
    }
  });

  describe.runIf(sharedOrExplain('JSON output over dtc-tests'))('over every dtc test source', () => {
    it('is schema-valid and byte-exact for source-built and blob-read trees', async () => {
      const cwd = process.cwd();
      process.chdir(dtcTestsDir);
      let trees = 0;
      try {
        for (const file of dtcTestSources()) {
          const result = await compile({ file }, parseCompileArgs(['-q', ...includeArgsFor(file), '-@', '-O', 'json', '-o', '-', file]));
          if (result.exitCode !== 0) continue;
          expectExact(result.tree!);
          const blob = compileDtcTest(file);
          if (blob) expectExact(readDtb(blob));
          trees++;
        }
      } finally {
        process.chdir(cwd);
      }
      expect(trees).toBeGreaterThan(70);
    });
  });
});
