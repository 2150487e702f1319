/**
 * applyOverlays at its edges, each against fdtoverlay 1.7.2 (bundled wasm), in-repo (no ../shared):
 * the bytes libfdt leaves in a property's alignment slack when the new value reaches past the end
 * of its node, and overlay blobs whose __fixups__ or __symbols__ were edited by hand.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOverlays } from '../../src/overlay/apply.js';
import { readBlobForOverlay } from '../../src/overlay/blob.js';
import { writePackedFdt } from '../../src/overlay/flat.js';
import { readDtb } from '../../src/dtb/read.js';
import { DiagnosticError } from '../../src/diagnostics.js';
import type { Tree } from '../../src/tree/model.js';
import { ourApply, referenceApply, referenceBlob, tempDir } from './support.js';

const work = tempDir('apply-edges-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** dtc -@ on `source` (the reference compiler), as blob bytes. */
function compiled(name: string, source: string): Uint8Array {
  fs.writeFileSync(path.join(work, name), source);
  const blob = referenceBlob(name, work, ['-q', '-@']);
  expect(blob, `dtc on ${name}`).toBeDefined();
  return blob!;
}

/** Ours and fdtoverlay's on the same blobs: the same bytes, or both failing with the same libfdt code. */
function expectLikeFdtoverlay(base: Uint8Array, overlays: Uint8Array[]): { error?: string; message?: string } {
  const ref = referenceApply(base, overlays);
  const ours = ourApply(base, overlays);
  if (ref.blob) {
    expect(ours.error?.message).toBeUndefined();
    expect(Buffer.from(ours.blob!).toString('hex')).toBe(Buffer.from(ref.blob).toString('hex'));
    return {};
  }
  expect(ours.blob, `fdtoverlay failed: ${ref.stderr}`).toBeUndefined();
  expect(ref.stderr).toContain(ours.error!.code);
  return { error: ours.error!.code, message: ours.error!.message };
}

/** A value of `n` bytes that is not all zero, so its slack cannot pass for zero fill. */
const bytesOf = (n: number) => `[${Array.from({ length: n }, (_, i) => (0xa1 + i).toString(16)).join(' ')}]`;

describe('slack bytes: a value set on a node near the end of its parents (fdtoverlay leaves stale bytes there)', () => {
  // Each base puts the target where the bytes after its node are few: its parent's FDT_END_NODE,
  // the next node of a grandparent, several END_NODEs in a row, or the end of the structure block.
  // `&t` gives the target a phandle property (the base is compiled with -@); `&{/path}` does not.
  const bases: [string, string, string][] = [
    ['last child, a sibling of its parent follows', '/ { a { t: b { }; }; c { }; };', '&t'],
    ['last child of the root', '/ { x = "y"; a { }; };', '&{/a}'],
    ['four levels deep, then a named sibling', '/ { a { b { c { d { e { }; }; }; }; }; zebra { p = "xyz"; }; };', '&{/a/b/c/d/e}'],
    ['four levels deep, with a phandle', '/ { a { b { c { d { t: e { }; }; }; }; }; zebra { p = "xyz"; }; };', '&t'],
    ['a property to grow, then a sibling', '/ { t: a { v = [01]; }; bb { q = <7>; }; };', '&t'],
    ['children below the target', '/ { a { k { }; }; m { }; };', '&{/a}'],
  ];
  for (const [shape, body, target] of bases) {
    it(`${shape}: every value length 1..12 gives fdtoverlay's bytes`, () => {
      const base = compiled('base.dts', `/dts-v1/;\n${body}\n`);
      for (let n = 1; n <= 12; n++) {
        const grow = compiled('grow.dtso', `/dts-v1/;\n/plugin/;\n${target} { v = ${bytesOf(n)}; };\n`);
        const added = compiled('add.dtso', `/dts-v1/;\n/plugin/;\n${target} { n${n} = ${bytesOf(n)}; };\n`);
        expectLikeFdtoverlay(base, [grow]);
        expectLikeFdtoverlay(base, [added]);
        expectLikeFdtoverlay(base, [added, grow]);
        // fdtoverlay's output, stale bytes and all, as the base of the next overlay: read back and kept
        expectLikeFdtoverlay(referenceApply(base, [added]).blob!, [grow]);
      }
    });
  }
});

