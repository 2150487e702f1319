import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/pipeline/run.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

const example = path.join(repoRoot, 'fixtures/example/lemans-mini.dts');
const fixture = (name: string) => path.join(repoRoot, 'fixtures/check', name);

describe('check pipeline', () => {
  it('runs every stage on the bundled example and says which engines were skipped and why', async () => {
    const { report, merged } = await runCheck(defaultCheckOptions(example, [path.join(repoRoot, 'overlays/lemans-mini-el2.dtso')]));
    expect(merged).toBeDefined();
    const byName = Object.fromEntries(report.stages.map((s) => [s.name, s]));
    for (const stage of ['compile', 'apply', 'dtc-checks', 'overlay-checks']) expect(byName[stage].status).toBe('ran');
    expect(byName.schema.status).toBe('skipped');
    expect(byName.schema.note).toMatch(/bindings/);
    expect(['ran', 'skipped']).toContain(byName.pas.status);
    expect(report.diagnostics.filter((d) => d.rule.startsWith('dtc/') || d.rule.startsWith('overlay/'))).toEqual([]);
  });

  it('an overlay that does not apply: one error at the overlay line, later stages skipped', async () => {
    const { report } = await runCheck(defaultCheckOptions(example, [fixture('missing-label.dtso')]));
    expect(report.diagnostics).toHaveLength(1);
    const [d] = report.diagnostics;
    expect(d.rule).toBe('overlay/apply');
    expect(d.message).toMatch(/remoteproc_nonexistent/);
    expect(d.span).toMatchObject({ file: fixture('missing-label.dtso'), line: 5 });
    expect(report.stages.filter((s) => s.status === 'skipped').map((s) => s.name)).toEqual(['dtc-checks', 'overlay-checks', 'schema', 'pas']);
  });

  it('the overlay arity check reports at the overlay line', async () => {
    const { report } = await runCheck(defaultCheckOptions(example, [fixture('bad-iommus-arity.dtso')]));
    const arity = report.diagnostics.filter((d) => d.rule === 'overlay/phandle-args');
    expect(arity).toHaveLength(1);
    expect(arity[0].span).toMatchObject({ file: fixture('bad-iommus-arity.dtso'), line: 6 });
  });

  it('a missing input is an input/read error, not a crash', async () => {
    const { report } = await runCheck(defaultCheckOptions(path.join(repoRoot, 'fixtures/check/nonexistent.dts')));
    expect(report.diagnostics.map((d) => d.rule)).toEqual(['input/read']);
    expect(report.stages.find((s) => s.name === 'apply')?.status).toBe('skipped');
  });

  it('findings from the base compile and the merged-tree checks are reported once', async () => {
    const { report } = await runCheck(defaultCheckOptions(path.join(repoRoot, 'fixtures/check/warns.dts'), [fixture('empty.dtso')]));
    const keys = report.diagnostics.map((d) => `${d.rule} ${d.path} ${d.span?.line}`);
    expect(keys).toEqual([...new Set(keys)]);
    expect(report.diagnostics.some((d) => d.rule === 'dtc/unit_address_vs_reg')).toBe(true);
  });

  it('the PAS stage simulates the example with its SoC profile; the SID map has the five remoteproc streams', async () => {
    const options = defaultCheckOptions(example, [path.join(repoRoot, 'overlays/lemans-mini-el2.dtso')]);
    options.soc = 'sa8775p';
    const { report } = await runCheck(options);
    const pas = report.stages.find((s) => s.name === 'pas');
    expect(pas).toMatchObject({ status: 'ran', note: 'SoC profile sa8775p, EL2' });
    const remoteprocStreams = (report.sidMap ?? []).filter((r) => /^remoteproc_\w+$/.test(r.device)).map((r) => `${r.device} ${r.sid.toString(16)}/${r.mask.toString(16)}`);
    expect(remoteprocStreams.sort()).toEqual(['remoteproc_adsp 3000/0', 'remoteproc_cdsp0 21c0/400', 'remoteproc_cdsp1 29c0/400', 'remoteproc_gpdsp0 38a0/0', 'remoteproc_gpdsp1 38c0/0']);
    expect(report.summary.errors).toBe(0);
  });

  it('an unknown --soc fails the PAS stage with a finding, it does not crash', async () => {
    const options = defaultCheckOptions(example, [path.join(repoRoot, 'overlays/lemans-mini-el2.dtso')]);
    options.soc = 'no-such-soc';
    const { report } = await runCheck(options);
    expect(report.stages.find((s) => s.name === 'pas')?.status).toBe('failed');
    expect(report.diagnostics.some((d) => d.rule.startsWith('pas/') && d.severity === 'error')).toBe(true);
  });

  it.runIf(sharedOrExplain('check with corpus bindings'))('with bindings: the schema stage runs; lemans-evk + lemans-el2 against dt-schema\'s core and the corpus bindings is clean, as dt-validate says', async () => {
    const linux = path.join(sharedDir, 'corpus/linux');
    const qcom = path.join(linux, 'arch/arm64/boot/dts/qcom');
    const options = defaultCheckOptions(path.join(qcom, 'lemans-evk.dts'), [path.join(qcom, 'lemans-el2.dtso')]);
    options.includeDirs = [path.join(linux, 'include')];
    options.bindings = [path.join(linux, 'Documentation/devicetree/bindings')];
    options.coreSchemas = path.join(sharedDir, 'corpus/dtschema');
    const { report } = await runCheck(options);
    expect(report.stages.find((s) => s.name === 'schema')?.status).toBe('ran');
    // ../shared/reference/dtschema/summary.tsv: lemans-evk-el2.dtb, 0 schema errors
    expect(report.diagnostics.filter((d) => d.rule.startsWith('schema/'))).toEqual([]);
  });
});

describe('compiled inputs kept by a session', () => {
  it('reuses the most recent ones and compiles again what fell out (at most COMPILED_INPUTS_KEPT are held)', async () => {
    const { COMPILED_INPUTS_KEPT } = await import('../../src/pipeline/run.js');
    const { newSession } = await import('../../src/compile/index.js');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-kept-'));
    try {
      const session = newSession();
      const boards = Array.from({ length: COMPILED_INPUTS_KEPT + 1 }, (_, i) => {
        const file = path.join(dir, `board${i}.dts`);
        fs.writeFileSync(file, `/dts-v1/;\n/ { model = "board ${i}"; };\n`);
        return file;
      });
      const treeOf = async (file: string) => {
        const options = defaultCheckOptions(file);
        options.session = session;
        return (await runCheck(options)).inputs[0].tree;
      };
      const first = await treeOf(boards[0]);
      expect(first).toBeDefined();
      expect(await treeOf(boards[0])).toBe(first);
      for (const board of boards.slice(1)) await treeOf(board);
      // boards[0] was the least recently used of COMPILED_INPUTS_KEPT + 1: compiled again
      expect(await treeOf(boards[0])).not.toBe(first);
      const last = await treeOf(boards.at(-1)!);
      expect(await treeOf(boards.at(-1)!)).toBe(last);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
