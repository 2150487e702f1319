/** Overlay errors (src/overlay/errors.ts): libfdt's code with a message, and "did you mean" by edit distance. */
import { describe, expect, it } from 'vitest';
import { OverlayError, suggestSimilar } from '../../src/overlay/errors.js';

describe('suggestSimilar', () => {
  it('keeps names within max(2, length/3) edits, nearest first, ties in name order', () => {
    // kitten: 6 letters, so 2 edits at most; sitting is the textbook 3
    expect(suggestSimilar('kitten', ['sitting', 'sittin', 'kitten', 'mitten', 'bitten'])).toEqual(['kitten', 'bitten', 'mitten']);
    expect(suggestSimilar('kitten', ['sitting', 'sittin', 'sitten'])).toEqual(['sitten', 'sittin']);
    // 12 letters: 4 edits at most (one edit at each end, two in the middle)
    expect(suggestSimilar('apps_smmu_cb', ['xpps_sxxx_cy', 'xpps_smxx_cy', 'apps_smmu_c', 'pcie0_smmu'])).toEqual(['apps_smmu_c', 'xpps_smxx_cy']);
    // 2 letters: still 2 edits
    expect(suggestSimilar('ab', ['xy', 'xyz', 'b', ''])).toEqual(['b', '', 'xy']);
  });

  it('counts insertions, deletions and substitutions one each', () => {
    // each candidate is exactly 2 edits from "remoteproc" (10 letters: limit 3) and 4 is too many
    const two = ['remoteprocxx', 'remotepr', 'xremoteprox'];
    expect(suggestSimilar('remoteproc', [...two, 'rxmxtxpxoc'])).toEqual([...two].sort());
    expect(suggestSimilar('remoteproc', ['rxmotepxoc', 'remotexroc'])).toEqual(['remotexroc', 'rxmotepxoc']);
    expect(suggestSimilar('remoteproc', ['rxmxtepxoc'])).toEqual(['rxmxtepxoc']);
    expect(suggestSimilar('remoteproc', ['rxmxtxpxoc'])).toEqual([]);
  });

  it('a name inside the other, either way, is kept whatever the distance', () => {
    expect(suggestSimilar('smmu', ['apps_smmu_context_bank', 'gpu'])).toEqual(['apps_smmu_context_bank']);
    expect(suggestSimilar('apps_smmu_context_bank', ['smmu', 'gpu'])).toEqual(['smmu']);
  });

  it('three at most', () => {
    expect(suggestSimilar('clk', ['clk0', 'clk1', 'clk2', 'clk3'])).toEqual(['clk0', 'clk1', 'clk2']);
  });
});

describe('OverlayError', () => {
  it("says which overlay failed, why, the hint and libfdt's code, at the node and property", () => {
    const e = new OverlayError('FDT_ERR_NOTFOUND', 'el2.dtbo', "label 'x' is not defined", { path: '/fragment@0', property: 'target', hint: "did you mean 'y'?" });
    expect(e.code).toBe('FDT_ERR_NOTFOUND');
    expect(e.overlay).toBe('el2.dtbo');
    expect(e.diagnostic).toEqual({
      rule: 'overlay/apply',
      severity: 'error',
      message: "failed to apply 'el2.dtbo': label 'x' is not defined; did you mean 'y'? [FDT_ERR_NOTFOUND]",
      path: '/fragment@0',
      property: 'target',
    });
    expect(new OverlayError('FDT_ERR_BADOVERLAY', 'o', 'broken').diagnostic).toEqual({ rule: 'overlay/apply', severity: 'error', message: "failed to apply 'o': broken [FDT_ERR_BADOVERLAY]" });
  });
});