describe('targets by alias and path, and phandles above 16 bits: what fdtoverlay does', () => {
  const base = () =>
    compiled(
      'alias-base.dts',
      '/dts-v1/;\n/ { aliases { serial0 = "/soc/uart@1"; empty = ""; }; soc { u: uart@1 { phandle = <0x12345678>; child { }; }; }; big: big { phandle = <0x00fedcba>; }; };\n',
    );
  const fragment = (target: string) => compiled('alias.dtso', `/dts-v1/;\n/plugin/;\n/ { fragment@0 { ${target}; __overlay__ { p = <1>; q = <&u &big &own>; own: sub { }; }; }; };\n`);
  for (const target of ['target-path = "serial0"', 'target-path = "serial0/child"', 'target-path = "/soc/uart@1/child"', 'target = <&u>', 'target = <&big>']) {
    it(`${target}: the same bytes`, () => {
      expectLikeFdtoverlay(base(), [fragment(target)]);
    });
  }
  for (const [target, code] of [
    ['target-path = "serial1/child"', 'FDT_ERR_BADPATH'],
    ['target-path = "serial0/nothing"', 'FDT_ERR_NOTFOUND'],
    ['target-path = "/soc/nothing"', 'FDT_ERR_NOTFOUND'],
    ['target-path = ""', 'FDT_ERR_BADPATH'],
    ['target-path = "empty"', 'FDT_ERR_BADPATH'],
  ]) {
    it(`${target}: ${code}`, () => {
      expect(expectLikeFdtoverlay(base(), [fragment(target)]).error).toBe(code);
    });
  }
});

describe("the base's __symbols__ edited by hand: what fdtoverlay does", () => {
  const overlay = () => compiled('sym.dtso', '/dts-v1/;\n/plugin/;\n&l { p = <&l>; };\n');
  const base = (symbol: string) => {
    const tree = readDtb(compiled('sym-base.dts', '/dts-v1/;\n/ { aliases { s = "/soc"; }; soc { l: dev { }; }; };\n'));
    tree.root.getChild('__symbols__')!.getProperty('l')!.value.bytes = new Uint8Array(Buffer.from(`${symbol}\0`, 'latin1'));
    return writePackedFdt(tree);
  };
  for (const [symbol, code] of [
    ['', 'FDT_ERR_BADPATH'],
    ['nosuch/dev', 'FDT_ERR_BADPATH'],
    ['/soc/nothing', 'FDT_ERR_NOTFOUND'],
    ['s/nothing', 'FDT_ERR_NOTFOUND'],
  ]) {
    it(`label l → '${symbol}': ${code}`, () => {
      const r = expectLikeFdtoverlay(base(symbol), [overlay()]);
      expect(r.error).toBe(code);
      expect(r.message).toContain(`label 'l' used in /fragment@0:target (fragment@0) points at '${symbol}' in the base's __symbols__`);
    });
  }
  it("label l → 's/dev' (through an alias): the same bytes", () => {
    expectLikeFdtoverlay(base('s/dev'), [overlay()]);
  });
});

describe('large values', () => {
  it("a value of odd length larger than twice the writer's first buffer: fdtoverlay's bytes", () => {
    const base = compiled('big-base.dts', '/dts-v1/;\n/ { l: n { small = "x"; }; };\n');
    for (const length of [200_000, 200_001, 200_002]) {
      const overlay = compiled('big.dtso', `/dts-v1/;\n/plugin/;\n&l { big = "${'a'.repeat(length - 1)}"; after = <1>; };\n`);
      expectLikeFdtoverlay(base, [overlay]);
    }
  });
});

