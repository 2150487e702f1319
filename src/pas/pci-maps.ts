/**
 * PCIe host bridges' `iommu-map` and `msi-map` as ranges (PCI-01..PCI-05): what of_map_id makes of
 * them on an SMMUv3 (arm-smmu-v3.c: a stream table indexed by SID, one master per SID) and on a GIC
 * ITS (DeviceIDs). The arm-smmu (SMMUv2) case stays with the stream-match model (stream-ids.ts
 * enumerates those RIDs; sid-16bit catches IDs wider than its 16-bit SMRs).
 * Every finding points at the map tuple's phandle: the overlay line that set the map.
 */
import type { Diagnostic, Severity } from '../diagnostics.js';
import { findProperty } from '../overlay/lookup.js';
import type { Node, Property } from '../tree/model.js';
import { cells, hex, type TreeIndex } from './dt.js';
import { finding } from './rules.js';
import { entrySpan } from './stream-ids.js';
import type { Device, MapRange, Smmu } from './types.js';

/** One row of the simulation's per-SMMUv3 table: a host bridge's RIDs and the stream IDs they become. */
export interface RangeRow {
  device: string;
  name: string;
  kind: 'iommu-map' | 'msi-map' | 'iommus';
  ridBase?: number;
  outBase: number;
  length: number;
  /** The rule a finding on this range raised, if any. */
  rule?: string;
}

