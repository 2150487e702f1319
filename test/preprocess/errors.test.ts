import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics.js';
import { preprocess } from '../../src/preprocess/index.js';
import { fixtureIncludeDirs, fixtures, repoRoot } from './helpers.js';

// Each fixtures/preprocess/errors/*.dts starts with `/* expect: RULE [LINE:COL] [MESSAGE] */`.
const dir = path.join(fixtures, 'errors');
const cases = readdirSync(dir).filter((f) => f.endsWith('.dts')).sort();

describe('preprocess errors are DiagnosticErrors with a rule and a position', () => {
  for (const name of cases) {
    const file = path.join(dir, name);
    const header = /\/\* expect: (\S+) (\d+):(\d+) (.*?) \*\//.exec(readFileSync(file, 'utf8'));
    it(name, () => {
      expect(header, 'fixture needs an expect: RULE LINE:COLUMN MESSAGE header').not.toBeNull();
      const [, rule, line, column, message] = header!;
      const started = performance.now();
      let caught: unknown;
      try {
        preprocess(file, { includeDirs: fixtureIncludeDirs.map((d) => path.join(repoRoot, d)) });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(DiagnosticError);
      const d = (caught as DiagnosticError).diagnostic;
      expect(d.rule).toBe(rule);
      expect(d.severity).toBe('error');
      expect(d.span?.file).toBe(file);
      expect([d.span?.line, d.span?.column]).toEqual([Number(line), Number(column)]);
      expect(d.message).toBe(message);
      expect(performance.now() - started).toBeLessThan(10_000);
    });
  }
});
