/**
 * Both probe orders for every pair of streams on one SMMU (PAS.md §3.6–3.7): find_sme run on a
 * one-entry table with A then B, and with B then A. The outcome pair classifies the pair —
 * reuse/reuse: one shared group (SMR-03); reuse/conflict: order-dependent (SMR-02); conflict/conflict:
 * partial overlap (SMR-01) — independently of the probe order the simulation used. Overlaps within
 * one device are SMR-04; any overlap involving a value an overlay set is also OVL-03.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
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
  const overlayReported = new Set<string>();

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
        const verdict = aThenB === 'reuse' && bThenA === 'reuse' ? 'shared-group' : aThenB === 'conflict' && bThenA === 'conflict' ? 'conflict' : 'order-dependent';
        if (a.device === b.device) {
          diagnostics.push(sameDevice(index, a, b, aThenB));
          continue;
        }
        if (a.device.node === b.device.node) continue; // two RIDs of one iommu-map tuple set: reported by the map itself
        pairs.push({
          smmu: a.smmu.path,
          a: { device: a.device.id, sid: a.sid, mask: a.mask },
          b: { device: b.device.id, sid: b.sid, mask: b.mask },
          aThenB,
          bThenA,
          verdict,
        });
        const [primary, other] = blame(a, b, changed);
        diagnostics.push(pairFinding(index, primary, other, verdict, aThenB, a));
        for (const s of [primary, other]) {
          if (!changed.has(s.property)) continue;
          const key = `${s.device.id}#${s.index}>${(s === primary ? other : primary).device.id}`;
          if (overlayReported.has(key)) continue;
          overlayReported.add(key);
          const o = s === primary ? other : primary;
          diagnostics.push(
            finding('pas/overlay-sid-collision', `the overlay gives ${index.name(s.device.node)} ${hex(s.sid)}/${hex(s.mask)}, which collides with ${hex(o.sid)}/${hex(o.mask)} of ${index.name(o.device.node)} in the base tree (${verdictText(verdict)})`, {
              path: s.device.node.path,
              property: s.property.name,
              span: s.property.span,
              related: [{ message: `${o.device.id} has ${hex(o.sid)}/${hex(o.mask)}`, span: o.property.span }],
            }),
          );
        }
      }
    }
  }
  return { pairs, diagnostics };
}

/** The stream whose value an overlay set is the one to blame; otherwise the one that probes later. */
function blame(a: StreamId, b: StreamId, changed: Set<Property>): [StreamId, StreamId] {
  const ca = changed.has(a.property);
  const cb = changed.has(b.property);
  if (ca && !cb) return [a, b];
  return [b, a];
}

function verdictText(v: PairOutcome['verdict']): string {
  return v === 'conflict' ? 'partial overlap' : v === 'order-dependent' ? 'containment' : 'same stream-match entry';
}

function pairFinding(index: TreeIndex, s: StreamId, o: StreamId, verdict: PairOutcome['verdict'], aThenB: PairStep, a: StreamId): Diagnostic {
  const sn = index.name(s.device.node);
  const on = index.name(o.device.node);
  const ss = `${hex(s.sid)}/${hex(s.mask)}`;
  const os = `${hex(o.sid)}/${hex(o.mask)}`;
  const relatedText = verdict === 'conflict' ? 'partially overlaps' : verdict === 'shared-group' ? 'shares the entry with' : 'contains or is contained in';
  const related: { message: string; span?: Span }[] = [{ message: `${relatedText} ${os} of ${o.device.id}`, span: o.property.span }];
  const base = { path: s.device.node.path, property: s.property.name, span: s.property.span, related };
  if (verdict === 'conflict') {
    return finding('pas/smr-partial-overlap', `SMR ${ss} of ${sn} partially overlaps ${os} of ${on}: arm_smmu_find_sme returns -EINVAL for whichever probes second, which then runs without IOMMU`, base);
  }
  const rproc = [s, o].find((x) => x.device.pasRemoteproc);
  if (verdict === 'shared-group') {
    return finding(
      'pas/smr-shared-group',
      `${sn} and ${on} share the stream-match entry ${ss}: they land in one iommu_group${rproc ? `, so rproc_enable_iommu of ${index.label(rproc.device.node) ?? rproc.device.id} fails (iommu_attach_device: -EINVAL, group not singleton)` : ''}`,
      { ...base, severity: rproc ? 'error' : 'warning' },
    );
  }
  const [first, second] = aThenB === 'reuse' ? [a, a === s ? o : s] : [a === s ? o : s, a];
  const message = `SMR ${ss} of ${sn} and ${os} of ${on}: one contains the other, so the outcome depends on probe order: reuse (one shared group) when ${index.label(first.device.node) ?? first.device.id} probes first, -EINVAL when ${index.label(second.device.node) ?? second.device.id} does`;
  if (rproc) {
    return finding('pas/smr-shared-group', `${message}; either way ${index.label(rproc.device.node) ?? rproc.device.id} cannot attach its own domain`, { ...base, severity: 'error' });
  }
  return finding('pas/smr-containment-order', message, base);
}

/** One device's IDs are allocated in DT order, so only the `a then b` outcome happens. */
function sameDevice(index: TreeIndex, a: StreamId, b: StreamId, aThenB: PairStep): Diagnostic {
  const outcome = aThenB === 'conflict' ? 'the second conflicts with the first: -EINVAL, the device runs without IOMMU' : 'the second reuses the first entry (no error)';
  return finding('pas/duplicate-sid-same-device', `${index.name(a.device.node)}: ${a.form} entries ${a.index} (${hex(a.sid)}/${hex(a.mask)}) and ${b.index} (${hex(b.sid)}/${hex(b.mask)}) overlap; ${outcome}`, {
    path: a.device.node.path,
    property: b.property.name,
    span: b.property.span,
  });
}
