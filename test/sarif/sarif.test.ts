import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { formatSarif } from '../../src/report/sarif.js';
import { sampleReport } from '../report/sample.js';
import { repoRoot } from '../support/shared.js';

/**
 * sarif-2.1.0-rtm.5.json is the OASIS SARIF 2.1.0 schema as shipped in the npm package
 * @microsoft/jest-sarif 1.0.0-beta.0 (lib/schemas/, MIT). It is draft-04: ajv 8 reads it once
 * `id` is renamed `$id` (no draft-04-only keywords are used); one of its patterns is not valid
 * with the `u` flag, hence unicodeRegExp: false.
 */
function sarifValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/sarif/sarif-2.1.0-rtm.5.json'), 'utf8'));
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  return ajv.compile(schema);
}

describe('SARIF report', () => {
  const validate = sarifValidator();

  it('validates against the SARIF 2.1.0 schema', () => {
    const sarif = JSON.parse(formatSarif(sampleReport(), repoRoot));
    expect(validate(sarif), JSON.stringify(validate.errors, null, 1)).toBe(true);
  });

  it('has rules with help text and results with physical locations relative to the source root', () => {
    const sarif = JSON.parse(formatSarif(sampleReport(), repoRoot));
    const run = sarif.runs[0];
    expect(sarif.version).toBe('2.1.0');
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toEqual(['dtc/unit_address_vs_reg', 'overlay/phandle-args', 'pas/context-bank-budget']);
    for (const rule of run.tool.driver.rules) {
      expect(rule.help.text.length).toBeGreaterThan(10);
      expect(rule.shortDescription.text.length).toBeGreaterThan(5);
    }
    const first = run.results[0];
    expect(first.ruleId).toBe('overlay/phandle-args');
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe('overlay/phandle-args');
    expect(first.level).toBe('error');
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'fixtures/check/bad-iommus-arity.dtso', uriBaseId: '%SRCROOT%' },
      region: { startLine: 6, startColumn: 2, endLine: 6, endColumn: 31 },
    });
    expect(first.relatedLocations[0].message.text).toBe('provider defined here');
    expect(run.results[2].level).toBe('note');
    expect(run.results[2].locations).toBeUndefined();
  });

  it('an empty report is valid SARIF too', () => {
    const sarif = JSON.parse(formatSarif(sampleReport([]), repoRoot));
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results).toEqual([]);
  });
});
