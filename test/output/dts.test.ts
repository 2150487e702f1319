/**
 * printDts on trees built by hand the way dtc's parser builds them (type markers, labels inside
 * values, phandle and path references), against the reference dtc printing the same source.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics.js';
import { printDts, formatPropertyValue } from '../../src/output/dts.js';
import { Node, Property, type Data, type Marker, type Tree } from '../../src/tree/model.js';
import { referenceDtc } from '../support/reference.js';

/** One piece of a property value, in source order. */
type Piece =
  | { label: string }
  | { u32: (number | string | { label: string })[] } // a string is a phandle reference, resolved to `phandles[ref]`
  | { u8: number[] }
  | { u16: number[] }
  | { u64: bigint[] }
  | { str: string }
  | { pathRef: string; path: string };

/** Builds a value as dtc's parser and reference fixups leave it. */
function value(pieces: Piece[], phandles: Record<string, number> = {}): Data {
  const bytes: number[] = [];
  const markers: Marker[] = [];
  const mark = (kind: Marker['kind'], ref?: string) => markers.push({ kind, offset: bytes.length, ...(ref ? { ref } : {}) });
  const int = (v: bigint, width: number) => {
    for (let i = width - 1; i >= 0; i--) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
  };
  for (const piece of pieces) {
    if ('label' in piece) mark('label', piece.label);
    else if ('u32' in piece) {
      mark('u32');
      for (const cell of piece.u32) {
        if (typeof cell === 'object') mark('label', cell.label);
        else if (typeof cell === 'string') {
          mark('ref-phandle', cell);
          int(BigInt(phandles[cell] ?? 0xffffffff), 4);
        } else int(BigInt(cell), 4);
      }
    } else if ('u8' in piece) {
      mark('u8');
      piece.u8.forEach((b) => bytes.push(b));
    } else if ('u16' in piece) {
      mark('u16');
      piece.u16.forEach((v) => int(BigInt(v), 2));
    } else if ('u64' in piece) {
      mark('u64');
      piece.u64.forEach((v) => int(v, 8));
    } else if ('str' in piece) {
      mark('string');
      for (const ch of piece.str) bytes.push(ch.charCodeAt(0));
      bytes.push(0);
    } else {
      mark('string', piece.pathRef);
      mark('ref-path', piece.pathRef);
      for (const ch of piece.path) bytes.push(ch.charCodeAt(0));
      bytes.push(0);
    }
  }
  return { bytes: Uint8Array.from(bytes), markers };
}

function prop(name: string, data: Data, labels: string[] = []): Property {
  const p = new Property(name, data);
  p.labels = labels;
  return p;
}

function tree(root: Node, reservations: Tree['reservations'] = []): Tree {
  return { v1: true, plugin: false, reservations, root, bootCpuidPhys: 0 };
}

