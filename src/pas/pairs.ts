/**
 * Both probe orders for every pair of streams on one SMMU (PAS.md §3.6–3.7): find_sme run on a
 * one-entry table with A then B, and with B then A. The outcome pair classifies the pair —
 * reuse/reuse: one shared group (SMR-03); reuse/conflict: order-dependent (SMR-02); conflict/conflict:
 * partial overlap (SMR-01) — independently of the probe order the simulation used. Overlaps within
 * one device are SMR-04; any overlap involving a value an overlay set is also OVL-03.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Node, Property } from '../tree/model.js';
import { hex, type TreeIndex } from './dt.js';
import { finding } from './rules.js';
import { StreamMatchTable, type Smr } from './smr.js';
import type { Device, StreamId } from './types.js';

export type PairStep = 'reuse' | 'conflict' | 'new';

export interface PairOutcome {
  smmu: string;
  a: { device: string; sid: number; mask: number };
  b: { device: string; sid: number; mask: number };
  /** find_sme's answer for the second device in each order. */
  aThenB: PairStep;
  bThenA: PairStep;
  verdict: 'shared-group' | 'order-dependent' | 'conflict';
}

function secondStep(first: Smr, second: Smr): PairStep {
  const table = new StreamMatchTable(2);
  table.allocSmes('first', [first]);
  const r = table.findSme(second.id, second.mask);
  return r.kind === 'reuse' ? 'reuse' : r.kind === 'conflict' ? 'conflict' : 'new';
}

export interface PairAnalysis {
  pairs: PairOutcome[];
  diagnostics: Diagnostic[];
}

/** `changed`: properties an overlay set (their spans are overlay lines); such values are blamed first. */
export function analysePairs(index: TreeIndex, devices: Device[], changed: Set<Property>, hasSmrs: (smmu: Node) => boolean): PairAnalysis {
  const diagnostics: Diagnostic[] = [];
  const pairs: PairOutcome[] = [];
  // Only SMMUs with stream matching (arm-smmu v1/v2) have SMRs to collide in.
  const streams = devices.filter((d) => d.enabled).flatMap((d) => d.streams.filter((s) => hasSmrs(s.smmu)));
  const bySmmu = new Map<unknown, StreamId[]>();
  for (const s of streams) bySmmu.set(s.smmu, [...(bySmmu.get(s.smmu) ?? []), s]);
  // One finding per mistake: overlapping entries of one property, and every entry pair of two
  // devices with the same verdict, are reported once, listing the entries.
  const sameDevice = new Map<Property, { device: Device; overlaps: [StreamId, StreamId, PairStep][] }>();
  const between = new Map<string, { verdict: Verdict; entries: [StreamId, StreamId][] }>();

  for (const list of bySmmu.values()) {
    // A plain double loop: the lists are small (Lemans apps_smmu: 79 enabled specifiers).
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i];
        const b = list[j];
        const A = { id: a.sid, mask: a.mask };
        const B = { id: b.sid, mask: b.mask };
        if (((A.id ^ B.id) & ~(A.mask | B.mask) & 0xffff) !== 0) continue;
        const aThenB = secondStep(A, B);
        const bThenA = secondStep(B, A);
        const outcome = aThenB === 'reuse' && bThenA === 'reuse' ? 'shared-group' : aThenB === 'conflict' && bThenA === 'conflict' ? 'conflict' : 'order-dependent';
        if (a.device === b.device) {
          const entry = sameDevice.get(b.property) ?? { device: a.device, overlaps: [] };
          entry.overlaps.push([a, b, aThenB]);
          sameDevice.set(b.property, entry);
          continue;
        }
        if (a.device.node === b.device.node) continue; // two RIDs of one iommu-map tuple set: reported by the map itself
        pairs.push({
          smmu: a.smmu.path,
          a: { device: a.device.id, sid: a.sid, mask: a.mask },
          b: { device: b.device.id, sid: b.sid, mask: b.mask },
          aThenB,
          bThenA,
          verdict: outcome,
        });
        const verdict = judge(index, a, b, outcome, aThenB);
        if (!verdict) continue;
        const [primary, other] = blame(a, b, changed);
        // One finding per blamed property and kind of outcome, whatever devices it meets.
        const key = `${primary.device.id}\0${primary.property.name}\0${verdict.rule}\0${verdict.relation}`;
        const seen = between.get(key);
        if (seen) seen.entries.push([primary, other]);
        else between.set(key, { verdict, entries: [[primary, other]] });
      }
    }
  }
  for (const { device, overlaps } of sameDevice.values()) diagnostics.push(sameDeviceFinding(index, device, overlaps));
  for (const { verdict, entries } of between.values()) diagnostics.push(pairFinding(index, verdict, entries, changed));
  return { pairs, diagnostics };
}

