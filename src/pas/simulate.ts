/**
 * `simulate(tree, profile, options) → Simulation`: the whole PAS model on one (merged) tree.
 *   1. resolve every iommus / iommu-map of enabled devices (stream-ids.ts);
 *   2. describe the SMMUs with their parameters (smmu.ts);
 *   3. allocate stream-match entries, groups and context banks in probe order (allocate.ts), and
 *      try both orders for every overlapping pair (pairs.ts);
 *   4. check reserved memory and the PAS remoteprocs (carveouts.ts, remoteprocs.ts);
 *   5. run each remoteproc's bring-up steps for the EL (bringup.ts).
 * The result is plain data (JSON-ready) plus the Diagnostics of PAS.md §12.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Property, Tree } from '../tree/model.js';
import { allocate, handoffFindings, unknownOrderNames, type DeviceOutcome, type ProbeOrder, type SmmuState } from './allocate.js';
import { overlapFindings, reservedRegions } from './carveouts.js';
import { compatibles, hex, TreeIndex } from './dt.js';
import { bringUp, type RemoteprocResult } from './bringup.js';
import { analysePairs, type PairOutcome } from './pairs.js';
import { mapFindings, type RangeRow } from './pci-maps.js';
import type { SocProfile } from './profile.js';
import { el2DisabledFindings, findRemoteprocs, pasCompatible, remoteprocFindings, type Remoteproc } from './remoteprocs.js';
import { resourceTableFindings, type ResourceTables } from './resource-table.js';
import { finding, PAS_RULES } from './rules.js';
import { describeSmmus } from './smmu.js';
import { matchCount, matchedIds } from './smr.js';
import { resolveStreams } from './stream-ids.js';
import type { Device, Smmu } from './types.js';

export interface SimulateOptions {
  /** Exception level Linux runs at; undefined: 2 when an EL2 overlay was applied or the PAS nodes carry iommus. */
  el?: 1 | 2;
  /** Probe order of the allocation; `pairs` also lists both orders of every overlapping pair. */
  order?: ProbeOrder | { kind: 'pairs' };
  /** Properties whose value an overlay set (AppliedTree.touched): blamed first, and OVL-03. */
  changed?: Set<Property>;
  /** Nodes an overlay fragment targeted, with that fragment's span (AppliedTree.targeted). */
  targeted?: Map<Node, Span>;
  /** Names of the overlays applied to build the tree. */
  overlays?: string[];
  resourceTables?: ResourceTables;
  /** Documentation/devicetree/bindings of the kernel in use (RP-04). */
  bindingsDir?: string;
}

export interface EntryResult {
  index: number;
  sid: number;
  mask: number;
  /** The stream IDs matched, when there are at most 64. */
  matches?: number[];
  matchCount: number;
  devices: string[];
  group?: number;
  contextBank?: number;
  handoff: boolean;
  handoffOriginal?: { sid: number; mask: number };
}

export interface SmmuResult {
  path: string;
  label?: string;
  compatible: string[];
  enabled: boolean;
  probes: boolean;
  armSmmu: boolean;
  smmuV3: boolean;
  iommuCells?: number;
  streamMatchMask?: number;
  globalInterrupts?: number;
  contextInterrupts?: number;
  parameters: Smmu['params'];
  assumed: string[];
  smrsUsed: number;
  contextBanksUsed: number;
  entries: EntryResult[];
  groups: { id: number; devices: string[]; entries: number[]; domain: 'dma' | 'identity'; contextBank?: number }[];
  /** SMMUv3: each host bridge's iommu-map range and each iommus stream, by stream ID. */
  ranges?: RangeRow[];
  devices: { device: string; label?: string; /** Label, or the nearest labelled ancestor's label and the rest of the path. */ name: string; remoteproc: boolean; status: DeviceOutcome['status']; reason?: string; rule?: string; group?: number; contextBank?: number; streams: { sid: number; mask: number; entry?: number }[] }[];
}

export interface SimulationResult {
  soc: string | null;
  profileFiles: string[];
  /** Facts the run lacked (no profile, assumed parameters), in words. */
  lacking: string[];
  notes: string[];
  el: 1 | 2;
  elReason: string;
  order: string;
  smmus: SmmuResult[];
  remoteprocs: RemoteprocResult[];
  pairs?: PairOutcome[];
}

export interface Simulation {
  diagnostics: Diagnostic[];
  simulation: SimulationResult;
}

