/**
 * Resolution (PAS.md §1): every `iommus` and `iommu-map` of an enabled device → (SMMU node, SID,
 * mask) as of_iommu_configure, of_map_id and arm_smmu_of_xlate compute them, with the findings
 * that stop or bend that resolution (IOMMU-01, -02, -05, -10).
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Property } from '../tree/model.js';
import { findProperty } from '../overlay/lookup.js';
import { cells, hex, u32, type TreeIndex } from './dt.js';
import { finding } from './rules.js';
import { isArmSmmu } from './smmu.js';
import type { Device, MapRange, StreamId } from './types.js';

/** PCI requester IDs enumerated per iommu-map tuple onto an arm-smmu (SMMUv2); longer ranges are cut (noted in the simulation). */
export const MAX_RIDS_PER_TUPLE = 64;

export interface Resolution {
  devices: Device[];
  /** Every node that an `iommus`/`iommu-map` phandle points at (the IOMMUs in use). */
  targets: Set<Node>;
  /** iommu-map tuples onto an SMMUv3 (or another IOMMU without SMRs) and every msi-map tuple, as ranges. */
  ranges: MapRange[];
  diagnostics: Diagnostic[];
  notes: string[];
}

interface Context {
  index: TreeIndex;
  diagnostics: Diagnostic[];
  notes: string[];
  targets: Set<Node>;
  ranges: MapRange[];
  isPas: (node: Node) => boolean;
}

export function resolveStreams(index: TreeIndex, isEnabled: (n: Node) => boolean, isPas: (n: Node) => boolean): Resolution {
  const ctx: Context = { index, diagnostics: [], notes: [], targets: new Set(), ranges: [], isPas };
  const devices: Device[] = [];
  for (const node of index.nodes) {
    const iommus = findProperty(node, 'iommus');
    const map = findProperty(node, 'iommu-map');
    const msiMap = findProperty(node, 'msi-map');
    if (!iommus && !map && !msiMap) continue;
    const enabled = isEnabled(node);
    if (msiMap) resolveMsiMap(ctx, node, msiMap, enabled);
    if (iommus) {
      const device: Device = { node, id: index.pathOf(node), enabled, streams: [], pasRemoteproc: isPas(node), order: index.orderOf(node) };
      resolveIommus(ctx, device, iommus, enabled);
      devices.push(device);
    }
    if (map) devices.push(...resolveIommuMap(ctx, node, map, enabled));
  }
  return { devices, targets: ctx.targets, ranges: ctx.ranges, diagnostics: ctx.diagnostics, notes: ctx.notes };
}

/**
 * The span of the specifier whose phandle is cell `cell` of `prop`: the `&label` reference's own
 * position when the value came from source (a multi-line `iommus` has one line per entry), else the
 * property's.
 */
export function entrySpan(prop: Property, cell: number): Span | undefined {
  const offset = cell * 4;
  return prop.value.markers.find((m) => m.kind === 'ref-phandle' && m.offset === offset && m.span)?.span ?? prop.span;
}

function makeStream(ctx: Context, device: Device, smmu: Node, rawSid: number, rawMask: number, fromSmmu: boolean, form: StreamId['form'], index: number, property: Property, report: boolean, span: Span | undefined): StreamId {
  // Only the arm-smmu (v1/v2) packs 16-bit fields; SMMUv3 and other IOMMUs take wider IDs.
  const armSmmu = isArmSmmu(smmu, ctx.index);
  const stream: StreamId = { device, smmu, sid: armSmmu ? rawSid & 0xffff : rawSid, mask: armSmmu ? rawMask & 0xffff : rawMask, rawSid, rawMask, maskFromSmmu: fromSmmu, form, index, property, span };
  if (report && (rawSid > 0xffff || rawMask > 0xffff) && armSmmu) {
    const what = rawSid > 0xffff ? `SID ${hex(rawSid)}` : `mask ${hex(rawMask)}`;
    ctx.diagnostics.push(
      finding('pas/sid-16bit', `${form} entry ${index} of ${ctx.index.name(device.node)}: ${what} does not fit in 16 bits; arm_smmu_of_xlate silently truncates it to SID ${hex(stream.sid)}/mask ${hex(stream.mask)}`, {
        path: device.node.path,
        property: property.name,
        span,
      }),
    );
  }
  return stream;
}

/** of_iommu_configure's walk: phandle + target #iommu-cells cells per specifier, stopping at the first error. */
function resolveIommus(ctx: Context, device: Device, prop: Property, report: boolean): void {
  const c = cells(prop);
  const node = device.node;
  const name = ctx.index.name(node);
  if (prop.value.bytes.length % 4 !== 0 || c.length === 0) {
    if (report) ctx.diagnostics.push(finding('pas/iommus-cell-count', `iommus of ${name} is ${prop.value.bytes.length} bytes: not a list of cells`, { path: node.path, property: 'iommus', span: prop.span }));
    return;
  }
  let i = 0;
  let index = 0;
  while (i < c.length) {
    const target = ctx.index.node(c[i]);
    if (!target) {
      if (report) ctx.diagnostics.push(finding('pas/iommus-phandle-target', `iommus entry ${index} of ${name}: phandle ${hex(c[i])} (cell ${i}) does not resolve to a node`, { path: node.path, property: 'iommus', span: entrySpan(prop, i) }));
      return;
    }
    ctx.targets.add(target);
    const n = u32(target, '#iommu-cells');
    if (n === undefined) {
      if (report) ctx.diagnostics.push(finding('pas/iommus-phandle-target', `iommus entry ${index} of ${name} points at ${ctx.index.name(target)}, which has no #iommu-cells`, { path: node.path, property: 'iommus', span: entrySpan(prop, i) }));
      return;
    }
    if (i + 1 + n > c.length) {
      if (report) {
        ctx.diagnostics.push(
          finding('pas/iommus-cell-count', `iommus of ${name} has ${c.length} cells: entry ${index} needs 1 + ${n} (#iommu-cells of ${ctx.index.label(target) ?? target.path}) but only ${c.length - i} remain`, {
            path: node.path,
            property: 'iommus',
            span: prop.span,
          }),
        );
      }
      return;
    }
    const args = c.slice(i + 1, i + 1 + n);
    const smm = u32(target, 'stream-match-mask');
    const fromSmmu = args.length < 2;
    const mask = fromSmmu ? (smm ?? 0) : args[1];
    device.streams.push(makeStream(ctx, device, target, args[0] ?? 0, mask, fromSmmu, 'iommus', index, prop, report, entrySpan(prop, i)));
    i += 1 + n;
    index++;
  }
}

