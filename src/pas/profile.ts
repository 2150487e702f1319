/**
 * SoC profiles: the facts a device tree does not carry (PAS ids, firmware names, proxy power
 * domains, carve-out sizes, SMMU hardware parameters), as YAML data under schemas/soc/, checked by
 * ajv against our own schema (schemas/soc/soc-profile.schema.json). A profile may `extends` a
 * shipped one and override some fields: that is how users change the SMMU model's parameters.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticError } from '../diagnostics.js';
import { readRegularFile } from '../input-file.js';

export interface SmrSpec {
  sid: number;
  mask: number;
  note?: string;
}

/** The SMMU model's inputs that the DT does not give (PAS.md §2.1–2.3). */
export interface SmmuParameters {
  streamIdMask: number;
  smrMaskMask: number;
  /** SMR count; undefined = unknown (generic rules assume 128). */
  numMappingGroups?: number;
  /** undefined = the number of context interrupts, capped at 128. */
  numContextBanks?: number;
  numS2ContextBanks: number;
  /** undefined = true at EL1, false at EL2. */
  bypassQuirk?: boolean;
  disableBypass: boolean;
  ias: number;
  handoffSmrs: SmrSpec[];
  knownFirmwareDmaSids: SmrSpec[];
  /** SMMUv3 IDR1.SIDSIZE: stream IDs must be below 2^sidBits (arm_smmu_sid_in_range). */
  sidBits: number;
  /** Keys whose values are assumptions, not public facts (from the profile's `assumed` lists). */
  assumedKeys?: string[];
}

export interface PasData {
  compatible: string;
  name?: string;
  pasId: number;
  dtbPasId?: number;
  firmwareName?: string;
  dtbFirmwareName?: string;
  maxFirmwareNames?: number;
  powerDomainNames?: string[];
  carveoutSize?: number;
  el2RequiresIommus: boolean;
  minidumpId?: number;
  /** Where these facts come from (the qcom_pas_data struct, with the source id). */
  source?: string;
}

export interface SocProfile {
  soc: string;
  description?: string;
  /** Files this profile was read from, base first. */
  files: string[];
  matchCompatibles: string[];
  defaults: Partial<SmmuParameters>;
  /** Per-SMMU overrides by label or path. */
  smmus: Map<string, Partial<SmmuParameters>>;
  pas: PasData[];
  el2MustBeDisabled: string[];
  pasIommusMaxItems?: number;
}

/** PAS.md's defaults where neither the profile nor the DT says anything. */
export const GENERIC_SMMU_DEFAULTS: SmmuParameters = {
  streamIdMask: 0x7fff,
  smrMaskMask: 0x7fff,
  numS2ContextBanks: 0,
  disableBypass: true,
  ias: 48,
  handoffSmrs: [],
  knownFirmwareDmaSids: [],
  // The SMMUv3 architecture's maximum: nothing is public about the SoCs' IDR1.SIDSIZE.
  sidBits: 32,
};

/** The numbers PAS.md assumes when a profile gives none (Q1). */
export const ASSUMED_MAPPING_GROUPS = 128;

