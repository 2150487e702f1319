/**
 * The probe-order simulation of each SMMU (PAS.md §1.1, §3.3–3.5, §4): devices are added in a
 * probe order; each runs arm_smmu_probe_device's range checks and arm_smmu_master_alloc_smes on a
 * StreamMatchTable seeded with the handoff SMRs; successful devices form iommu_groups
 * (arm_smmu_device_group), each DMA default domain takes a context bank, and each EL2 PAS
 * remoteproc attaches one more (unmanaged) domain. A device whose allocation fails runs without
 * IOMMU (of_iommu_configure only logs the error). Findings: IOMMU-04, -06, -07, SMR-05, SMR-06,
 * CB-01.
 */
import type { Diagnostic } from '../diagnostics.js';
import { findProperty } from '../overlay/lookup.js';
import type { Node } from '../tree/model.js';
import { compatibles, disablingStatus, hex, type TreeIndex } from './dt.js';
import { finding } from './rules.js';
import { matchCount, relation, StreamMatchTable, type Smr } from './smr.js';
import type { Device, Smmu, StreamId } from './types.js';

/** qcom_smmu_client_of_match: devices that get an IDENTITY (bypass) default domain, hence no context bank. */
const IDENTITY_CLIENTS = new Set([
  'qcom,adreno',
  'qcom,adreno-gmu',
  'qcom,mdp4',
  'qcom,mdss',
  'qcom,qcm2290-mdss',
  'qcom,sc7180-mdss',
  'qcom,sc7180-mss-pil',
  'qcom,sc7280-mdss',
  'qcom,sc7280-mss-pil',
  'qcom,sc8180x-mdss',
  'qcom,sc8280xp-mdss',
  'qcom,sdm670-mdss',
  'qcom,sdm845-mdss',
  'qcom,sdm845-mss-pil',
  'qcom,sm6350-mdss',
  'qcom,sm6375-mdss',
  'qcom,sm8150-mdss',
  'qcom,sm8250-mdss',
  'qcom,x1e80100-mdss',
]);

export type DeviceStatus = 'translated' | 'identity' | 'no-iommu';

export interface DeviceOutcome {
  device: Device;
  smmu: Smmu;
  status: DeviceStatus;
  /** Why the device has no IOMMU (the kernel's message). */
  reason?: string;
  rule?: string;
  /** SME index per stream (when allocated). */
  indices: number[];
  group?: number;
  contextBank?: number;
  /** Second context bank: the remoteproc's unmanaged domain at EL2. */
  remoteprocContextBank?: number;
  /** rproc_enable_iommu's attach failure, if any. */
  attachError?: string;
}

export interface Group {
  id: number;
  devices: string[];
  entries: number[];
  domain: 'dma' | 'identity';
  contextBank?: number;
}

export interface SmmuState {
  smmu: Smmu;
  table: StreamMatchTable;
  groups: Group[];
  contextBanksUsed: number;
  outcomes: DeviceOutcome[];
}

export type ProbeOrder = { kind: 'tree' } | { kind: 'reverse' } | { kind: 'first'; names: string[] };

export interface AllocationInput {
  index: TreeIndex;
  smmus: Map<Node, Smmu>;
  devices: Device[];
  order: ProbeOrder;
  el: 1 | 2;
}

/** Names given to `--order` that match no node (reported in the simulation's notes). */
export function unknownOrderNames(index: TreeIndex, order: ProbeOrder): string[] {
  return order.kind === 'first' ? order.names.filter((n) => !index.byLabelOrPath(n)) : [];
}

export function probeOrder(index: TreeIndex, devices: Device[], order: ProbeOrder): Device[] {
  const sorted = [...devices].sort((a, b) => a.order - b.order || (a.rid ?? 0) - (b.rid ?? 0));
  if (order.kind === 'reverse') return sorted.reverse();
  if (order.kind === 'first') {
    const wanted = order.names.map((n) => index.byLabelOrPath(n));
    const rank = (d: Device) => {
      const i = wanted.indexOf(d.node);
      return i < 0 ? wanted.length : i;
    };
    return sorted.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map((x) => x.d);
  }
  return sorted;
}

