/** SoC profiles: the shipped sa8775p validates against our schema; user profiles extend and override; bad files are named. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics.js';
import { loadProfile, loadProfileFile, profileDir, profileForCompatibles, shippedProfiles, validateProfile } from '../../src/pas/profile.js';
import { repoRoot } from '../support/shared.js';

function temp(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-profile-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('SoC profiles', () => {
  it('ships sa8775p with the five PAS subsystems of PAS.md §7', async () => {
    expect(shippedProfiles()).toContain('sa8775p');
    const p = await loadProfile('sa8775p');
    expect(p.pas.map((x) => [x.compatible, x.pasId])).toEqual([
      ['qcom,sa8775p-adsp-pas', 1],
      ['qcom,sa8775p-cdsp0-pas', 18],
      ['qcom,sa8775p-cdsp1-pas', 30],
      ['qcom,sa8775p-gpdsp0-pas', 39],
      ['qcom,sa8775p-gpdsp1-pas', 40],
    ]);
    expect(p.pas.find((x) => x.name === 'adsp')?.powerDomainNames).toEqual(['lcx', 'lmx']);
    expect(p.pas.every((x) => x.carveoutSize === 0x1e00000 && x.el2RequiresIommus)).toBe(true);
    expect(p.smmus.get('apps_smmu')).toMatchObject({ numMappingGroups: 128, numContextBanks: 128 });
    expect(p.defaults).toMatchObject({ streamIdMask: 0x7fff, disableBypass: true, handoffSmrs: [] });
    expect(p.el2MustBeDisabled).toEqual(['iris', 'gpu_zap_shader']);
  });

  it('ships only profiles that validate against soc-profile.schema.json (they are trusted at run time)', async () => {
    const yaml = await import('js-yaml');
    const names = shippedProfiles();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const file = path.join(profileDir(), `${name}.yaml`);
      await expect(validateProfile(yaml.load(fs.readFileSync(file, 'utf8')), file)).resolves.toBeDefined();
    }
    // and the check bites: a shipped-looking profile with a wrong field is refused
    await expect(validateProfile({ soc: 'x', smmus: 'nonsense' }, 'bad.yaml')).rejects.toThrow(/not a valid SoC profile/);
  });

  it('is found from the root compatibles of QCS9100 and Lemans boards', async () => {
    expect((await profileForCompatibles(['qcom,qcs9100-ride', 'qcom,qcs9100', 'qcom,sa8775p']))?.soc).toBe('sa8775p');
    expect(await profileForCompatibles(['vendor,other-board'])).toBeUndefined();
  });

  it('a user profile extends a shipped one and overrides only what it names', async () => {
    const p = await loadProfileFile(path.join(repoRoot, 'fixtures/pas/smr-77.yaml'));
    expect(p.soc).toBe('sa8775p-smr-77');
    expect(p.smmus.get('apps_smmu')).toMatchObject({ numMappingGroups: 77, numContextBanks: 128 });
    expect(p.pas).toHaveLength(5);
    expect(p.files.map((f) => path.basename(f))).toEqual(['sa8775p.yaml', 'smr-77.yaml']);
    // The shipped profile is not changed by the override.
    expect((await loadProfile('sa8775p')).smmus.get('apps_smmu')?.numMappingGroups).toBe(128);
  });

  it('rejects a profile that does not match the schema, naming the field', async () => {
    const file = temp('bad.yaml', 'soc: bad\nsmmus:\n  - label: apps_smmu\n    numContextBanks: 300\n    colour: red\n');
    await expect(loadProfileFile(file)).rejects.toThrow(/numContextBanks must be <= 128/);
    await expect(loadProfileFile(file)).rejects.toBeInstanceOf(DiagnosticError);
  });

  it('names the line of a YAML syntax error, and an unknown --soc lists the shipped ones', async () => {
    const file = temp('broken.yaml', 'soc: x\nsmmus: [\n');
    const err = await loadProfileFile(file).catch((e: DiagnosticError) => e);
    expect(err).toBeInstanceOf(DiagnosticError);
    expect((err as DiagnosticError).diagnostic.span?.file).toBe(file);
    await expect(loadProfile('nosuch')).rejects.toThrow(/no SoC profile 'nosuch' \(shipped: .*sa8775p/);
  });

  it('refuses a loop of extends', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-loop-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'soc: sa8775p\nextends: sa8775p\n');
    await expect(loadProfileFile(path.join(dir, 'a.yaml'), ['sa8775p'])).rejects.toThrow(/loop/);
  });
});

describe('--smmu overrides', () => {
  it('set parameters per SMMU label or for every SMMU, on a profile or on none', async () => {
    const { withSmmuOverrides } = await import('../../src/pas/profile.js');
    const base = await loadProfile('sa8775p');
    const p = withSmmuOverrides(base, ['apps_smmu.numMappingGroups=0x40', '*.disableBypass=false'])!;
    expect(p.smmus.get('apps_smmu')).toMatchObject({ numMappingGroups: 64, numContextBanks: 128 });
    expect(p.defaults.disableBypass).toBe(false);
    expect(base.smmus.get('apps_smmu')?.numMappingGroups).toBe(128);
    const generic = withSmmuOverrides(undefined, ['smmu.numContextBanks=2'])!;
    expect(generic.pas).toEqual([]);
    expect(generic.smmus.get('smmu')).toEqual({ numContextBanks: 2 });
    expect(() => withSmmuOverrides(base, ['apps_smmu.colour=red'])).toThrow(/unknown parameter/);
    expect(() => withSmmuOverrides(base, ['apps_smmu.numMappingGroups=many'])).toThrow(/not a number/);
    expect(() => withSmmuOverrides(base, ['apps_smmu.bypassQuirk=yes'])).toThrow(/not true or false/);
  });
});