/** schemas/soc beside the package (src/pas/ in development, dist/ when bundled). */
export function profileDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'schemas/soc');
    if (fs.existsSync(path.join(candidate, 'soc-profile.schema.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new DiagnosticError({ rule: 'pas/profile', severity: 'error', message: 'cannot find schemas/soc (the SoC profiles) beside the program' });
}

export function shippedProfiles(): string[] {
  return fs
    .readdirSync(profileDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

type RawProfile = Record<string, unknown>;
type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null };
let validator: Validator | undefined;

/** Checks a parsed profile against schemas/soc/soc-profile.schema.json (DiagnosticError when it fails). */
export async function validateProfile(raw: unknown, file: string): Promise<RawProfile> {
  if (!validator) {
    const { loadAjv } = await import('../ajv.js');
    const Ajv = (await loadAjv()) as unknown as new (o: object) => { compile(s: object): Validator };
    const schema = JSON.parse(fs.readFileSync(path.join(profileDir(), 'soc-profile.schema.json'), 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (!validator(raw)) {
    const problems = (validator.errors ?? [])
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params?.additionalProperty ? ` ('${String(e.params.additionalProperty)}')` : ''}`.trim())
      .join('; ');
    throw new DiagnosticError({ rule: 'pas/profile', severity: 'error', message: `${file}: not a valid SoC profile: ${problems}` });
  }
  return raw as RawProfile;
}

async function readYaml(file: string): Promise<unknown> {
  const yaml = await import('js-yaml');
  let text: string;
  try {
    text = readRegularFile(file).toString('utf8');
  } catch {
    throw new DiagnosticError({ rule: 'pas/profile', severity: 'error', message: `${file} cannot be read` });
  }
  try {
    return yaml.load(text);
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    throw new DiagnosticError({
      rule: 'pas/profile',
      severity: 'error',
      message: `not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      span: mark ? { file, line: mark.line + 1, column: mark.column + 1 } : undefined,
    });
  }
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return undefined;
}

function smrList(value: unknown): SmrSpec[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((v: Record<string, unknown>) => ({ sid: num(v.sid) ?? 0, mask: num(v.mask) ?? 0, note: v.note as string | undefined }));
}

function smmuParameters(raw: Record<string, unknown> | undefined): Partial<SmmuParameters> {
  if (!raw) return {};
  const out: Partial<SmmuParameters> = {};
  const set = <K extends keyof SmmuParameters>(key: K, value: SmmuParameters[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('streamIdMask', num(raw.streamIdMask));
  set('smrMaskMask', num(raw.smrMaskMask));
  set('numMappingGroups', num(raw.numMappingGroups));
  set('numContextBanks', num(raw.numContextBanks));
  set('numS2ContextBanks', num(raw.numS2ContextBanks));
  if (typeof raw.bypassQuirk === 'boolean') out.bypassQuirk = raw.bypassQuirk;
  if (typeof raw.disableBypass === 'boolean') out.disableBypass = raw.disableBypass;
  set('ias', num(raw.ias));
  set('handoffSmrs', smrList(raw.handoffSmrs));
  set('knownFirmwareDmaSids', smrList(raw.knownFirmwareDmaSids));
  set('sidBits', num(raw.sidBits));
  if (Array.isArray(raw.assumed)) out.assumedKeys = raw.assumed as string[];
  return out;
}

function fromRaw(raw: RawProfile, file: string, base?: SocProfile): SocProfile {
  const profile: SocProfile = base
    ? { ...base, files: [...base.files, file], smmus: new Map([...base.smmus].map(([k, v]) => [k, { ...v }])), defaults: { ...base.defaults } }
    : { soc: '', files: [file], matchCompatibles: [], defaults: {}, smmus: new Map(), pas: [], el2MustBeDisabled: [] };
  profile.soc = raw.soc as string;
  if (typeof raw.description === 'string') profile.description = raw.description;
  const match = raw.match as { compatibles?: string[] } | undefined;
  if (match?.compatibles) profile.matchCompatibles = match.compatibles;
  Object.assign(profile.defaults, smmuParameters(raw.defaults as Record<string, unknown> | undefined));
  for (const entry of (raw.smmus as Record<string, unknown>[] | undefined) ?? []) {
    const label = entry.label as string;
    profile.smmus.set(label, { ...(profile.smmus.get(label) ?? {}), ...smmuParameters(entry) });
  }
  if (Array.isArray(raw.pas)) {
    profile.pas = (raw.pas as Record<string, unknown>[]).map((p) => ({
      compatible: p.compatible as string,
      name: p.name as string | undefined,
      pasId: p.pasId as number,
      dtbPasId: (p.dtbPasId as number | null | undefined) ?? undefined,
      firmwareName: p.firmwareName as string | undefined,
      dtbFirmwareName: (p.dtbFirmwareName as string | null | undefined) ?? undefined,
      maxFirmwareNames: p.maxFirmwareNames as number | undefined,
      powerDomainNames: p.powerDomainNames as string[] | undefined,
      carveoutSize: num(p.carveoutSize),
      el2RequiresIommus: p.el2RequiresIommus === true,
      minidumpId: (p.minidumpId as number | null | undefined) ?? undefined,
      source: p.source as string | undefined,
    }));
  }
  const el2 = raw.el2 as { mustBeDisabled?: string[] } | undefined;
  if (el2?.mustBeDisabled) profile.el2MustBeDisabled = el2.mustBeDisabled;
  const bindings = raw.bindings as { pasIommusMaxItems?: number } | undefined;
  if (bindings?.pasIommusMaxItems !== undefined) profile.pasIommusMaxItems = bindings.pasIommusMaxItems;
  return profile;
}

const cache = new Map<string, SocProfile>();

/**
 * Loads a profile file (and the shipped profile it extends), validated against the schema. Shipped
 * profiles are not validated at run time (compiling the schema cost ~85 ms of every cold `check`):
 * test/pas/profile.test.ts validates each of them.
 */
export async function loadProfileFile(file: string, seen: string[] = [], shipped = false): Promise<SocProfile> {
  const yaml = await readYaml(file);
  const raw = shipped ? (yaml as RawProfile) : await validateProfile(yaml, file);
  let base: SocProfile | undefined;
  if (typeof raw.extends === 'string') {
    if (seen.includes(raw.extends)) {
      throw new DiagnosticError({ rule: 'pas/profile', severity: 'error', message: `${file}: profiles extend each other in a loop (${[...seen, raw.extends].join(' → ')})` });
    }
    base = await loadProfile(raw.extends, [...seen, raw.extends]);
  }
  return fromRaw(raw, file, base);
}

/** A shipped profile by name (`sa8775p`). */
export async function loadProfile(name: string, seen: string[] = [name]): Promise<SocProfile> {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = path.join(profileDir(), `${name}.yaml`);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name) || !fs.existsSync(file)) {
    throw new DiagnosticError({
      rule: 'pas/profile',
      severity: 'error',
      message: `no SoC profile '${name}' (shipped: ${shippedProfiles().join(', ')})`,
    });
  }
  const profile = await loadProfileFile(file, seen, true);
  cache.set(name, profile);
  return profile;
}

/** The shipped profile whose `match.compatibles` contains one of the root compatibles, if any. */
export async function profileForCompatibles(rootCompatibles: string[]): Promise<SocProfile | undefined> {
  for (const name of shippedProfiles()) {
    const profile = await loadProfile(name);
    if (rootCompatibles.some((c) => profile.matchCompatibles.includes(c))) return profile;
  }
  return undefined;
}

const OVERRIDABLE: Record<string, 'number' | 'boolean'> = {
  streamIdMask: 'number',
  smrMaskMask: 'number',
  numMappingGroups: 'number',
  numContextBanks: 'number',
  numS2ContextBanks: 'number',
  bypassQuirk: 'boolean',
  disableBypass: 'boolean',
  ias: 'number',
  sidBits: 'number',
};

/**
 * `--smmu apps_smmu.numMappingGroups=64`: SMMU parameters set on the command line, on top of the
 * profile (or of the generic defaults when there is none). Throws a usage DiagnosticError for an
 * unknown key or a value of the wrong kind.
 */
export function withSmmuOverrides(profile: SocProfile | undefined, overrides: string[]): SocProfile | undefined {
  if (!overrides.length) return profile;
  const out: SocProfile = profile
    ? { ...profile, smmus: new Map([...profile.smmus].map(([k, v]) => [k, { ...v }])), defaults: { ...profile.defaults } }
    : { soc: 'generic', files: [], matchCompatibles: [], defaults: {}, smmus: new Map(), pas: [], el2MustBeDisabled: [] };
  for (const text of overrides) {
    const m = /^([^=]+)\.([A-Za-z0-9]+)=(.+)$/.exec(text);
    const kind = m ? OVERRIDABLE[m[2]] : undefined;
    const bad = (why: string) =>
      new DiagnosticError({ rule: 'pas/profile', severity: 'error', message: `--smmu ${text}: ${why} (expected LABEL.KEY=VALUE, KEY one of ${Object.keys(OVERRIDABLE).join(', ')})` });
    if (!m || !kind) throw bad('unknown parameter');
    const raw = m[3].trim();
    let value: number | boolean;
    if (kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw bad('not true or false');
      value = raw === 'true';
    } else {
      value = Number(raw);
      if (!/^(0x[0-9a-f]+|\d+)$/i.test(raw) || !Number.isSafeInteger(value)) throw bad('not a number');
    }
    const target = m[1] === '*' ? out.defaults : (out.smmus.get(m[1]) ?? {});
    (target as Record<string, unknown>)[m[2]] = value;
    // A value given on the command line is the user's fact, no longer the profile's assumption.
    const assumedKeys = target.assumedKeys ?? out.defaults.assumedKeys;
    if (assumedKeys?.includes(m[2])) target.assumedKeys = assumedKeys.filter((k) => k !== m[2]);
    if (m[1] !== '*') out.smmus.set(m[1], target);
  }
  return out;
}
