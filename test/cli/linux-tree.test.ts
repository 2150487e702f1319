/**
 * check, apply, simulate, validate and diff compile a source inside a Linux tree as kbuild does
 * (src/kernel/layout.ts `linuxTreeInputs`): the include prefixes, the tree as sandbox root and the
 * kernel's DTC_FLAGS; outside one, an `#include` read without cpp says to use --cpp.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { linkedKernelTree } from '../kernel/tree.js';

const fixtures = path.join(repoRoot, 'fixtures/cli');
const bindings = path.join(repoRoot, 'fixtures/schema/bindings');
const quietByKbuild = /unit_address_vs_reg/;

describe('a source inside a Linux tree, for every command', () => {
  let work = '';
  let inTree = '';
  let outside = '';
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-linux-tree-'));
    // The smallest Linux tree: arch/<arch>/boot/dts and include/dt-bindings (no scripts/dtc/include-prefixes).
    inTree = path.join(work, 'linux/arch/arm64/boot/dts/test');
    fs.mkdirSync(inTree, { recursive: true });
    fs.mkdirSync(path.join(work, 'linux/include/dt-bindings/test'), { recursive: true });
    fs.writeFileSync(path.join(work, 'linux/include/dt-bindings/test/values.h'), '#define TEST_VALUE 7\n');
    // The same files outside any Linux tree.
    outside = path.join(work, 'elsewhere');
    fs.mkdirSync(outside);
    for (const dir of [inTree, outside]) {
      fs.copyFileSync(path.join(fixtures, 'linux-tree-board.dts'), path.join(dir, 'board.dts'));
      fs.writeFileSync(path.join(dir, 'extra.dtso'), '/dts-v1/;\n/plugin/;\n\n&{/} {\n\textra = <1>;\n};\n');
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('check: resolves <dt-bindings/…> and keeps quiet what DTC_FLAGS silence', () => {
    const r = runCli(['check', 'board.dts', '--fail-on', 'warning'], inTree);
    expect(r.stdout).not.toMatch(quietByKbuild);
    expect(r.status).toBe(0);
  });

  it('apply: preprocessed with the include prefixes, no unit_address_vs_reg warning; outside, the warning shows', () => {
    const r = runCli(['apply', 'board.dts', 'extra.dtso', '-O', 'dts'], inTree);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/value = <0x07>;/);
    expect(r.status).toBe(0);
    const out = runCli(['apply', '--cpp', '-i', path.join(work, 'linux/include'), 'board.dts', 'extra.dtso', '-O', 'dts'], outside);
    expect(out.stderr).toMatch(quietByKbuild);
    expect(out.status).toBe(0);
  });

  it('simulate: the same compile (no warning printed, no syntax error)', () => {
    const r = runCli(['simulate', 'board.dts', 'extra.dtso'], inTree);
    expect(r.stderr).not.toMatch(quietByKbuild);
    expect(r.status).toBe(0);
    const out = runCli(['simulate', '--cpp', '-i', path.join(work, 'linux/include'), 'board.dts', 'extra.dtso'], outside);
    expect(out.stderr).toMatch(quietByKbuild);
  });

  it('validate and diff: compile without -i or --cpp', () => {
    // compiled with the include prefixes: the one finding is dt-schema's root-node.yaml on thing@1000
    // (a unit address needs reg or ranges), which kbuild's DTC_FLAGS silence in dtc but not in dt-validate
    const validate = runCli(['validate', 'board.dts', '--bindings', bindings], inTree);
    expect(validate.stderr).toBe('');
    expect(validate.stdout.match(/\[schema\/[^\]]+\]/g)).toEqual(['[schema/anyOf]']);
    expect(validate.stdout).toMatch(/^board\.dts:\d+:\d+: error: \/ \(test,board\): thing@1000: 'anyOf' conditional failed/m);
    expect(validate.status).toBe(1);
    expect(runCli(['diff', 'board.dts', 'board.dts'], inTree).status).toBe(0);
    // outside, <dt-bindings/test/values.h> is nowhere to be found
    expect(runCli(['diff', 'board.dts', 'board.dts'], outside).stderr).toMatch(/values\.h: No such file or directory/);
  });

  it('outside a Linux tree, an #include read without cpp suggests --cpp in every command', () => {
    const file = path.join(fixtures, 'include-without-cpp.dts');
    const hint = /include-without-cpp\.dts:3:1: error: syntax error \(#include needs the C preprocessor: preprocess it with --cpp\)/;
    for (const args of [
      ['apply', file, path.join(outside, 'extra.dtso')],
      ['simulate', file],
      ['validate', file, '--bindings', bindings],
      ['check', '--no-cpp', file],
      ['diff', '--no-cpp', file, file],
    ]) {
      const r = runCli(args);
      expect(`${r.stdout}${r.stderr}`, args.join(' ')).toMatch(hint);
    }
    // with --cpp the same file compiles
    expect(runCli(['validate', '--cpp', file, '--bindings', bindings]).status).toBe(0);
  });
});

describe.runIf(sharedOrExplain('apply/simulate/diff on ../shared/kernel-dt'))('real upstream sources in a Linux tree', () => {
  let tree = '';
  beforeAll(() => {
    tree = linkedKernelTree();
  });
  afterAll(() => {
    if (tree) fs.rmSync(tree, { recursive: true, force: true });
  });

  it('lemans-evk.dts + lemans-el2.dtso apply, simulate at EL2 and diff with no option at all', () => {
    const qcom = path.join(tree, 'arch/arm64/boot/dts/qcom');
    const merged = path.join(tree, 'lemans-evk-el2.dtb');
    const apply = runCli(['apply', 'lemans-evk.dts', 'lemans-el2.dtso', '-o', merged], qcom);
    expect(apply.stderr).toBe('');
    expect(apply.status).toBe(0);
    expect(fs.readFileSync(merged).readUInt32BE(0)).toBe(0xd00dfeed);
    const simulate = runCli(['simulate', 'lemans-evk.dts', 'lemans-el2.dtso', '--format', 'json'], qcom);
    expect(simulate.status).not.toBe(2);
    expect(JSON.parse(simulate.stdout).simulation.el).toBe(2);
    expect(runCli(['diff', 'lemans-evk.dts', merged], qcom).status).toBe(1);
  });
});
