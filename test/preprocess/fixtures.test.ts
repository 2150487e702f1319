import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { preprocess, PreprocessCache } from '../../src/preprocess/index.js';
import { fixtureIncludeDirs, fixtures, hasCpp, repoRoot, runCpp } from './helpers.js';

// Each fixtures/preprocess/NAME.dts has NAME.expected: GNU cpp's `-P` output for it. We must
// produce exactly that text; when GNU cpp is installed the expectation itself is re-checked.
const cases = readdirSync(fixtures).filter((f) => f.endsWith('.dts')).sort();

describe('preprocess fixtures (expected output is GNU cpp -P output)', () => {
  const cache = new PreprocessCache();
  let cwd: string;
  beforeAll(() => {
    cwd = process.cwd();
    process.chdir(repoRoot);
    return () => process.chdir(cwd);
  });

  for (const name of cases) {
    const rel = `fixtures/preprocess/${name}`;
    const expected = readFileSync(path.join(fixtures, name.replace(/\.dts$/, '.expected')), 'utf8');

    it(`${name}: output matches`, () => {
      const result = preprocess(rel, { includeDirs: fixtureIncludeDirs, cache });
      expect(result.text).toBe(expected);
    });

    it.skipIf(!hasCpp)(`${name}: expectation still equals /usr/bin/cpp output`, async () => {
      expect(await runCpp(rel, fixtureIncludeDirs, repoRoot)).toBe(expected);
    });
  }
  if (!hasCpp) console.log('preprocess fixtures: /usr/bin/cpp not found, expectations not re-checked against GNU cpp');
});