export function allocate(input: AllocationInput): { states: Map<Node, SmmuState>; outcomes: Map<Device, DeviceOutcome>; diagnostics: Diagnostic[] } {
  const { index, smmus, el } = input;
  const diagnostics: Diagnostic[] = [];
  const states = new Map<Node, SmmuState>();
  const outcomes = new Map<Device, DeviceOutcome>();
  const ordered = probeOrder(index, input.devices.filter((d) => d.enabled && d.streams.length), input.order);

  for (const smmu of smmus.values()) {
    const table = new StreamMatchTable(smmu.armSmmu ? smmu.params.numMappingGroups : 0);
    smmu.params.handoffSmrs.forEach((smr, i) => table.importHandoff({ id: smr.sid, mask: smr.mask }, i));
    states.set(smmu.node, { smmu, table, groups: [], contextBanksUsed: 0, outcomes: [] });
  }

  const disabledUsers = new Map<Node, Device[]>();
  for (const device of ordered) {
    const smmuNode = device.streams[0].smmu;
    const state = states.get(smmuNode);
    const smmu = state?.smmu;
    if (!state || !smmu) continue;
    const streams = device.streams.filter((s) => s.smmu === smmuNode);
    const outcome: DeviceOutcome = { device, smmu, status: 'no-iommu', indices: [] };
    outcomes.set(device, outcome);
    state.outcomes.push(outcome);
    const name = index.name(device.node);

    if (!smmu.enabled) {
      outcome.reason = `${index.name(smmu.node)} is disabled: of_iommu_xlate returns NO_IOMMU, the device runs untranslated`;
      outcome.rule = 'pas/iommu-target-enabled';
      disabledUsers.set(smmu.node, [...(disabledUsers.get(smmu.node) ?? []), device]);
      continue;
    }
    if (!smmu.probes) {
      outcome.reason = `${index.name(smmu.node)} does not probe: the device defers, then runs without IOMMU`;
      continue;
    }
    if (smmu.smmuV3) {
      // arm_smmu_insert_master: each SID must be below 2^sid_bits (arm_smmu_sid_in_range), else -ERANGE.
      const wide = streams.find((s) => s.sid >= 2 ** smmu.params.sidBits);
      outcome.status = wide ? 'no-iommu' : 'translated';
      outcome.reason = wide ? `stream ID ${hex(wide.sid)} is not below 2^${smmu.params.sidBits} (arm_smmu_sid_in_range: -ERANGE)` : 'SMMUv3: stream table indexed by SID, no SMRs';
      if (wide) outcome.rule = 'pas/sid-width';
      continue;
    }
    if (!smmu.armSmmu) {
      outcome.status = 'translated';
      outcome.reason = 'not an arm-smmu: no stream-match model';
      continue;
    }
    const rangeFailure = checkRanges(index, device, streams, smmu, diagnostics);
    if (rangeFailure) {
      outcome.reason = rangeFailure.reason;
      outcome.rule = rangeFailure.rule;
      continue;
    }
    const result = state.table.allocSmes(device.id, streams.map((s) => ({ id: s.sid, mask: s.mask })));
    if (!result.ok) {
      const failed = streams[result.at];
      if (result.result.kind === 'full') {
        outcome.reason = `arm_smmu_find_sme: no free stream-match entry for ${hex(failed.sid)}/${hex(failed.mask)} (-ENOSPC): ${smmu.params.numMappingGroups} SMRs in use`;
        outcome.rule = 'pas/smr-exhaustion';
        const handoffs = smmu.params.handoffSmrs.length;
        diagnostics.push(
          finding('pas/smr-exhaustion', `${name}: ${index.name(smmu.node)} has no free SMR for ${hex(failed.sid)}/${hex(failed.mask)}: ${smmu.params.numMappingGroups} stream-match groups${handoffs ? ` (${handoffs} taken by handoff SMRs)` : ''} are all in use; the device runs without IOMMU (-ENOSPC)`, {
            path: device.node.path,
            property: failed.property.name,
            span: failed.span,
          }),
        );
      } else {
        const other = state.table.entries[result.result.index];
        outcome.reason = `arm_smmu_find_sme: ${hex(failed.sid)}/${hex(failed.mask)} conflicts with SMR ${result.result.index} ${hex(other.id)}/${hex(other.mask)}${other.owners.length ? ` of ${other.owners.join(', ')}` : ' (handoff)'} (-EINVAL)`;
        outcome.rule = other.handoff && other.count === 0 ? 'pas/handoff-smr-interaction' : 'pas/smr-partial-overlap';
      }
      continue;
    }
    outcome.indices = result.indices;
    // arm_smmu_device_group: every SME's group must agree.
    const groupIds = new Set(result.indices.map((i) => state.table.entries[i].group).filter((g): g is number => g !== undefined));
    if (groupIds.size > 1) {
      state.table.release(device.id, result.indices);
      outcome.indices = [];
      outcome.reason = `arm_smmu_device_group: its stream-match entries belong to different groups (${[...groupIds].join(', ')}) (-EINVAL)`;
      outcome.rule = 'pas/smr-shared-group';
      continue;
    }
    let group = groupIds.size ? state.groups[[...groupIds][0]] : undefined;
    if (!group) {
      group = { id: state.groups.length, devices: [], entries: [], domain: isIdentityClient(device.node) ? 'identity' : 'dma' };
      state.groups.push(group);
    }
    group.devices.push(device.id);
    for (const i of result.indices) {
      state.table.entries[i].group = group.id;
      if (!group.entries.includes(i)) group.entries.push(i);
    }
    outcome.group = group.id;
    outcome.status = group.domain === 'identity' ? 'identity' : 'translated';
  }

  for (const [smmuNode, users] of disabledUsers) reportDisabledSmmu(index, smmuNode, users, el, diagnostics);
  for (const state of states.values()) assignContextBanks(index, state, el, diagnostics);
  return { states, outcomes, diagnostics };
}

