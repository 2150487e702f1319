/**
 * readDtb + printDts against `dtc -I dtb -O dts` of the reference (WebAssembly) dtc 1.7.2, on every
 * source of dtc's own test suite that dtc compiles, at every blob version dtc writes and with
 * padding, reserve slots, alignment and boot cpu options; and on blobs made by fdtoverlay.
 */
import { describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { printDts } from '../../src/output/dts.js';
import type { Node, Tree } from '../../src/tree/model.js';
import { sharedOrExplain } from '../support/shared.js';
import { referenceFdtoverlay } from '../support/reference.js';
import { compileDtcTest, dtcTestSources, referenceDecompile } from '../output/reference-blobs.js';

/**
 * Before version 16 blobs carry a `name` property in every node; dtc's name_properties check
 * (part of the checks stage, which dtc runs before printing) deletes the ones that match the node
 * name. This stands in for that check here, so that the reader alone is compared.
 */
function dropRedundantNameProperties(tree: Tree): Tree {
  const visit = (node: Node) => {
    const name = node.getProperty('name');
    if (name) {
      const expected = Buffer.from(`${node.baseName}\0`, 'latin1');
      if (Buffer.compare(Buffer.from(name.value.bytes), expected) === 0) name.deleted = true;
    }
    node.children.forEach(visit);
  };
  visit(tree.root);
  return tree;
}

describe.runIf(sharedOrExplain('dtc-tests -I dtb -O dts differential'))('readDtb + printDts vs dtc -I dtb -O dts on dtc-tests', () => {
  const sources = dtcTestSources();

  it('has the whole suite', () => {
    expect(sources.length).toBeGreaterThan(90);
  });

  const layouts = [['-V', '17'], ['-V', '16'], ['-V', '3'], ['-V', '2'], ['-p', '100'], ['-S', '8192'], ['-R', '3'], ['-a', '64'], ['-b', '7']];
  for (const layout of layouts) {
    it(`prints every compiled test source like dtc (blobs written with ${layout.join(' ')})`, () => {
      let compared = 0;
      let rejectedBySource = 0;
      let rejectedByDtcChecks = 0;
      let rejectedByBoth = 0;
      const mismatches: string[] = [];
      for (const file of sources) {
        const blob = compileDtcTest(file, layout);
        if (!blob) {
          rejectedBySource++;
          continue;
        }
        const reference = referenceDecompile(blob);
        let tree: Tree;
        try {
          tree = dropRedundantNameProperties(readDtb(blob, { file }));
        } catch (err) {
          // Only blobs dtc cannot read back either (pre-v16 overlays: dtc writes an empty path
          // for nodes it adds after computing full paths).
          if (reference.status === 0) mismatches.push(`${file}: ${(err as Error).message}`);
          else rejectedByBoth++;
          continue;
        }
        if (reference.status !== 0) {
          rejectedByDtcChecks++;
          continue;
        }
        compared++;
        if (printDts(tree) !== reference.stdout) mismatches.push(file);
      }
      console.log(
        `dtc-tests ${layout.join(' ')}: ${compared} identical of ${compared}, ${mismatches.length} mismatches, ` +
          `${rejectedBySource} sources dtc rejects, ${rejectedByBoth} blobs both readers reject, ` +
          `${rejectedByDtcChecks} blobs dtc's checks reject`,
      );
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(60);
    });
  }

  it('prints blobs made by the reference fdtoverlay like dtc (base + each dtc-tests overlay)', () => {
    const base = compileDtcTest('overlay_base.dts', ['-@'])!;
    const overlays = sources.filter((f) => /^overlay_overlay.*\.dts$/.test(f));
    let compared = 0;
    for (const overlay of overlays) {
      const blob = compileDtcTest(overlay, ['-@']);
      if (!blob) continue;
      const applied = referenceFdtoverlay(['-i', 'base.dtb', '-o', 'out.dtb', 'overlay.dtbo'], {
        files: { 'base.dtb': base, 'overlay.dtbo': blob },
      }).outputs['out.dtb'];
      if (!applied) continue; // fdtoverlay refuses it (e.g. an overlay without fixups)
      const reference = referenceDecompile(applied);
      expect(reference.status).toBe(0);
      expect(printDts(readDtb(applied, { file: overlay })), overlay).toBe(reference.stdout);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  });
});
