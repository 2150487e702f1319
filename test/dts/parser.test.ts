/** The parser: values as dtc builds them (bytes + markers), expressions, and errors with positions. */
import { describe, expect, it } from 'vitest';
import type { PropItem } from '../../src/dts/ast.js';
import { parseDts } from '../../src/dts/parser.js';
import type { SourceHost } from '../../src/dts/source.js';

const host: SourceHost = {
  open: () => undefined,
  openBinary: (name) => (name === 'blob.bin' ? { path: 'blob.bin', bytes: new Uint8Array([1, 2, 3, 4, 5]) } : undefined),
};

function parse(body: string) {
  return parseDts(`/dts-v1/;\n/ {\n${body}\n};\n`, 't.dts', { host });
}

function prop(body: string): Extract<PropItem, { kind: 'property' }> {
  const r = parse(body);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const item = r.source!.items[0]!;
  if (item.kind !== 'root') throw new Error('expected root');
  return item.body.props[0] as Extract<PropItem, { kind: 'property' }>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('parseDts values', () => {
  it('builds cells, strings, bytes and references with dtc\'s markers', () => {
    const p = prop('p = l0: <1 l1: &ref>, "s", [01 02], &{/path} l2:;');
    expect(hex(p.value.bytes)).toBe('00000001ffffffff' + '7300' + '0102');
    expect(p.value.markers.map((m) => `${m.kind}@${m.offset}${m.ref ? `:${m.ref}` : ''}`)).toEqual([
      'label@0:l0', 'u32@0', 'label@4:l1', 'ref-phandle@4:ref', 'string@8', 'u8@10', 'string@12:/path', 'ref-path@12:/path', 'label@12:l2',
    ]);
  });

  it('evaluates expressions in unsigned 64-bit arithmetic with C precedence', () => {
    expect(hex(prop('p = <(1 + 2 * 3) (1 << 2 + 1) (-1) (6 / 4 * 2) (1 ? 2 : 3)>;').value.bytes)).toBe(
      ['00000007', '00000008', 'ffffffff', '00000002', '00000002'].join(''),
    );
    expect(hex(prop('p = /bits/ 64 <(0 - 1) (1 << 63 >> 63)>;').value.bytes)).toBe('ffffffffffffffff' + '0000000000000001');
    expect(hex(prop("p = /bits/ 8 <'A' 0x1ff>;").value.bytes)).toBe('41ff');
  });

  it('reads /incbin/ with offset and length through the host', () => {
    const p = prop('p = /incbin/("blob.bin", 1, 3);');
    expect(hex(p.value.bytes)).toBe('020304');
    expect(p.value.markers).toEqual([{ kind: 'none', offset: 0 }]);
  });

  it('warns, as dtc does, when a value is truncated to the element size', () => {
    const r = parse('p = /bits/ 16 <0x12345>;');
    expect(r.diagnostics).toMatchObject([{ severity: 'warning', message: 'Value 0x0000000000012345 truncated to 0x2345' }]);
  });

  it('keeps several labels in source order and marks /omit-if-no-ref/', () => {
    const r = parse('a: b: /omit-if-no-ref/ c: node { };');
    const root = r.source!.items[0]!;
    if (root.kind !== 'root') throw new Error();
    expect(root.body.children[0]).toMatchObject({ kind: 'node', name: 'node', labels: ['a', 'b', 'c'], omitIfNoRef: true });
  });
});

describe('parseDts errors', () => {
  const errors = (text: string): string[] =>
    parseDts(text, 'e.dts', { host }).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span!.line}:${d.span!.column} ${d.message}`);

  it('a RangeError that is not a stack overflow is an engine limit, not "expression nested too deeply"', () => {
    const failing: SourceHost = {
      open: () => undefined,
      openBinary: () => {
        throw new RangeError('Array buffer allocation failed');
      },
    };
    const r = parseDts('/dts-v1/;\n/ { p = /incbin/("x"); };\n', 'e.dts', { host: failing });
    expect(r.diagnostics).toMatchObject([{ rule: 'limit/engine', message: 'input too large to process: Array buffer allocation failed (a limit of the JavaScript engine)', span: { file: 'e.dts', line: 2 } }]);
    // a stack overflow still says so
    const overflowing: SourceHost = {
      open: () => undefined,
      openBinary: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    const deep = parseDts('/dts-v1/;\n/ { p = /incbin/("x"); };\n', 'e.dts', { host: overflowing });
    expect(deep.diagnostics.map((d) => d.message)).toEqual(['expression nested too deeply']);
  });

  it('stops at a syntax error, at the offending token', () => {
    expect(errors('/dts-v1/;\n/ {\n\tp = <1>\n};\n')).toEqual(['4:1 syntax error']);
    expect(errors('/ { };')).toEqual(['1:1 syntax error']);
  });

  it('reports semantic errors and keeps parsing', () => {
    expect(errors('/dts-v1/;\n/ {\n\ta = <(1 / 0)>;\n\tb = /bits/ 7 <1>;\n};\n')).toEqual([
      '3:8 Division by zero',
      '4:13 Array elements must be 8, 16, 32 or 64-bits',
    ]);
  });

  it('rejects properties after subnodes at the property', () => {
    expect(errors('/dts-v1/;\n/ {\n\tn { };\n\tlbl: p;\n};\n')).toEqual(['4:2 Properties must precede subnodes']);
  });

  it('names a missing /incbin/ file', () => {
    expect(errors('/dts-v1/;\n/ {\n\tp = /incbin/("nope.bin");\n};\n')).toEqual(['3:15 Couldn\'t open "nope.bin": No such file or directory']);
  });
});
