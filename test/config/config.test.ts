import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, findConfig, loadConfigFor } from '../../src/config/load.js';
import { mergeCheckOptions } from '../../src/config/apply.js';
import { applyRuleConfig } from '../../src/config/rules.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import type { Diagnostic } from '../../src/diagnostics.js';

function project(yamlText: string): { root: string; sub: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-config-'));
  fs.writeFileSync(path.join(root, '.dtoverlay-check.yaml'), yamlText);
  const sub = path.join(root, 'arch/arm64/boot/dts');
  fs.mkdirSync(sub, { recursive: true });
  return { root, sub };
}

async function errorOf(yamlText: string): Promise<string> {
  const { sub } = project(yamlText);
  try {
    await loadConfigFor(sub);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('.dtoverlay-check.yaml', () => {
  it('is found upward from the working folder, paths resolved against its folder', async () => {
    const { root, sub } = project('include: [include]\nbindings: [Documentation/devicetree/bindings]\nsoc: sa8775p\nel: 1\nrules:\n  dtc/unit_address_vs_reg: off\n');
    expect(findConfig(sub)).toBe(path.join(root, '.dtoverlay-check.yaml'));
    const loaded = await loadConfigFor(sub);
    expect(loaded?.config.include).toEqual([path.join(root, 'include')]);
    expect(loaded?.config.bindings).toEqual([path.join(root, 'Documentation/devicetree/bindings')]);
    expect(await loadConfigFor(sub, false)).toBeUndefined();
  });

  it('command-line options override it; include folders add up', async () => {
    const { root, sub } = project('include: [include]\nbindings: [b]\nsoc: sa8775p\nel: 1\ncpp: false\n');
    const loaded = await loadConfigFor(sub);
    const fromConfig = mergeCheckOptions(defaultCheckOptions('x.dts'), loaded, {});
    expect(fromConfig).toMatchObject({ soc: 'sa8775p', el: 1, cpp: false, bindings: [path.join(root, 'b')], includeDirs: [path.join(root, 'include')] });
    const cli = mergeCheckOptions(defaultCheckOptions('x.dts'), loaded, { soc: 'sm8550', el: 2, cpp: true, include: ['mine'], bindings: ['other'] });
    expect(cli).toMatchObject({ soc: 'sm8550', el: 2, cpp: true, bindings: ['other'], includeDirs: ['mine', path.join(root, 'include')] });
  });

  it('rules: dtc rules become -W/-E flags, every rule can be turned off or re-levelled', async () => {
    const { sub } = project('rules:\n  dtc/reg_format: off\n  dtc/unique_unit_address_if_enabled: error\n  "pas/*": warning\n  pas/sid-16bit: off\n');
    const loaded = await loadConfigFor(sub);
    const opts = mergeCheckOptions(defaultCheckOptions('x.dts'), loaded, {});
    expect(opts.checkFlags).toEqual([
      { flag: 'no-reg_format', isError: false },
      { flag: 'no-reg_format', isError: true },
      { flag: 'unique_unit_address_if_enabled', isError: true },
    ]);
    const ds: Diagnostic[] = [
      { rule: 'dtc/reg_format', severity: 'warning', message: 'a' },
      { rule: 'pas/smr-partial-overlap', severity: 'error', message: 'b' },
      { rule: 'pas/sid-16bit', severity: 'error', message: 'c' },
      { rule: 'overlay/apply', severity: 'error', message: 'd' },
    ];
    expect(applyRuleConfig(ds, loaded?.config.rules).map((d) => `${d.rule}:${d.severity}`)).toEqual(['pas/smr-partial-overlap:warning', 'overlay/apply:error']);
  });

  it('precise errors: the key, what was expected, what was given', async () => {
    expect(await errorOf('el: 3\n')).toMatch(/\.dtoverlay-check\.yaml: el: must be one of 1, 2 \(got 3\)$/);
    expect(await errorOf('rules:\n  dtc/reg_format: loud\n')).toMatch(/rules\["dtc\/reg_format"\]: must be one of off, info, warning, error \(got "loud"\)/);
    expect(await errorOf('rules:\n  reg_format: off\n')).toMatch(/: rules.reg_format: is not a rule id/);
    expect(await errorOf('includes: [a]\n')).toMatch(/includes: unknown key \(known keys: include, bindings/);
    expect(await errorOf('include: a\n')).toMatch(/include: must be array \(got "a"\)/);
    expect(await errorOf('include: [a\n')).toMatch(/\.dtoverlay-check\.yaml:\d+:\d+: invalid YAML/);
  });
});

describe('a bad configuration file stops every command that reads one, with its message and status 2', () => {
  it.each(['check', 'kernel', 'review', 'hook'])('%s', async (command) => {
    const { spawnSync } = await import('node:child_process');
    const { root } = project('el: 3\n');
    const cli = path.resolve(__dirname, '../../bin/dtoverlay-check.js');
    const args: Record<string, string[]> = {
      check: ['check'],
      kernel: ['kernel', '--tree', root, '--list'],
      review: ['review', path.join(root, 'none.patch'), '--tree', root],
      hook: ['hook', path.join(root, 'board.dts')],
    };
    const r = spawnSync(process.execPath, [cli, ...args[command]!], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toMatch(/\.dtoverlay-check\.yaml: el: must be one of 1, 2 \(got 3\)/);
    expect(r.status).toBe(2);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