/** The stream whose value an overlay set is the one to blame (of two, the one written later); otherwise the one that probes later. */
function blame(a: StreamId, b: StreamId, changed: Set<Property>): [StreamId, StreamId] {
  const ca = changed.has(a.property);
  const cb = changed.has(b.property);
  if (ca && !cb) return [a, b];
  if (ca && cb && a.span && b.span && a.span.file === b.span.file && a.span.line > b.span.line) return [a, b];
  return [b, a];
}

interface Verdict {
  rule: 'pas/smr-partial-overlap' | 'pas/smr-shared-group' | 'pas/smr-containment-order';
  severity: 'error' | 'warning';
  /** What happens, after "X and Y …". */
  consequence: string;
  relation: string;
}

/** A fastrpc session: each compute context bank is meant to be its own group (its own domain). */
const FASTRPC_SESSION = 'qcom,fastrpc-compute-cb';

/**
 * What the overlap of two devices' entries breaks, or nothing when it breaks nothing: two DMA-API
 * devices sharing one group (crypto and its BAM) share one default domain, which is normal.
 */
function judge(index: TreeIndex, a: StreamId, b: StreamId, outcome: PairOutcome['verdict'], aThenB: PairStep): Verdict | undefined {
  const rprocs = [a, b].filter((x) => x.device.pasRemoteproc);
  const rproc = rprocs[0];
  const rprocName = rprocs.map((x) => index.label(x.device.node) ?? x.device.id).join(' and ');
  if (outcome === 'conflict') {
    return { rule: 'pas/smr-partial-overlap', severity: 'error', relation: 'partially overlaps', consequence: 'arm_smmu_find_sme returns -EINVAL for whichever probes second, which then runs without IOMMU' };
  }
  if (outcome === 'shared-group') {
    if (rproc) return { rule: 'pas/smr-shared-group', severity: 'error', relation: 'shares the stream-match entry of', consequence: `they land in one iommu_group, so rproc_enable_iommu of ${rprocName} fail${rprocs.length > 1 ? '' : 's'} (iommu_attach_device: -EINVAL, group not singleton)` };
    const sessions = [a, b].filter((x) => index.compatibles(x.device.node).includes(FASTRPC_SESSION));
    if (sessions.length) {
      return { rule: 'pas/smr-shared-group', severity: 'warning', relation: 'shares the stream-match entry of', consequence: `they land in one iommu_group, so the fastrpc session${sessions.length > 1 ? 's share' : ' shares'} one domain: no isolation between the processes they serve` };
    }
    return undefined;
  }
  const [first, second] = aThenB === 'reuse' ? [a, b] : [b, a];
  const consequence = `one contains the other, so the outcome depends on probe order: reuse (one shared group) when ${index.label(first.device.node) ?? first.device.id} probes first, -EINVAL when ${index.label(second.device.node) ?? second.device.id} does`;
  if (rproc) return { rule: 'pas/smr-shared-group', severity: 'error', relation: 'contains or is contained in', consequence: `${consequence}; either way ${rprocName} cannot attach its own domain` };
  return { rule: 'pas/smr-containment-order', severity: 'warning', relation: 'contains or is contained in', consequence };
}

const entryText = (s: StreamId) => `${hex(s.sid)}/${hex(s.mask)}`;

/**
 * One finding for the entries of one property that meet other devices' entries, at the first entry
 * to blame. When an overlay set that property, the finding is the overlay's (OVL-03), and the other
 * devices' entries are the related locations.
 */