function decideEl(options: SimulateOptions, rps: Remoteproc[]): { el: 1 | 2; reason: string } {
  if (options.el) return { el: options.el, reason: `--el ${options.el}` };
  const changed = options.changed ?? new Set<Property>();
  const overlaySetsIommus = rps.some((rp) => rp.iommus && changed.has(rp.iommus));
  if (overlaySetsIommus) return { el: 2, reason: 'an overlay gives the PAS remoteprocs iommus (an EL2 overlay was applied)' };
  if ((options.overlays ?? []).some((o) => /(^|[-_/])el2[-_.]/i.test(o))) return { el: 2, reason: 'an EL2 overlay was applied' };
  if (rps.some((rp) => rp.enabled && rp.iommus)) return { el: 2, reason: 'enabled PAS remoteprocs carry iommus (an EL2 tree)' };
  return { el: 1, reason: 'no EL2 overlay applied and no --el given' };
}

export function simulate(tree: Tree, profile: SocProfile | undefined, options: SimulateOptions = {}): Simulation {
  const index = new TreeIndex(tree);
  const changed = options.changed ?? new Set<Property>();
  const diagnostics: Diagnostic[] = [];
  const lacking: string[] = [];
  const isPas = (n: Node) => !!pasCompatible(n, profile, index);
  const resolution = resolveStreams(index, (n) => index.enabled(n), isPas);
  diagnostics.push(...resolution.diagnostics);
  const regions = reservedRegions(index);
  const rps = findRemoteprocs(index, profile, resolution.devices, regions);
  const { el, reason: elReason } = decideEl(options, rps);

  const { smmus, diagnostics: smmuFindings } = describeSmmus(index, resolution.targets, profile, el, changed);
  diagnostics.push(...smmuFindings);
  if (!profile?.pas.length) {
    const root = compatibles(tree.root).join(', ') || 'none';
    lacking.push(`no SoC profile for the root compatibles (${root}): PAS ids, firmware names, proxy power domains, carve-out sizes and EL2 must-disable nodes are unknown, so RP-05, RP-13, RP-14, RP-15 and the profile part of OVL-02 are skipped and RP-01 is a warning`);
  }
  for (const key of profile?.smmus.keys() ?? []) if (!index.byLabelOrPath(key)) resolution.notes.push(`profile: no SMMU labelled '${key}' in this tree; its parameters are unused`);
  for (const s of smmus.values()) if ((s.armSmmu || s.smmuV3) && s.assumed.length) lacking.push(`${s.label ?? s.node.path}: assumed ${s.assumed.join(', ')}`);
  if (!options.bindingsDir) lacking.push('no --bindings folder: RP-04 (iommus-binding-version) is skipped');
  if (!options.resourceTables) lacking.push('no resource-table fixture: RP-11, RP-12 and the devmem steps are skipped');

  diagnostics.push(...redundantMaskFindings(index, resolution.devices, smmus));

  const order = options.order && options.order.kind !== 'pairs' ? options.order : { kind: 'tree' as const };
  const allocation = allocate({ index, smmus, devices: resolution.devices, order, el });
  for (const name of unknownOrderNames(index, order)) resolution.notes.push(`--order: '${name}' is neither a label nor a node path; ignored`);
  const multi = resolution.devices.filter((d) => d.enabled && new Set(d.streams.map((s) => s.smmu)).size > 1);
  for (const d of multi) resolution.notes.push(`${d.id} has streams on several IOMMUs; the model allocates those of the first (iommu_fwspec_init takes one IOMMU per device)`);
  diagnostics.push(...allocation.diagnostics);
  diagnostics.push(...handoffFindings(index, smmus, resolution.devices));
  const pairs = analysePairs(index, resolution.devices, changed, (n) => !!smmus.get(n)?.armSmmu);
  diagnostics.push(...pairs.diagnostics);
  const maps = mapFindings({ index, ranges: resolution.ranges, devices: resolution.devices, smmus, changed });
  diagnostics.push(...maps.diagnostics);

  diagnostics.push(...overlapFindings(index, regions, changed));
  const iasOf = (rp: Remoteproc) => (rp.device?.streams[0] ? (smmus.get(rp.device.streams[0].smmu)?.params.ias ?? 48) : 48);
  diagnostics.push(...remoteprocFindings(index, rps, { el, profile, iasOf, bindingsDir: options.bindingsDir, targeted: options.targeted }));
  if (el === 2) diagnostics.push(...el2DisabledFindings(index, rps, profile));

  const tables = options.resourceTables;
  const remoteprocs: RemoteprocResult[] = [];
  for (const rp of rps) {
    if (!rp.enabled) continue;
    const table = tables?.get(rp.label ?? '') ?? tables?.get(rp.node.path);
    if (table && el === 2 && rp.iommus) {
      const identity = rp.carveout ? { base: rp.carveout.base, size: rp.carveout.size } : undefined;
      diagnostics.push(...resourceTableFindings(index.name(rp.node), rp.node.path, table, identity, rp.iommus.span));
    }
    const outcome = rp.device ? allocation.outcomes.get(rp.device) : undefined;
    remoteprocs.push(bringUp({ index, el, rp, outcome, findings: diagnostics, table, ias: iasOf(rp) }));
  }

  if (el === 2) diagnostics.push(...dmaMastersFindings(index, rps.filter((rp) => rp.enabled && rp.iommus), smmus, allocation.states));

  const result: SimulationResult = {
    soc: profile?.soc ?? null,
    profileFiles: profile?.files ?? [],
    lacking,
    notes: resolution.notes,
    el,
    elReason,
    order: options.order?.kind === 'first' ? `first: ${options.order.names.join(', ')}` : (options.order?.kind ?? 'tree'),
    smmus: [...allocation.states.values()].filter((s) => s.smmu.armSmmu || s.smmu.smmuV3 || s.outcomes.length).map((s) => smmuResult(index, s, maps.rows.get(s.smmu.node))),
    remoteprocs,
  };
  if (options.order?.kind === 'pairs') result.pairs = pairs.pairs;
  return { diagnostics: sortDiagnostics(index, diagnostics), simulation: result };
}

