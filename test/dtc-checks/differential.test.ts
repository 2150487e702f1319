/**
 * Our checks against the reference dtc 1.7.2 (WebAssembly) on the same source: the check lines of
 * stderr (findings with their positions, "also defined at", the verdict) must be identical.
 * Inputs: our fixtures (one per check family, flags in a `// dtc-flags:` first line) and every
 * source of dtc's own test suite, with dtc's defaults and with every off-by-default check on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';
import { findingKeys, ourCheckLines, referenceCheckLines } from './dtc-run.js';

const fixturesDir = path.join(repoRoot, 'fixtures/checks');
const dtcTestsDir = path.join(sharedDir, 'dtc-tests');

function flagsOf(text: string): string[] {
  const first = text.split('\n', 1)[0]!;
  return first.startsWith('// dtc-flags:') ? first.slice('// dtc-flags:'.length).trim().split(/\s+/) : [];
}

describe('check fixtures vs reference dtc', () => {
  const fixtures = fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.dts')).sort();
  it.each(fixtures)('%s', (file) => {
    const text = fs.readFileSync(path.join(fixturesDir, file), 'latin1');
    const flags = flagsOf(text);
    const reference = referenceCheckLines(file, { flags, files: { [file]: text } });
    const ours = ourCheckLines(text, file, { flags, cwd: fixturesDir });
    expect(reference.parsed).toBe(true);
    expect(ours).toBeDefined();
    expect(findingKeys(ours!)).toEqual(findingKeys(reference.lines));
    expect(ours).toEqual(reference.lines);
  });
  // -q: warnings are not printed, so checks that could only warn are skipped (runner.ts); the
  // errors, the verdict and dtc's aborts must stay exactly the same
  it.each(fixtures)('%s with -q', (file) => {
    const text = fs.readFileSync(path.join(fixturesDir, file), 'latin1');
    const flags = [...flagsOf(text), '-q'];
    const reference = referenceCheckLines(file, { flags, files: { [file]: text } });
    expect(ourCheckLines(text, file, { flags, cwd: fixturesDir })).toEqual(reference.lines);
  });
});

const OFF_BY_DEFAULT = [
  '-Wproperty_name_chars_strict',
  '-Wnode_name_chars_strict',
  '-Wunique_unit_address_if_enabled',
  '-Wdeprecated_gpio_property',
];

describe.runIf(sharedOrExplain('dtc-tests check differential'))('dtc-tests sources vs reference dtc', () => {
  const sources = fs.existsSync(dtcTestsDir)
    ? fs.readdirSync(dtcTestsDir).filter((f) => f.endsWith('.dts')).sort()
    : [];
  const includeArgs = (file: string): string[] =>
    file.startsWith('search_paths_b')
      ? ['-i', 'search_dir_b', '-i', 'search_dir']
      : file.startsWith('search_paths')
        ? ['-i', 'search_dir']
        : [];

  for (const [variant, flags] of [
    ['defaults', [] as string[]],
    ['all checks on', OFF_BY_DEFAULT],
    ['-q', ['-q']],
    ['all checks on, -q', [...OFF_BY_DEFAULT, '-q']],
  ] as const) {
    it(`same check findings on every source dtc parses (${variant})`, () => {
      const mismatches: string[] = [];
      let compared = 0;
      let exact = 0;
      for (const file of sources) {
        if (includeArgs(file).length) continue; // our direct parse here has no -i folders
        const reference = referenceCheckLines(file, { flags: [...flags], cwd: dtcTestsDir });
        if (!reference.parsed) continue;
        const text = fs.readFileSync(path.join(dtcTestsDir, file), 'latin1');
        const ours = ourCheckLines(text, file, { flags: [...flags], cwd: dtcTestsDir });
        if (!ours) {
          mismatches.push(`${file}: we rejected a source dtc checks`);
          continue;
        }
        compared++;
        if (ours.join('\n') === reference.lines.join('\n')) exact++;
        // file names in positions are the parser's business; compare check, path, property first
        if (findingKeys(ours).join('\n') !== findingKeys(reference.lines).join('\n')) {
          mismatches.push(`${file}:\n  dtc:  ${reference.lines.join('\n        ')}\n  ours: ${ours.join('\n        ')}`);
        }
      }
      console.log(
        `dtc-tests checks (${variant}): ${compared - mismatches.length}/${compared} same findings, ` +
          `${exact}/${compared} identical text`,
      );
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(60);
    }, 120_000);
  }
});

describe.runIf(sharedOrExplain('blob-input check differential'))('checks on blobs (-I dtb) vs reference dtc', () => {
  it('reports the same findings on blobs of every fixture and dtc-tests source', async () => {
    const { readDtb } = await import('../../src/dtb/read.js');
    const { formatDtcDiagnostic, runChecks } = await import('../../src/dtc-checks/index.js');
    const { referenceDtc } = await import('../support/reference.js');
    const { checkLines } = await import('./dtc-run.js');
    const inputs = [
      ...fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.dts')).map((f) => [fixturesDir, f] as const),
      ...(fs.existsSync(dtcTestsDir) ? fs.readdirSync(dtcTestsDir).filter((f) => f.endsWith('.dts')).map((f) => [dtcTestsDir, f] as const) : []),
    ];
    const mismatches: string[] = [];
    let compared = 0;
    for (const [dir, file] of inputs) {
      // -f: keep the blob even when the source has errors; it is still a valid input tree
      const blob = referenceDtc(['-q', '-q', '-q', '-f', '-I', 'dts', '-O', 'dtb', '-o', '-', file], { cwd: dir });
      if (blob.status !== 0 || blob.stdout.length === 0) continue;
      const bytes = new Uint8Array(Buffer.from(blob.stdout, 'latin1'));
      const reference = referenceDtc(['-I', 'dtb', '-O', 'dtb', '-o', '-', 'in.dtb'], { files: { 'in.dtb': bytes } });
      const result = runChecks(readDtb(bytes));
      const ours = checkLines(
        result.diagnostics.map((d) => formatDtcDiagnostic(d)).join('') + (result.summary ? `${result.summary}\n` : ''),
      );
      compared++;
      if (ours.join('\n') !== checkLines(reference.stderr).join('\n')) mismatches.push(file);
    }
    console.log(`blob inputs: ${compared - mismatches.length}/${compared} identical`);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  }, 120_000);
});