function pairFinding(index: TreeIndex, verdict: Verdict, entries: [StreamId, StreamId][], changed: Set<Property>): Diagnostic {
  const s = entries[0][0];
  const sn = index.name(s.device.node);
  const mine = [...new Set(entries.map(([x]) => entryText(x)))].join(', ');
  const others = new Map<Device, StreamId[]>();
  for (const [, y] of entries) if (!others.get(y.device)?.some((z) => z.sid === y.sid && z.mask === y.mask)) others.set(y.device, [...(others.get(y.device) ?? []), y]);
  const theirs = [...others].map(([device, ys]) => `${ys.map(entryText).join(', ')} of ${index.name(device.node)}`).join(' and ');
  const related = [...others.values()].flat().slice(0, 8).map((y) => ({ message: `${y.device.id} has ${entryText(y)}`, span: y.span }));
  const at = { path: s.device.node.path, property: s.property.name, span: s.span, related, severity: verdict.severity };
  if (changed.has(s.property)) {
    const where = entries.every(([, y]) => changed.has(y.property)) ? 'also set by an overlay' : 'in the base tree';
    return finding('pas/overlay-sid-collision', `the overlay gives ${sn} ${mine}, which ${verdict.relation} ${theirs} (${where}): ${verdict.consequence}`, at);
  }
  if (verdict.rule === 'pas/smr-shared-group' && verdict.relation.startsWith('shares')) {
    const names = [...others.keys()].map((d) => index.name(d.node)).join(' and ');
    return finding(verdict.rule, `${sn} and ${names} share the stream-match entry ${mine}: ${verdict.consequence}`, at);
  }
  return finding(verdict.rule, `SMR ${mine} of ${sn} ${verdict.relation} ${theirs}: ${verdict.consequence}`, at);
}

/**
 * One device's IDs are allocated in DT order, so only the `a then b` outcome happens. One finding
 * per property: each later entry with the first earlier entry it overlaps.
 */
function sameDeviceFinding(index: TreeIndex, device: Device, overlaps: [StreamId, StreamId, PairStep][]): Diagnostic {
  const prop = overlaps[0][1].property;
  const firstOverlap = new Map<StreamId, [StreamId, PairStep]>();
  for (const [x, y, step] of overlaps) {
    const seen = firstOverlap.get(y);
    // A conflict with any earlier entry decides the outcome; otherwise the first reuse.
    if (!seen || (step === 'conflict' && seen[1] !== 'conflict')) firstOverlap.set(y, [x, step]);
  }
  const later = [...firstOverlap].sort(([a], [b]) => a.index - b.index);
  // "1 (0x2020/0x4e0), 2 (0x2040/0x4e0) with 0 (0x2000/0x4e0)": the later entries grouped by the earlier one.
  const list = (step: (p: PairStep) => boolean) => {
    const byEarlier = new Map<StreamId, StreamId[]>();
    for (const [y, [x, p]] of later) if (step(p)) byEarlier.set(x, [...(byEarlier.get(x) ?? []), y]);
    return [...byEarlier].map(([x, ys]) => `${ys.map((y) => `${y.index} (${entryText(y)})`).join(', ')} with ${x.index} (${entryText(x)})`);
  };
  const conflicts = list((p) => p === 'conflict');
  const reused = list((p) => p !== 'conflict');
  const parts: string[] = [];
  if (conflicts.length) parts.push(`${conflicts.join(', ')}: -EINVAL, the device runs without IOMMU`);
  if (reused.length) parts.push(`${reused.join(', ')}: reuse the earlier stream-match entry (no error)`);
  const form = overlaps[0][1].form;
  return finding('pas/duplicate-sid-same-device', `${index.name(device.node)}: ${later.length} ${form} entr${later.length > 1 ? 'ies overlap' : 'y overlaps'} an earlier one: ${parts.join('; ')}`, {
    path: device.node.path,
    property: prop.name,
    span: later[0][0].span ?? prop.span,
    related: later.slice(1, 9).map(([y]) => ({ message: `entry ${y.index}`, span: y.span })),
    ...(conflicts.length ? { severity: 'error' as const } : {}),
  });
}