function smmuResult(index: TreeIndex, state: SmmuState, ranges: RangeRow[] | undefined): SmmuResult {
  const { smmu, table } = state;
  const used = table.used();
  const groupOf = new Map(state.groups.map((g) => [g.id, g]));
  return {
    path: smmu.node.path,
    label: smmu.label,
    compatible: compatibles(smmu.node),
    enabled: smmu.enabled,
    probes: smmu.probes,
    armSmmu: smmu.armSmmu,
    smmuV3: smmu.smmuV3,
    ...(smmu.smmuV3 ? { ranges: ranges ?? [] } : {}),
    iommuCells: smmu.iommuCells,
    streamMatchMask: smmu.streamMatchMask,
    globalInterrupts: smmu.globalInterrupts,
    contextInterrupts: smmu.contextInterrupts,
    parameters: smmu.params,
    assumed: smmu.assumed,
    smrsUsed: used.length,
    contextBanksUsed: state.contextBanksUsed,
    entries: used.map((e) => ({
      index: e.index,
      sid: e.id,
      mask: e.mask,
      matches: matchedIds(e),
      matchCount: matchCount(e),
      devices: [...e.owners],
      group: e.group,
      contextBank: e.group !== undefined ? groupOf.get(e.group)?.contextBank : undefined,
      handoff: e.handoff,
      handoffOriginal: e.handoffOriginal ? { sid: e.handoffOriginal.id, mask: e.handoffOriginal.mask } : undefined,
    })),
    groups: state.groups.map((g) => ({ ...g, devices: [...g.devices], entries: [...g.entries] })),
    devices: state.outcomes.map((o) => ({
      device: o.device.id,
      label: index.label(o.device.node),
      name: displayName(index, o.device.node) + (o.device.rid !== undefined ? ` RID ${hex(o.device.rid)}` : ''),
      remoteproc: o.device.pasRemoteproc,
      status: o.status,
      reason: o.reason,
      rule: o.rule,
      group: o.group,
      contextBank: o.contextBank,
      streams: o.device.streams.map((s, i) => ({ sid: s.sid, mask: s.mask, entry: o.indices[i] })),
    })),
  };
}

/** `remoteproc_cdsp0/…/compute-cb@3`: the node's label, else its nearest labelled ancestor's plus its own name. */
function displayName(index: TreeIndex, node: Node): string {
  const own = index.label(node);
  if (own) return own;
  for (let n = node.parent; n; n = n.parent) {
    const label = index.label(n);
    if (!label) continue;
    return n === node.parent ? `${label}/${node.name}` : `${label}/…/${node.name}`;
  }
  return node.path;
}

