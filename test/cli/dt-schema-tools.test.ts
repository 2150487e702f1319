/**
 * `dt-mk-schema` and `dt-validate` with dt-schema's command lines, as kbuild runs them:
 * `dt-mk-schema -j @list > processed-schema.json`, then
 * `dt-validate -m -u <bindings> -p processed-schema.json X.dtb` (exit 0 whatever it finds).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { expandArgFiles } from '../../src/cli/dt-schema-tools.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';

const fixtures = path.join(repoRoot, 'fixtures/schema');
const bindings = path.join(fixtures, 'bindings');

let work: string;
let out: string;
let err: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dt-schema-tools-'));
  vi.stubEnv('DTOVERLAY_CHECK_CACHE', path.join(work, 'cache'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  fs.rmSync(work, { recursive: true, force: true });
});

function badValuesDtb(): string {
  const result = referenceDtc(['-O', 'dtb', '-o', 'bad.dtb', 'bad.dts'], { files: { 'bad.dts': fs.readFileSync(path.join(fixtures, 'bad-values.dts'), 'utf8') } });
  expect(result.status).toBe(0);
  const file = path.join(work, 'bad.dtb');
  fs.writeFileSync(file, result.outputs['bad.dtb']!);
  return file;
}

describe('dt-mk-schema and dt-validate', () => {
  it('make the processed schema from an @list and validate a DTB with it, printing what dt-validate prints', async () => {
    fs.writeFileSync(path.join(work, 'list'), `${path.join(bindings, 'acme,board.yaml')}\n${path.join(bindings, 'acme,smmu.yaml')}\n${path.join(bindings, 'remoteproc')}\n`);
    const processed = path.join(work, 'processed-schema.json');
    expect(await main(['dt-mk-schema', '-j', '-o', processed, `@${path.join(work, 'list')}`])).toBe(0);
    const json = JSON.parse(fs.readFileSync(processed, 'utf8')) as Record<string, { $filename?: string; type?: string }>;
    expect(json.version).toBe('2025.6.1');
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
    expect(json['generated-types']).toBeDefined();
    expect(json['http://devicetree.org/schemas/remoteproc/acme,pas.yaml#']?.type).toBe('object');

    const dtb = badValuesDtb();
    expect(await main(['dt-validate', '-m', '-u', bindings, '-p', processed, dtb])).toBe(0);
    const id = '\tfrom schema $id: http://devicetree.org/schemas/remoteproc/acme,pas.yaml#';
    expect(err.split('\n').filter((l) => l).sort()).toEqual(
      [
        `${dtb}: remoteproc@30000000 (acme,soc-adsp-pas): 'acme,unknown-prop' does not match any of the regexes: '^pinctrl-[0-9]+$'`,
        `${dtb}: remoteproc@30000000 (acme,soc-adsp-pas): firmware-name: ['a.mbn', 'b.mbn', 'c.mbn'] is too long`,
        `${dtb}: remoteproc@30000000 (acme,soc-adsp-pas): reg: [[805306368, 256], [822083584, 256]] is too long`,
        id,
        id,
        id,
      ].sort(),
    );
    expect(out).toBe('');
  });

  it('-l limits the schemas, -V prints the version, folders are searched for DTBs', async () => {
    const processed = path.join(work, 'p.json');
    expect(await main(['dt-mk-schema', '-j', '-o', processed, bindings])).toBe(0);
    badValuesDtb();
    expect(await main(['dt-validate', '-l', 'no-such-binding', '-p', processed, work])).toBe(0);
    expect(err).toBe('');
    expect(await main(['dt-validate', '-s', processed, work])).toBe(0);
    expect(err).toContain('is too long');
    out = '';
    expect(await main(['dt-validate', '-V'])).toBe(0);
    expect(out).toBe('2025.6.1\n');
  });

  it('bad input: a clear message and exit 2', async () => {
    expect(await main(['dt-validate', '-p', path.join(work, 'missing.json'), 'x.dtb'])).toBe(2);
    expect(err).toContain('no such schema file or folder');
    fs.writeFileSync(path.join(work, 'one.json'), JSON.stringify({ $id: 'http://x/y.yaml#' }));
    err = '';
    expect(await main(['dt-validate', '-p', path.join(work, 'one.json'), 'x.dtb'])).toBe(2);
    expect(err).toContain('a single schema, not a processed schema');
    err = '';
    expect(await main(['dt-mk-schema', '--bogus'])).toBe(2);
    expect(err).toContain('unrecognized arguments: --bogus');
  });

  it('@file arguments: one argument a line, nested', () => {
    fs.writeFileSync(path.join(work, 'inner'), '-m\n');
    fs.writeFileSync(path.join(work, 'outer'), `-p\nx y.json\n@${path.join(work, 'inner')}\n`);
    expect(expandArgFiles(['-u', 'b', `@${path.join(work, 'outer')}`, 'a.dtb'])).toEqual(['-u', 'b', '-p', 'x y.json', '-m', 'a.dtb']);
  });
});
