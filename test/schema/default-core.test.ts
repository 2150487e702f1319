/**
 * `check` on a Linux-layout tree with only the kernel's bindings, an empty cache and no dt-schema
 * installed gives dt-validate's schema findings (../shared/reference/dtschema/qcom/<dtb>.txt: none
 * for lemans-evk and lemans-evk-el2). The core is the default one: dt-schema's, vendored in
 * vendor/dtschema/ (DTOVERLAY_CHECK_CORE_SCHEMAS emptied, so a developer's own setting does not
 * stand in for it).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkedKernelTree } from '../kernel/tree.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

const reference = path.join(sharedDir, 'reference/dtschema/qcom');

/** dt-validate's schema errors for a DTB, as "node: message" lines (its reference output). */
function referenceErrors(dtb: string): string[] {
  return fs.readFileSync(path.join(reference, `${dtb.replace(/\.dtb$/, '')}.txt`), 'utf8').split('\n').filter((l) => l.startsWith(`${dtb}: `) && !l.includes('failed to match any schema'));
}

describe.runIf(sharedOrExplain('default core on lemans-evk'))('the default core schemas on a Linux tree', () => {
  const tree = linkedKernelTree();
  const qcom = path.join(tree, 'arch/arm64/boot/dts/qcom');
  const bindings = path.join(tree, 'Documentation/devicetree/bindings');
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'default-core-cache-'));
  afterAll(() => {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  });

  /** Schema findings of `check` with no --core-schemas and no DTOVERLAY_CHECK_CORE_SCHEMAS. */
  const schemaFindings = (inputs: string[]): { findings: string[]; note: string } => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, DTOVERLAY_CHECK_CORE_SCHEMAS: '', HOME: cache, VIRTUAL_ENV: '' };
    delete env.DTOVERLAY_CHECK_CACHE;
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), 'check', ...inputs.map((i) => path.join(qcom, i)), '--bindings', bindings, '--format', 'json'], { env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as { diagnostics: { rule: string; severity: string; path?: string; message: string }[]; stages: { name: string; status: string; note?: string }[] };
    const stage = report.stages.find((s) => s.name === 'schema');
    expect(stage?.status).toBe('ran');
    return { findings: report.diagnostics.filter((d) => d.rule.startsWith('schema/') && d.severity === 'error').map((d) => `${d.path} ${d.message}`), note: stage?.note ?? '' };
  };

  it.each([
    [['lemans-evk.dts'], 'lemans-evk.dtb'],
    [['lemans-evk.dts', 'lemans-el2.dtso'], 'lemans-evk-el2.dtb'],
  ])('%j gives dt-validate findings (%s)', (inputs, dtb) => {
    const { findings, note } = schemaFindings(inputs);
    expect(note).toBe('dt-schema 2025.08 core schemas (vendored)');
    expect(findings.length).toBe(referenceErrors(dtb).length);
    expect(findings).toEqual([]);
  }, 300_000);
});