interface Interval {
  start: number;
  /** exclusive */
  end: number;
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;
const outOf = (r: { outBase: number; length: number }): Interval => ({ start: r.outBase, end: r.outBase + r.length });
const show = (i: Interval) => `${hex(i.start)}–${hex(i.end - 1)}`;

export interface MapCheckInput {
  index: TreeIndex;
  ranges: MapRange[];
  devices: Device[];
  smmus: Map<Node, Smmu>;
  changed: Set<Property>;
}

export function mapFindings(input: MapCheckInput): { diagnostics: Diagnostic[]; rows: Map<Node, RangeRow[]> } {
  const { index, smmus } = input;
  const diagnostics: Diagnostic[] = [];
  const rows = new Map<Node, RangeRow[]>();
  const ranges = input.ranges.filter((r) => r.enabled);
  const usable = ranges.filter((r) => targetKind(index, r, diagnostics));
  const flagged = new Map<MapRange, string>();

  // PCI-02: the SMMUv3's SID width (iommu-map ranges and iommus entries).
  for (const r of usable) {
    const smmu = smmus.get(r.target);
    if (r.kind !== 'iommu-map' || !smmu?.smmuV3) continue;
    const limit = 2 ** smmu.params.sidBits;
    if (r.outBase + r.length <= limit) continue;
    flagged.set(r, 'pas/sid-width');
    diagnostics.push(
      finding('pas/sid-width', `${index.name(r.node)}: iommu-map tuple ${r.tuple} maps RIDs ${show({ start: r.ridBase, end: r.ridBase + r.length })} to stream IDs ${show(outOf(r))} on ${index.name(r.target)}, beyond its ${smmu.params.sidBits}-bit SID width${widthNote(smmu)}: arm_smmu_sid_in_range fails (-ERANGE) and those functions get no IOMMU`, {
        path: r.node.path,
        property: r.kind,
        span: r.span,
        severity: widthSeverity(smmu),
      }),
    );
  }
  for (const d of input.devices) {
    if (!d.enabled || d.rid !== undefined) continue;
    for (const s of d.streams) {
      const smmu = smmus.get(s.smmu);
      if (!smmu?.smmuV3 || s.sid < 2 ** smmu.params.sidBits) continue;
      diagnostics.push(
        finding('pas/sid-width', `${index.name(d.node)}: iommus entry ${s.index} gives stream ID ${hex(s.sid)} on ${index.name(s.smmu)}, beyond its ${smmu.params.sidBits}-bit SID width${widthNote(smmu)}: arm_smmu_sid_in_range fails (-ERANGE)`, {
          path: d.node.path,
          property: 'iommus',
          span: s.span,
          severity: widthSeverity(smmu),
        }),
      );
    }
  }

  // PCI-01 (SMMUv3 stream IDs) and PCI-04 (ITS DeviceIDs): ranges of different bridges on one target.
  const byTarget = new Map<Node, MapRange[]>();
  for (const r of usable) {
    if (r.kind === 'iommu-map' && !smmus.get(r.target)?.smmuV3) continue;
    byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), r]);
  }
  for (const [target, list] of byTarget) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i], list[j]];
        if (a.node === b.node || !overlaps(outOf(a), outOf(b))) continue;
        const [blamed, other] = blame(input.changed, a, b);
        const both = { start: Math.max(a.outBase, b.outBase), end: Math.min(a.outBase + a.length, b.outBase + b.length) };
        const rule = blamed.kind === 'msi-map' ? 'pas/its-device-id-unique' : 'pas/map-sid-overlap';
        flagged.set(blamed, rule);
        const what =
          blamed.kind === 'msi-map'
            ? `ITS DeviceIDs ${show(both)} on ${index.name(target)} are also ${index.name(other.node)}'s: its_msi_prepare shares one ITT between two host bridges' functions`
            : `stream IDs ${show(both)} on ${index.name(target)} are also ${index.name(other.node)}'s: arm_smmu_insert_master refuses a second master on a stream ID ("already in tree", -EINVAL), so the function that probes second gets no IOMMU`;
        diagnostics.push(
          finding(rule, `${index.name(blamed.node)}: ${blamed.kind} tuple ${blamed.tuple}: ${what}`, {
            path: blamed.node.path,
            property: blamed.kind,
            span: blamed.span,
            related: [{ message: `${other.kind} of ${other.node.path}`, span: other.span }],
          }),
        );
      }
    }
  }

  // PCI-03: msi-map and iommu-map of one bridge cover the same requester IDs.
  for (const node of new Set(ranges.map((r) => r.node))) {
    const iommuMap = findProperty(node, 'iommu-map');
    const msiMap = findProperty(node, 'msi-map');
    if (!iommuMap || !msiMap) continue;
    const iommuRids = coverage(iommuMap);
    const msiRids = coverage(msiMap);
    const iommuMask = cells(findProperty(node, 'iommu-map-mask'))[0] ?? 0xffffffff;
    const msiMask = cells(findProperty(node, 'msi-map-mask'))[0] ?? 0xffffffff;
    const same = iommuMask === msiMask && iommuRids.length === msiRids.length && iommuRids.every((x, k) => x.start === msiRids[k].start && x.end === msiRids[k].end);
    if (same) continue;
    // Blame the map an overlay set; when both were set (or neither), the msi-map.
    const blamedProp = input.changed.has(iommuMap) && !input.changed.has(msiMap) ? iommuMap : msiMap;
    const otherProp = blamedProp === msiMap ? iommuMap : msiMap;
    const list = (l: Interval[]) => l.map(show).join(', ') || 'none';
    const masks = iommuMask !== msiMask ? ` (iommu-map-mask ${hex(iommuMask)}, msi-map-mask ${hex(msiMask)})` : '';
    diagnostics.push(
      finding('pas/msi-map-mismatch', `${index.name(node)}: msi-map covers requester IDs ${list(msiRids)} but iommu-map covers ${list(iommuRids)}${masks}: a function with one and not the other gets no MSI (of_map_id: "no msi-map translation") or no IOMMU`, {
        path: node.path,
        property: blamedProp.name,
        span: entrySpan(blamedProp, 1),
        related: [{ message: `${otherProp.name} of ${node.path}`, span: entrySpan(otherProp, 1) }],
      }),
    );
  }

  // The table per SMMUv3: every iommu-map range and iommus stream on it.
  for (const r of usable) {
    if (r.kind !== 'iommu-map' || !smmus.get(r.target)?.smmuV3) continue;
    const row: RangeRow = { device: r.node.path, name: index.label(r.node) ?? r.node.path, kind: r.kind, ridBase: r.ridBase, outBase: r.outBase, length: r.length, rule: flagged.get(r) };
    rows.set(r.target, [...(rows.get(r.target) ?? []), row]);
  }
  for (const d of input.devices) {
    if (!d.enabled) continue;
    for (const s of d.streams) {
      if (!smmus.get(s.smmu)?.smmuV3) continue;
      rows.set(s.smmu, [...(rows.get(s.smmu) ?? []), { device: d.id, name: index.label(d.node) ?? d.node.path, kind: 'iommus', outBase: s.sid, length: 1 }]);
    }
  }
  for (const list of rows.values()) list.sort((a, b) => a.outBase - b.outBase);
  return { diagnostics, rows };
}