function isIdentityClient(node: Node): boolean {
  return compatibles(node).some((c) => IDENTITY_CLIENTS.has(c));
}

/** arm_smmu_probe_device: every ID's SID and mask within what the SMMU implements. */
function checkRanges(index: TreeIndex, device: Device, streams: StreamId[], smmu: Smmu, diagnostics: Diagnostic[]): { reason: string; rule: string } | undefined {
  for (const s of streams) {
    const name = index.name(device.node);
    if (s.sid & ~smmu.params.streamIdMask & 0xffff) {
      const reason = `stream ID ${hex(s.sid)} out of range for SMMU (${hex(smmu.params.streamIdMask)})`;
      diagnostics.push(finding('pas/sid-in-range', `${name}: ${reason}: the device runs without IOMMU`, { path: device.node.path, property: s.property.name, span: s.span }));
      return { reason, rule: 'pas/sid-in-range' };
    }
    if (s.mask & ~smmu.params.smrMaskMask & 0xffff) {
      const reason = `SMR mask ${hex(s.mask)} out of range for SMMU (${hex(smmu.params.smrMaskMask)})`;
      diagnostics.push(finding('pas/mask-in-range', `${name}: ${reason}: the device runs without IOMMU`, { path: device.node.path, property: s.property.name, span: s.span }));
      return { reason, rule: 'pas/mask-in-range' };
    }
  }
  return undefined;
}

function reportDisabledSmmu(index: TreeIndex, smmuNode: Node, users: Device[], el: 1 | 2, diagnostics: Diagnostic[]): void {
  const status = disablingStatus(smmuNode);
  const statusSpan = status?.property?.span;
  const others = users.filter((d) => !(el === 2 && d.pasRemoteproc));
  for (const d of users) {
    if (!(el === 2 && d.pasRemoteproc)) continue;
    const iommus = findProperty(d.node, 'iommus');
    diagnostics.push(
      finding('pas/iommu-target-enabled', `${index.name(d.node)}: its iommus point at ${index.name(smmuNode)}, which is disabled: the remoteproc runs without IOMMU but has_iommu is true, so rproc_enable_iommu fails ("can't attach iommu device")`, {
        severity: 'error',
        path: d.node.path,
        property: 'iommus',
        span: statusSpan ?? iommus?.span,
        related: [{ message: 'iommus set here', span: iommus?.span }],
      }),
    );
  }
  if (others.length) {
    const names = others.map((d) => index.label(d.node) ?? d.id);
    diagnostics.push(
      finding('pas/iommu-target-enabled', `${index.name(smmuNode)} is disabled but ${others.length} enabled device(s) use it and will run untranslated: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`, {
        path: smmuNode.path,
        property: 'status',
        span: statusSpan,
        related: others.slice(0, 8).map((d) => ({ message: `${d.id} uses it`, span: d.streams[0]?.span })),
      }),
    );
  }
}

/**
 * Context banks (PAS.md §4): stage-1 DMA domains take the lowest free bank from num_s2_context_banks,
 * identity domains none; the bypass quirk reserves the last bank; then each EL2 PAS remoteproc's
 * rproc_enable_iommu attaches an unmanaged domain (one more bank) and needs a singleton group.
 */
