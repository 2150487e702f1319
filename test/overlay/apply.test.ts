/** applyOverlays against fdtoverlay 1.7.2 (bundled wasm): same bytes, same failures. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverlays } from '../../src/overlay/apply.js';
import { readBlobForOverlay } from '../../src/overlay/blob.js';
import { readDtb } from '../../src/dtb/read.js';
import { OverlayError } from '../../src/overlay/errors.js';
import type { Node } from '../../src/tree/model.js';
import { explainSkip, repoRoot, sharedOrExplain } from '../support/shared.js';
import { corpusLinux, dtcTests, kernelCpp, ourApply, referenceApply, referenceBlob, tempDir } from './support.js';

const hasShared = sharedOrExplain('overlay parity suites');

describe.runIf(hasShared)('apply parity with fdtoverlay on dtc-tests', () => {
  const overlayFiles = hasShared ? fs.readdirSync(dtcTests).filter((f) => /^overlay_.*\.dts$/.test(f) && !f.startsWith('overlay_base')).sort() : [];
  const bases = ['overlay_base.dts', 'overlay_base_manual_symbols.dts'];

  it('finds the overlay inputs', () => expect(overlayFiles.length).toBeGreaterThanOrEqual(11));

  for (const baseFile of bases) {
    it(`each overlay alone on ${baseFile}, compiled with and without -@`, () => {
      const base = referenceBlob(baseFile, dtcTests)!;
      expect(base).toBeDefined();
      let compared = 0;
      const mismatches: string[] = [];
      for (const file of overlayFiles) {
        for (const flags of [['-@'], []]) {
          const overlay = referenceBlob(file, dtcTests, flags);
          if (!overlay) continue;
          const ref = referenceApply(base, [overlay]);
          const ours = ourApply(base, [overlay]);
          compared++;
          if (ref.blob && ours.blob ? Buffer.compare(Buffer.from(ref.blob), Buffer.from(ours.blob)) !== 0 : !!ref.blob !== !!ours.blob) {
            mismatches.push(`${file} ${flags.join(' ')}: fdtoverlay ${ref.blob ? 'ok' : ref.stderr.trim()} / ours ${ours.blob ? 'ok' : ours.error?.message}`);
          }
          // Where both fail, we name the same libfdt error as fdtoverlay.
          if (!ref.blob && ours.error && !ref.stderr.includes(ours.error.code)) {
            mismatches.push(`${file} ${flags.join(' ')}: fdtoverlay says ${ref.stderr.trim()}, we say ${ours.error.code}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThanOrEqual(20);
    });
  }

  it('stacks every ordered pair of overlays exactly like fdtoverlay with two overlay arguments', () => {
    const base = referenceBlob('overlay_base.dts', dtcTests)!;
    const overlays = overlayFiles.map((f) => [f, referenceBlob(f, dtcTests)] as const).filter((x): x is readonly [string, Uint8Array] => !!x[1]);
    const mismatches: string[] = [];
    let pairs = 0;
    for (const [nameA, a] of overlays) {
      for (const [nameB, b] of overlays) {
        const ref = referenceApply(base, [a, b]);
        const ours = ourApply(base, [a, b]);
        pairs++;
        const same = ref.blob && ours.blob ? Buffer.compare(Buffer.from(ref.blob), Buffer.from(ours.blob)) === 0 : !!ref.blob === !!ours.blob;
        if (!same) mismatches.push(`${nameA} + ${nameB}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(pairs).toBeGreaterThanOrEqual(100);
  });

  it('applying to an fdtoverlay output again matches fdtoverlay (stale slack bytes carried over)', () => {
    const base = referenceBlob('overlay_base.dts', dtcTests)!;
    const first = referenceBlob('overlay_overlay.dts', dtcTests)!;
    const second = referenceBlob('overlay_overlay_local_merge.dts', dtcTests)!;
    const merged = referenceApply(base, [first]).blob!;
    const ref = referenceApply(merged, [second]);
    const ours = ourApply(merged, [second]);
    expect(ref.blob).toBeDefined();
    expect(Buffer.from(ours.blob!).equals(Buffer.from(ref.blob!))).toBe(true);
  });

  it('leaves its inputs untouched', () => {
    const base = readBlobForOverlay(referenceBlob('overlay_base.dts', dtcTests)!);
    const overlay = readBlobForOverlay(referenceBlob('overlay_overlay.dts', dtcTests)!);
    const before = JSON.stringify([base.root.children.map((c) => c.name), overlay.root.children.map((c) => c.name)]);
    applyOverlays(base, [{ tree: overlay, name: 'ov' }]);
    expect(JSON.stringify([base.root.children.map((c) => c.name), overlay.root.children.map((c) => c.name)])).toBe(before);
  });
});

describe.runIf(hasShared)('errors that name things (from blobs)', () => {
  const work = tempDir('overlay-errors-');
  fs.writeFileSync(path.join(work, 'base.dts'), '/dts-v1/;\n/ { soc { apps_smmu: iommu@15000000 { #iommu-cells = <2>; }; remoteproc_adsp: remoteproc@30000000 { }; }; };\n');
  fs.writeFileSync(path.join(work, 'typo.dtso'), '/dts-v1/;\n/plugin/;\n&remoteproc_adsp { iommus = <&apps_smmuu 0x3000 0x0>; };\n');

  it('a missing label: the label, the property, the fragment, suggestions, and fdtoverlay\'s code', () => {
    const base = referenceBlob('base.dts', work)!;
    const overlay = referenceBlob('typo.dtso', work)!;
    expect(referenceApply(base, [overlay]).stderr).toContain('FDT_ERR_NOTFOUND');
    const { error } = ourApply(base, [overlay]);
    expect(error).toBeInstanceOf(OverlayError);
    expect(error!.code).toBe('FDT_ERR_NOTFOUND');
    expect(error!.message).toContain("label 'apps_smmuu'");
    expect(error!.message).toContain('/fragment@0/__overlay__:iommus');
    expect(error!.message).toContain('fragment@0');
    expect(error!.message).toContain("did you mean 'apps_smmu'?");
  });

  it('a base compiled without -@ is named as such', () => {
    const base = referenceBlob('base.dts', work, [])!;
    const overlay = referenceBlob('typo.dtso', work)!;
    expect(referenceApply(base, [overlay]).stderr).toContain('FDT_ERR_BADOFFSET');
    const { error } = ourApply(base, [overlay]);
    expect(error!.code).toBe('FDT_ERR_BADOFFSET');
    expect(error!.message).toContain('base was compiled without -@ (symbols)');
  });
});

describe.runIf(hasShared)('the three Lemans compositions of the kernel Makefile', () => {
  const overlaySource = hasShared ? kernelCpp('arch/arm64/boot/dts/qcom/lemans-el2.dtso') : undefined;
  if (hasShared && overlaySource === undefined) explainSkip('Lemans compositions', 'GNU cpp is not installed');
  const compositions = [
    ['lemans-evk-el2', 'lemans-evk'],
    ['qcs9100-ride-el2', 'qcs9100-ride'],
    ['qcs9100-ride-r3-el2', 'qcs9100-ride-r3'],
  ];
  for (const [composite, board] of compositions) {
    it.runIf(overlaySource !== undefined)(`${composite} = ${board}.dtb + lemans-el2.dtbo: same bytes as fdtoverlay`, () => {
      const work = tempDir('lemans-');
      fs.writeFileSync(path.join(work, 'board.dts'), kernelCpp(`arch/arm64/boot/dts/qcom/${board}.dts`)!);
      fs.writeFileSync(path.join(work, 'el2.dtso'), overlaySource!);
      const base = referenceBlob('board.dts', work, ['-@', '-b', '0'])!;
      const overlay = referenceBlob('el2.dtso', work, ['-@', '-b', '0'])!;
      const ref = referenceApply(base, [overlay]);
      const ours = ourApply(base, [overlay]);
      expect(ref.blob).toBeDefined();
      expect(Buffer.from(ours.blob!).equals(Buffer.from(ref.blob!))).toBe(true);
      fs.rmSync(work, { recursive: true, force: true });
    });
  }
  it('corpus is present', () => expect(fs.existsSync(corpusLinux)).toBe(true));
});

describe('an overlay node with a phandle landing on a base node with one (in-repo, no ../shared)', () => {
  // fixtures/overlay/phandle-kept.dtso on phandle-kept-base.dts: libfdt's overlay_prevent_phandle_overwrite.
  const fixtures = path.join(repoRoot, 'fixtures/overlay');
  const base = referenceBlob('phandle-kept-base.dts', fixtures, ['-q', '-@'])!;
  const overlay = referenceBlob('phandle-kept.dtso', fixtures, ['-q', '-@'])!;
  const cell = (node: Node | undefined, name: string) => Buffer.from(node!.getProperty(name)!.value.bytes).readUInt32BE(0);

  it('gives the bytes of fdtoverlay', () => {
    const ref = referenceApply(base, [overlay]);
    const ours = ourApply(base, [overlay]);
    expect(ours.error).toBeUndefined();
    expect(Buffer.from(ours.blob!).toString('hex')).toBe(Buffer.from(ref.blob!).toString('hex'));
  });

  it('keeps the base phandles and points the overlay\'s local references at them', () => {
    const root = readDtb(ourApply(base, [overlay]).blob!).root;
    const clock = root.getChild('clock-controller');
    const power = root.getChild('bus')!.getChild('power-controller');
    const fresh = root.getChild('fresh-node');
    const consumer = root.getChild('consumer');
    const user = root.getChild('user');
    // the base numbered power-controller 1 and clock-controller 2; the overlay numbered its own 1, 2, 3
    expect([cell(power, 'phandle'), cell(clock, 'phandle')]).toEqual([1, 2]);
    expect([cell(consumer, 'power-domains'), cell(consumer, 'clocks')]).toEqual([1, 2]);
    expect([cell(user, 'power-domains'), cell(user, 'clocks')]).toEqual([1, 2]);
    // a new node's phandle moves past the base's largest (2) by it: 3 + 2
    expect([cell(fresh, 'phandle'), cell(user, 'other')]).toEqual([5, 5]);
  });
});

describe('broken __fixups__ / __symbols__ in an overlay blob (found by test/fuzz)', () => {
  it('the error names the node it is in, so it has a location', async () => {
    const { compile, defaultCompileOptions } = await import('../../src/compile/index.js');
    const { readDtb } = await import('../../src/dtb/read.js');
    const opts = { ...defaultCompileOptions(), outputFormat: 'dtb' as const, symbols: true, quiet: 3 };
    const base = await compile({ file: 'base.dts', text: '/dts-v1/; / { l: n { }; };' }, opts);
    const overlay = readDtb((await compile({ file: 'o.dts', text: '/dts-v1/; /plugin/; &l { p = <&l>; };' }, opts)).output!);
    const fixups = overlay.root.children.find((c) => c.name === '__fixups__')!;
    fixups.properties[0]!.value.bytes = new Uint8Array(Buffer.from('/fragment@0:targ\0', 'latin1'));
    let error: unknown;
    try {
      applyOverlays(readDtb(base.output!), [{ tree: overlay, name: 'o.dtbo' }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OverlayError);
    expect((error as OverlayError).diagnostic).toMatchObject({ path: '/__fixups__', property: 'l' });
  });
});
