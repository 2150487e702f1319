import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatJson } from '../../src/report/json.js';
import { runCheck } from '../../src/pipeline/run.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import { sampleReport } from './sample.js';
import { repoRoot } from '../support/shared.js';
import { validateOutput } from './output-schema.js';

const validate = validateOutput;

describe('JSON report', () => {
  it('validates against docs/output.schema.json', () => {
    const out = JSON.parse(formatJson(sampleReport()));
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    expect(out.diagnostics[0].span).toEqual({ file: 'fixtures/check/bad-iommus-arity.dtso', line: 6, column: 2, endLine: 6, endColumn: 30 });
  });

  it('a real check run validates too (bundled example and a failing overlay)', async () => {
    for (const overlay of ['overlays/lemans-mini-el2.dtso', 'fixtures/check/missing-label.dtso']) {
      const { report } = await runCheck(defaultCheckOptions(path.join(repoRoot, 'fixtures/example/lemans-mini.dts'), [path.join(repoRoot, overlay)]));
      const out = JSON.parse(formatJson(report));
      expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('the schema rejects a diagnostic without a rule', () => {
    const out = JSON.parse(formatJson(sampleReport()));
    delete out.diagnostics[0].rule;
    expect(validate(out)).toBe(false);
  });
});