/** of_map_id over every tuple: each RID the map translates becomes a PCI function device. */
function resolveIommuMap(ctx: Context, node: Node, prop: Property, enabled: boolean): Device[] {
  const name = ctx.index.name(node);
  const bytes = prop.value.bytes.length;
  if (bytes === 0 || bytes % 16 !== 0) {
    if (enabled) ctx.diagnostics.push(finding('pas/iommu-map-wellformed', `Bad iommu-map length ${bytes} in ${name}: not a list of 4-cell (id-base, phandle, out-base, length) tuples`, { path: node.path, property: 'iommu-map', span: prop.span }));
    return [];
  }
  const mapMask = u32(node, 'iommu-map-mask') ?? 0xffffffff;
  const c = cells(prop);
  const devices: Device[] = [];
  for (let t = 0; t < c.length; t += 4) {
    const [idBase, phandle, outBase, length] = c.slice(t, t + 4);
    const tuple = t / 4;
    if ((idBase & ~mapMask) >>> 0) {
      if (enabled) ctx.diagnostics.push(finding('pas/iommu-map-wellformed', `iommu-map tuple ${tuple} of ${name}: iommu-map-mask ${hex(mapMask)} ignores id-base ${hex(idBase)} (of_map_id: -EFAULT)`, { path: node.path, property: 'iommu-map', span: entrySpan(prop, t + 1) }));
      continue;
    }
    const target = ctx.index.node(phandle);
    if (!target) {
      if (enabled) ctx.diagnostics.push(finding('pas/iommu-map-wellformed', `iommu-map tuple ${tuple} of ${name}: phandle ${hex(phandle)} does not resolve (of_map_id: -ENODEV)`, { path: node.path, property: 'iommu-map', span: entrySpan(prop, t + 1) }));
      continue;
    }
    ctx.targets.add(target);
    if (!isArmSmmu(target, ctx.index)) {
      // SMMUv3 (and any IOMMU without stream matching): a range, checked by pci-maps.ts.
      ctx.ranges.push({ node, kind: 'iommu-map', tuple, ridBase: idBase, outBase, length, mapMask, target, property: prop, span: entrySpan(prop, t + 1), enabled });
      continue;
    }
    const count = Math.min(length, MAX_RIDS_PER_TUPLE);
    if (length > MAX_RIDS_PER_TUPLE) ctx.notes.push(`${name}: iommu-map tuple ${tuple} maps ${length} requester IDs; the model enumerates the first ${MAX_RIDS_PER_TUPLE}`);
    const smm = u32(target, 'stream-match-mask') ?? 0;
    for (let k = 0; k < count; k++) {
      const rid = idBase + k;
      const device: Device = { node, id: `${ctx.index.pathOf(node)} [RID ${hex(rid)}]`, rid, enabled, streams: [], pasRemoteproc: false, order: ctx.index.orderOf(node) };
      device.streams.push(makeStream(ctx, device, target, (outBase + k) >>> 0, smm, true, 'iommu-map', tuple, prop, enabled && k === 0, entrySpan(prop, t + 1)));
      devices.push(device);
    }
  }
  return devices;
}

/** of_map_id's reading of `msi-map`: 4-cell tuples onto an MSI controller (the ITS), kept as ranges. */
function resolveMsiMap(ctx: Context, node: Node, prop: Property, enabled: boolean): void {
  const bytes = prop.value.bytes.length;
  if (bytes === 0 || bytes % 16 !== 0) {
    if (enabled) ctx.diagnostics.push(finding('pas/iommu-map-wellformed', `Bad msi-map length ${bytes} in ${ctx.index.name(node)}: not a list of 4-cell (id-base, phandle, out-base, length) tuples`, { path: node.path, property: 'msi-map', span: prop.span }));
    return;
  }
  const mapMask = u32(node, 'msi-map-mask') ?? 0xffffffff;
  const c = cells(prop);
  for (let t = 0; t < c.length; t += 4) {
    const [idBase, phandle, outBase, length] = c.slice(t, t + 4);
    const target = ctx.index.node(phandle);
    if (!target) {
      if (enabled) ctx.diagnostics.push(finding('pas/iommu-map-wellformed', `msi-map tuple ${t / 4} of ${ctx.index.name(node)}: phandle ${hex(phandle)} does not resolve (of_map_id: -ENODEV)`, { path: node.path, property: 'msi-map', span: entrySpan(prop, t + 1) }));
      continue;
    }
    ctx.ranges.push({ node, kind: 'msi-map', tuple: t / 4, ridBase: idBase, outBase, length, mapMask, target, property: prop, span: entrySpan(prop, t + 1), enabled });
  }
}