/** IOMMU-08, once per property: the entries whose SID has bits under their mask. */
function redundantMaskFindings(index: TreeIndex, devices: Device[], smmus: Map<Node, Smmu>): Diagnostic[] {
  const byProperty = new Map<Property, { device: Device; streams: Device['streams'] }>();
  for (const d of devices) {
    if (!d.enabled) continue;
    for (const s of d.streams) {
      if (!(s.sid & s.mask) || !smmus.get(s.smmu)?.armSmmu) continue;
      const entry = byProperty.get(s.property) ?? { device: d, streams: [] };
      // iommu-map RIDs of one tuple share the tuple's mask: the tuple is reported once.
      if (!entry.streams.some((x) => x.index === s.index && x.form === s.form)) entry.streams.push(s);
      byProperty.set(s.property, entry);
    }
  }
  return [...byProperty].map(([prop, { device, streams }]) => {
    const list = streams.map((s) => `${hex(s.sid)} under ${hex(s.mask)} (${hex(s.sid & s.mask)})`).join(', ');
    const what = streams.length === 1 ? `SID ${list.replace(' under ', ' has bits under its mask ')}` : `${streams.length} ${streams[0].form} entries have SID bits under their mask: ${list}`;
    return finding('pas/sid-mask-redundant', `${index.name(device.node)}: ${what}: those are don't-care and may not survive the SMR read-back`, {
      path: device.node.path,
      property: prop.name,
      span: streams[0].span ?? prop.span,
      related: streams.slice(1, 9).map((s) => ({ message: `entry ${s.index}`, span: s.span })),
    });
  });
}

/**
 * DMA-01 (PAS.md §11): what happens to firmware-driven streams that no DT node describes. One note
 * per SMMU (in practice per tree), naming its remoteprocs, at the first one's iommus.
 */
function dmaMastersFindings(index: TreeIndex, rps: Remoteproc[], smmus: Map<Node, Smmu>, states: Map<Node, SmmuState>): Diagnostic[] {
  const bySmmu = new Map<Node | undefined, Remoteproc[]>();
  // By name, so that a blob and its source give the same note (adsp, cdsp0, …: the overlays' order too).
  const ordered = [...rps].sort((a, b) => index.name(a.node).localeCompare(index.name(b.node)));
  for (const rp of ordered) {
    const smmuNode = rp.device?.streams[0]?.smmu;
    bySmmu.set(smmuNode, [...(bySmmu.get(smmuNode) ?? []), rp]);
  }
  return [...bySmmu].map(([smmuNode, list]) => {
    const smmu = smmuNode ? smmus.get(smmuNode) : undefined;
    const state = smmuNode ? states.get(smmuNode) : undefined;
    const params = smmu?.params;
    const unmatched = params?.disableBypass === false ? 'bypass translation' : 'are blocked ("Blocked unknown Stream ID"; disable_bypass)';
    const fates = (params?.knownFirmwareDmaSids ?? []).map((f) => {
      const entry = state?.table.used().find((e) => ((f.sid ^ e.id) & ~e.mask & 0xffff) === 0);
      const fate = !entry ? `matches no SMR and would be ${params?.disableBypass === false ? 'bypassed' : 'blocked'}` : entry.count === 0 ? `matches handoff SMR ${entry.index} and stays in bypass` : `is translated by the domain of ${entry.owners.join(', ')} (likely faults)`;
      return `${hex(f.sid)}${f.note ? ` (${f.note})` : ''} ${fate}`;
    });
    const handoffs = params?.handoffSmrs.length ?? 0;
    const names = list.map((rp) => index.name(rp.node)).join(', ');
    const whose = list.length > 1 ? 'their' : 'its';
    const message = `${names}: DMA masters driven by ${whose} firmware are not described in the DT; streams outside ${whose} iommus ${handoffs ? `match ${handoffs} handoff SMR(s) (bypass) or else ` : ''}${unmatched}${fates.length ? `; known: ${fates.join('; ')}` : ''}`;
    const first = list[0];
    return finding('pas/remoteproc-dma-masters', message, {
      path: first.node.path,
      property: 'iommus',
      span: first.iommus?.span,
      related: list.slice(1).map((rp) => ({ message: `${index.name(rp.node)} iommus`, span: rp.iommus?.span })),
    });
  });
}

const ruleRank = new Map(PAS_RULES.map((r, i) => [r.id, i]));
const severityRank = { error: 0, warning: 1, info: 2 } as const;

/** Tree order of the node, then the rule's place in PAS.md §12: stable output for diffs and tests. */
function sortDiagnostics(index: TreeIndex, list: Diagnostic[]): Diagnostic[] {
  const at = (d: Diagnostic) => {
    const node = d.path ? index.nodeAt(d.path) : undefined;
    return node ? index.orderOf(node) : -1;
  };
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => at(a.d) - at(b.d) || (ruleRank.get(a.d.rule) ?? 99) - (ruleRank.get(b.d.rule) ?? 99) || severityRank[a.d.severity] - severityRank[b.d.severity] || a.i - b.i)
    .map((x) => x.d);
}
