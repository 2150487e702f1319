import { describe, expect, it } from 'vitest';
import { formatText, wantsColor } from '../../src/report/text.js';
import { SourceCache } from '../../src/report/excerpt.js';
import { sampleReport } from './sample.js';
import { repoRoot } from '../support/shared.js';

describe('text report', () => {
  const cwd = process.cwd();
  it('prints gcc-style lines with the rule, an excerpt and a caret', () => {
    process.chdir(repoRoot);
    try {
      const text = formatText(sampleReport(), { color: false });
      const lines = text.split('\n');
      expect(lines[0]).toBe('fixtures/check/bad-iommus-arity.dtso:6:2: error: /soc@0/remoteproc@30000000:iommus: iommus: 2 cells, but apps_smmu has #iommu-cells = <2> [overlay/phandle-args]');
      expect(lines[1]).toBe('    6 | \tiommus = <&apps_smmu 0x3000>;');
      // The caret keeps the tab, then underlines to the span's end column.
      expect(lines[2]).toMatch(/^ {6}\| \t\^~+$/);
      expect(lines[3]).toBe('fixtures/example/lemans-mini.dts:77:3: note: provider defined here');
      expect(text).toMatch(/info: a note, with "quotes"/);
      expect(lines.at(-2)).toMatch(/1 error, 1 warning, 1 note; pas not run \(engine not in this build\)$/);
      expect(text).not.toMatch(/\x1b\[/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('colours only when asked', () => {
    expect(formatText(sampleReport(), { color: true })).toMatch(/\x1b\[1;31merror:/);
  });

  it('wants colour on a TTY unless NO_COLOR, and with FORCE_COLOR', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('gives no excerpt for unreadable files or lines past the end', () => {
    const cache = new SourceCache();
    expect(cache.excerpt({ file: '/nonexistent/x.dts', line: 1, column: 1 })).toBeUndefined();
    expect(cache.excerpt({ file: `${repoRoot}/fixtures/example/lemans-mini.dts`, line: 100000, column: 1 })).toBeUndefined();
  });
});