describe('overlay blobs with hand-edited __fixups__ / __symbols__: what fdtoverlay does', () => {
  const base = compiled('edit-base.dts', '/dts-v1/;\n/ { soc { l: dev { }; }; };\n');
  /** The overlay compiled, `edit` applied to its tree, and packed again. */
  const edited = (edit: (tree: Tree) => void): Uint8Array => {
    const tree = readDtb(compiled('edit.dtso', '/dts-v1/;\n/plugin/;\n&l { p = <&l>; own: sub { }; };\n'));
    edit(tree);
    return writePackedFdt(tree);
  };
  const setBytes = (tree: Tree, nodeName: string, prop: string, text: string) => {
    const node = tree.root.children.find((c) => c.name === nodeName)!;
    node.properties.find((p) => p.name === prop)!.value.bytes = new Uint8Array(Buffer.from(text, 'latin1'));
  };

  it('unedited: the same bytes', () => {
    expectLikeFdtoverlay(base, [edited(() => {})]);
  });

  it('a __fixups__ entry without its NUL: FDT_ERR_BADOVERLAY, saying so', () => {
    const r = expectLikeFdtoverlay(base, [edited((t) => setBytes(t, '__fixups__', 'l', '/fragment@0/__overlay__:p:0'))]);
    expect(r.error).toBe('FDT_ERR_BADOVERLAY');
    expect(r.message).toContain("__fixups__ entry for label 'l' is not NUL-terminated");
  });

  it('a __fixups__ entry with an empty path, or a path that starts with no alias: FDT_ERR_BADPATH', () => {
    for (const path of ['', 'fragment@0/__overlay__']) {
      const r = expectLikeFdtoverlay(base, [edited((t) => setBytes(t, '__fixups__', 'l', `${path}:p:0\0`))]);
      expect(r.error).toBe('FDT_ERR_BADPATH');
      expect(r.message).toContain(`__fixups__ entry for 'l' names '${path}', which is neither an absolute path nor an alias of the overlay`);
    }
  });

  it('a __fixups__ entry naming a node the overlay does not have: FDT_ERR_BADOVERLAY', () => {
    const r = expectLikeFdtoverlay(base, [edited((t) => setBytes(t, '__fixups__', 'l', '/fragment@0/nothing:p:0\0'))]);
    expect(r.error).toBe('FDT_ERR_BADOVERLAY');
    expect(r.message).toContain("__fixups__ entry for 'l' names /fragment@0/nothing, which the overlay does not have");
  });

  it('a __fixups__ entry with no offset is malformed', () => {
    const r = expectLikeFdtoverlay(base, [edited((t) => setBytes(t, '__fixups__', 'l', '/fragment@0/__overlay__:p:\0'))]);
    expect(r.error).toBe('FDT_ERR_BADOVERLAY');
    expect(r.message).toContain("malformed __fixups__ entry '/fragment@0/__overlay__:p:' for label 'l'");
  });

  it("a fragment's target of two cells: FDT_ERR_BADPHANDLE", () => {
    const overlay = edited((t) => {
      t.root.children.find((c) => c.name === 'fragment@0')!.properties.find((p) => p.name === 'target')!.value.bytes = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2]);
    });
    expect(expectLikeFdtoverlay(base, [overlay]).error).toBe('FDT_ERR_BADPHANDLE');
  });

  it('a __symbols__ entry of two strings: FDT_ERR_BADVALUE', () => {
    const r = expectLikeFdtoverlay(base, [edited((t) => setBytes(t, '__symbols__', 'own', '/fragment@0/__overlay__/sub\0/x\0'))]);
    expect(r.error).toBe('FDT_ERR_BADVALUE');
    expect(r.message).toContain("__symbols__ entry 'own' of the overlay is not one string");
  });

  for (const value of ['sub', 'fragment@0/__overlay__/sub']) {
    it(`a __symbols__ entry that is not an absolute path (${value}): FDT_ERR_BADVALUE`, () => {
      const r = expectLikeFdtoverlay(base, [edited((t) => setBytes(t, '__symbols__', 'own', `${value}\0`))]);
      expect(r.error).toBe('FDT_ERR_BADVALUE');
      expect(r.message).toContain(`__symbols__ entry 'own' of the overlay is not an absolute path: '${value}'`);
    });
  }

  // libfdt adds a symbol only for /FRAGMENT/__overlay__ and /FRAGMENT/__overlay__/SUBPATH
  for (const [what, value] of [
    ['the fragment itself', '/fragment@0'],
    ['a path of one component', '/sub'],
    ['__overlay__ with a trailing slash', '/fragment@0/__overlay__/'],
    ['the __overlay__ node', '/fragment@0/__overlay__'],
    ['a node of the fragment outside __overlay__', '/fragment@0/other'],
  ]) {
    it(`a symbol naming ${what} (${value}): the same bytes`, () => {
      expectLikeFdtoverlay(base, [edited((t) => setBytes(t, '__symbols__', 'own', `${value}\0`))]);
    });
  }
});

describe('the overlay limit', () => {
  it('names the first overlay past it, at its start', () => {
    const base = readBlobForOverlay(compiled('limit-base.dts', '/dts-v1/;\n/ { l: n { }; };\n'));
    const overlay = readBlobForOverlay(compiled('limit.dtso', '/dts-v1/;\n/plugin/;\n&l { p = <1>; };\n'));
    const three = ['a.dtbo', 'b.dtbo', 'c.dtbo'].map((name) => ({ tree: overlay, name }));
    let error: unknown;
    try {
      applyOverlays(base, three, { maxOverlays: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostic).toMatchObject({ rule: 'limit/overlays', span: { file: 'c.dtbo', line: 1, column: 1 } });
    expect(applyOverlays(base, three.slice(0, 2), { maxOverlays: 2 }).tree.root.getChild('n')!.getProperty('p')).toBeDefined();
  });
});
