import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRuleDocs, rulesDir } from '../../scripts/gen-rule-docs.js';
import { checkTable } from '../../src/dtc-checks/index.js';

describe('docs/rules', () => {
  const pages = renderRuleDocs();

  it('has one page per check plus the index, up to date (run npx tsx scripts/gen-rule-docs.ts)', () => {
    expect(pages.size).toBe(checkTable.length + 1);
    const stale = [...pages].filter(([file, text]) => {
      const p = path.join(rulesDir, file);
      return !fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== text;
    });
    expect(stale.map(([file]) => file)).toEqual([]);
  });

  it('shows a real finding for every check that can report', () => {
    const without = checkTable
      .filter((d) => !d.meta.silent)
      .filter((d) => pages.get(`${d.meta.name}.md`)!.includes('No fixture triggers this check'))
      .map((d) => d.meta.name);
    expect(without).toEqual([]);
  });
});