/** PCI-05: the target is an enabled node of the kind the map needs. False when the range is unusable. */
function targetKind(index: TreeIndex, r: MapRange, out: Diagnostic[]): boolean {
  const isIommu = !!findProperty(r.target, '#iommu-cells');
  const isMsi = !!findProperty(r.target, 'msi-controller');
  const wanted = r.kind === 'iommu-map' ? isIommu : isMsi;
  const at = { path: r.node.path, property: r.kind, span: r.span };
  if (!wanted) {
    const need = r.kind === 'iommu-map' ? 'an IOMMU (#iommu-cells)' : 'an MSI controller (msi-controller)';
    const is = isMsi ? 'an MSI controller' : isIommu ? 'an IOMMU' : 'neither an IOMMU nor an MSI controller';
    out.push(finding('pas/map-target-kind', `${index.name(r.node)}: ${r.kind} tuple ${r.tuple} points at ${index.name(r.target)}, which is ${is}; ${r.kind} needs ${need}`, at));
    return false;
  }
  if (!index.enabled(r.target)) {
    const effect = r.kind === 'iommu-map' ? 'of_iommu_xlate returns NO_IOMMU and the functions run untranslated' : 'the functions get no MSI domain';
    out.push(finding('pas/map-target-kind', `${index.name(r.node)}: ${r.kind} tuple ${r.tuple} points at ${index.name(r.target)}, which is disabled: ${effect}`, { ...at, severity: 'warning' }));
    return false;
  }
  return true;
}

/**
 * The range to blame: the one an overlay set; when an overlay set both (or neither), the one not
 * aligned to its own length (upstream maps give each bridge an aligned block); else the later one.
 */
function blame(changed: Set<Property>, a: MapRange, b: MapRange): [MapRange, MapRange] {
  const ca = changed.has(a.property);
  const cb = changed.has(b.property);
  if (ca !== cb) return ca ? [a, b] : [b, a];
  const aligned = (r: MapRange) => r.length > 0 && r.outBase % r.length === 0;
  if (aligned(b) && !aligned(a)) return [a, b];
  return [b, a];
}

/** The union of a map's requester-ID ranges, merged and sorted. */
function coverage(prop: Property): Interval[] {
  const c = cells(prop);
  const list: Interval[] = [];
  for (let t = 0; t + 4 <= c.length; t += 4) if (c[t + 3] > 0) list.push({ start: c[t], end: c[t] + c[t + 3] });
  list.sort((x, y) => x.start - y.start);
  const merged: Interval[] = [];
  for (const i of list) {
    const last = merged[merged.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else merged.push({ ...i });
  }
  return merged;
}

function widthSeverity(smmu: Smmu): Severity {
  return smmu.assumed.some((a) => a.startsWith('sidBits=')) ? 'warning' : 'error';
}

function widthNote(smmu: Smmu): string {
  return smmu.assumed.some((a) => a.startsWith('sidBits=')) ? ' (assumed: IDR1.SIDSIZE is not public)' : '';
}