function referencePrint(source: string): string {
  const result = referenceDtc(['-q', '-I', 'dts', '-O', 'dts', 'in.dts'], { files: { 'in.dts': source } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('printDts on source-built trees', () => {
  it('prints labels, every value type and labels inside values like dtc', () => {
    const source = `/dts-v1/;
l1: l2: /memreserve/ 0x1 0x2;
/ {
	p1: p2: a = lbl: <1 mid: 2 end:>, "s" lbl2:, [01 02], /bits/ 16 <3 4>, /bits/ 64 <5>;
	s = "a\\tb\\"c\\\\d\\x01\\x80\\xff\\a\\b\\v\\f\\r\\n";
	e;
	f = [61 62 00];
	g = "one", "two", <>, [];
	n1: n2: child@1 { x = <0xffffffff>; };
};
`;
    const root = new Node('');
    root.properties.push(
      prop(
        'a',
        value([
          { label: 'lbl' },
          { u32: [1, { label: 'mid' }, 2, { label: 'end' }] },
          { str: 's' },
          { label: 'lbl2' },
          { u8: [1, 2] },
          { u16: [3, 4] },
          { u64: [5n] },
        ]),
        ['p1', 'p2'],
      ),
      prop('s', value([{ str: 'a\tb"c\\d\x01\x80\xff\x07\b\v\f\r\n' }])),
      prop('e', value([])),
      prop('f', value([{ u8: [0x61, 0x62, 0] }])),
      prop('g', value([{ str: 'one' }, { str: 'two' }, { u32: [] }, { u8: [] }])),
    );
    const child = new Node('child@1');
    child.labels = ['n1', 'n2'];
    child.properties.push(prop('x', value([{ u32: [0xffffffff] }])));
    root.addChild(child);
    const reservations = [{ address: 1n, size: 2n, labels: ['l1', 'l2'] }];
    expect(printDts(tree(root, reservations))).toBe(referencePrint(source));
  });

  it('prints phandle references as &label or &{/path} and path references as strings', () => {
    const source = `/dts-v1/;
/ {
	b = <&intc 5>, <&{/i}>;
	c = &intc;
	d = "x", &{/i};
	intc: i { };
};
`;
    const root = new Node('');
    const phandles = { intc: 1, '/i': 1 };
    root.properties.push(
      prop('b', value([{ u32: ['intc', 5] }, { u32: ['/i'] }], phandles)),
      prop('c', value([{ pathRef: 'intc', path: '/i' }])),
      prop('d', value([{ str: 'x' }, { pathRef: '/i', path: '/i' }])),
    );
    const intc = new Node('i');
    intc.labels = ['intc'];
    // dtc adds the phandle property without type markers (data_append_cell)
    intc.properties.push(prop('phandle', { bytes: Uint8Array.from([0, 0, 0, 1]), markers: [] }));
    root.addChild(intc);
    expect(printDts(tree(root))).toBe(referencePrint(source));
  });

  it('does not print deleted nodes and properties', () => {
    const root = new Node('');
    const gone = prop('gone', value([{ u32: [1] }]));
    gone.deleted = true;
    root.properties.push(prop('kept', value([{ u32: [1] }])), gone);
    const deletedChild = new Node('old');
    deletedChild.deleted = true;
    root.addChild(deletedChild);
    root.addChild(new Node('new'));
    expect(printDts(tree(root))).toBe(referencePrint('/dts-v1/;\n/ { kept = <1>; new { }; };\n'));
  });

  it('guesses the type of values without type markers as dtc does', () => {
    const guess = (...bytes: number[]) => formatPropertyValue(new Property('p', { bytes: Uint8Array.from(bytes), markers: [] }));
    expect(guess()).toBe(';');
    expect(guess(0x61, 0)).toBe(' = "a";');
    expect(guess(0x61, 0, 0x62, 0)).toBe(' = "a", "b";');
    expect(guess(0x61, 0x0a, 0)).toBe(' = "a\\n";');
    expect(guess(0, 0, 0, 0)).toBe(' = <0x00>;'); // more NULs than text: cells
    expect(guess(0x61, 0, 0, 0)).toBe(' = <0x61000000>;');
    expect(guess(0x61, 0x80, 0)).toBe(' = [61 80 00];'); // not printable: bytes
    expect(guess(1, 2, 3)).toBe(' = [01 02 03];');
    expect(guess(0x61, 0x62, 0x63, 0x64)).toBe(' = <0x61626364>;'); // no NUL at the end
    expect(guess(0)).toBe(' = [00];');
  });

  it('prints as bytes the values dtc aborts on (cells or strings cut by /incbin/ data)', () => {
    const source = '/dts-v1/;\n/ { b = <1>, /incbin/("blob.bin"); d = "x", /incbin/("blob.bin"); };\n';
    const reference = referenceDtc(['-q', '-I', 'dts', '-O', 'dts', 'in.dts'], { files: { 'in.dts': source, 'blob.bin': 'AB\0CD' } });
    expect(reference.status).toBe(134); // assertion failure in write_propval_int / write_propval_string
    const incbin = [0x41, 0x42, 0, 0x43, 0x44];
    const cells = new Property('b', {
      bytes: Uint8Array.from([0, 0, 0, 1, ...incbin]),
      markers: [
        { kind: 'u32', offset: 0 },
        { kind: 'none', offset: 4 },
      ],
    });
    const strings = new Property('d', {
      bytes: Uint8Array.from([0x78, 0, ...incbin]),
      markers: [
        { kind: 'string', offset: 0 },
        { kind: 'none', offset: 2 },
      ],
    });
    expect(formatPropertyValue(cells)).toBe(' = [00 00 00 01 41 42 00 43 44];');
    expect(formatPropertyValue(strings)).toBe(' = [78 00 41 42 00 43 44];');
  });

  it('stops with output/too-large, naming the property, rather than building an impossible string', () => {
    const root = new Node('');
    const soc = new Node('soc');
    root.addChild(soc);
    soc.properties.push(prop('small', value([{ u32: [1] }])), prop('big', value([{ u8: new Array<number>(4096).fill(0xab) }])));
    expect(printDts(tree(root), { maxLength: 20_000 })).toContain('big = [ab ab');
    let caught: unknown;
    try {
      printDts(tree(root), { maxLength: 1000 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    expect((caught as DiagnosticError).diagnostic).toMatchObject({ rule: 'output/too-large', path: '/soc', property: 'big' });
  });
});