function assignContextBanks(index: TreeIndex, state: SmmuState, el: 1 | 2, diagnostics: Diagnostic[]): void {
  const { smmu } = state;
  if (!smmu.armSmmu || !smmu.probes) return;
  const limit = smmu.params.numContextBanks - (smmu.params.bypassQuirk ? 1 : 0);
  let next = smmu.params.numS2ContextBanks;
  const take = (): number | undefined => (next < limit ? next++ : undefined);
  const failCb = (outcome: DeviceOutcome, what: string) => {
    const s = outcome.device.streams[0];
    const needed = state.groups.filter((g) => g.domain === 'dma').length + (smmu.params.bypassQuirk ? 1 : 0);
    diagnostics.push(
      finding('pas/context-bank-budget', `${index.name(outcome.device.node)}: no free context bank for its ${what} on ${index.name(smmu.node)} (-ENOSPC): ${smmu.params.numContextBanks} banks${smmu.params.bypassQuirk ? ', the last reserved by the bypass quirk' : ''}, ${needed}+ needed`, {
        path: outcome.device.node.path,
        property: s?.property.name,
        span: s?.span,
      }),
    );
  };
  for (const group of state.groups) {
    if (group.domain !== 'dma') continue;
    group.contextBank = take();
    for (const o of state.outcomes) {
      if (o.group !== group.id) continue;
      o.contextBank = group.contextBank;
      if (group.contextBank === undefined) {
        o.attachError = 'no context bank for the default domain (-ENOSPC)';
        if (o === state.outcomes.find((x) => x.group === group.id)) failCb(o, 'default DMA domain');
      }
    }
  }
  state.contextBanksUsed = next - smmu.params.numS2ContextBanks + (smmu.params.bypassQuirk ? 1 : 0);
  if (el !== 2) return;
  for (const o of state.outcomes) {
    if (!o.device.pasRemoteproc || o.group === undefined) continue;
    const group = state.groups[o.group];
    if (group.devices.length !== 1) {
      o.attachError = `iommu_attach_device: the group is shared with ${group.devices.filter((d) => d !== o.device.id).join(', ')} (-EINVAL)`;
      continue;
    }
    o.remoteprocContextBank = take();
    if (o.remoteprocContextBank === undefined) {
      o.attachError = 'no context bank for the remoteproc domain (-ENOSPC)';
      failCb(o, 'remoteproc domain (rproc_enable_iommu)');
    }
  }
  state.contextBanksUsed = next - smmu.params.numS2ContextBanks + (smmu.params.bypassQuirk ? 1 : 0);
}

/** SMR-06 (PAS.md §11): how a device's streams meet SMRs the bootloader left valid. */
export function handoffFindings(index: TreeIndex, smmus: Map<Node, Smmu>, devices: Device[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const device of devices) {
    if (!device.enabled) continue;
    for (const s of device.streams) {
      const smmu = smmus.get(s.smmu);
      if (!smmu?.armSmmu || !smmu.enabled) continue;
      for (const h of smmu.params.handoffSmrs) {
        const rel = relation(smrOf(s), { id: h.sid, mask: h.mask });
        if (rel === 'disjoint' || rel === 'equal') continue;
        const name = index.name(device.node);
        const hs = `${hex(h.sid)}/${hex(h.mask)}`;
        if (rel === 'a-in-b') {
          const orphaned = matchCount({ id: h.sid, mask: h.mask }) - matchCount(smrOf(s));
          out.push(
            finding('pas/handoff-smr-interaction', `${name}: ${hex(s.sid)}/${hex(s.mask)} lies inside the handoff SMR ${hs}${h.note ? ` (${h.note})` : ''}: the device takes the entry over and narrows it, so ${orphaned} other stream ID(s) it matched lose their bypass`, {
              path: device.node.path,
              property: s.property.name,
              span: s.span,
            }),
          );
        } else {
          out.push(
            finding('pas/handoff-smr-interaction', `${name}: ${hex(s.sid)}/${hex(s.mask)} overlaps the handoff SMR ${hs}${h.note ? ` (${h.note})` : ''} without being contained in it: arm_smmu_find_sme returns -EINVAL and the device runs without IOMMU`, {
              severity: 'error',
              path: device.node.path,
              property: s.property.name,
              span: s.span,
            }),
          );
        }
      }
    }
  }
  return out;
}

export function smrOf(s: StreamId): Smr {
  return { id: s.sid, mask: s.mask };
}

