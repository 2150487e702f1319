/** Every PAS rule has its page in docs/rules/pas/, in step with the rule table (id, check, severity). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAS_RULES } from '../../src/pas/rules.js';
import { repoRoot } from '../support/shared.js';

const docs = path.join(repoRoot, 'docs/rules/pas');

describe('PAS rule docs', () => {
  it('has the 38 checks of PAS.md §12, cross-smmu-duplicate (documented, never reported) and the five PCIe map checks PCI-01..05, with unique ids', () => {
    expect(PAS_RULES).toHaveLength(44);
    expect(new Set(PAS_RULES.map((r) => r.id)).size).toBe(44);
    expect(new Set(PAS_RULES.map((r) => r.check)).size).toBe(44);
  });

  for (const rule of PAS_RULES) {
    it(`${rule.id} has a page that states its check and severity`, () => {
      const page = fs.readFileSync(path.join(docs, `${rule.id.slice(4)}.md`), 'utf8');
      expect(page.split('\n')[0]).toBe(`# ${rule.id}`);
      expect(page).toContain(`**${rule.check}**`);
      expect(page).toContain(`default severity **${rule.severity}**`);
      expect(page).toContain(rule.source);
      expect(page).toMatch(/## How to fix\n\n\S/);
    });
  }

  it('the index lists every rule', () => {
    const index = fs.readFileSync(path.join(docs, 'README.md'), 'utf8');
    for (const rule of PAS_RULES) expect(index).toContain(`[${rule.id}](${rule.id.slice(4)}.md)`);
  });
});
