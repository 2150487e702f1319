/**
 * PAS remoteprocs (PAS.md §5, §7, §9, §10): which nodes qcom_q6v5_pas binds, what the probe reads
 * from them (firmware-name, iommus presence, memory-region[0], power domains), and the findings on
 * those inputs: RP-01..RP-10, RP-13..RP-15, OVL-02.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Property } from '../tree/model.js';
import { findProperty } from '../overlay/lookup.js';
import { type ReservedRegion, regionOf } from './carveouts.js';
import { cells, compatibles, hex, strings, type TreeIndex } from './dt.js';
import type { PasData, SocProfile } from './profile.js';
import { finding } from './rules.js';
import type { Device } from './types.js';

const GENERIC_PAS_COMPATIBLE = /^qcom,[a-z0-9]+-[a-z0-9]+-pas$/;

export interface Remoteproc {
  node: Node;
  label?: string;
  compatible: string;
  /** The SoC profile's qcom_pas_data for the compatible. */
  data?: PasData;
  enabled: boolean;
  iommus?: Property;
  device?: Device;
  memoryRegion?: Property;
  carveout?: ReservedRegion;
  /** Why memory-region[0] does not resolve. */
  carveoutProblem?: string;
  firmwareNames: string[];
  powerDomainNames: string[];
}

export function pasCompatible(node: Node, profile: SocProfile | undefined, index?: TreeIndex): { compatible: string; data?: PasData } | undefined {
  const list = index ? index.compatibles(node) : compatibles(node);
  for (const c of list) {
    const data = profile?.pas.find((p) => p.compatible === c);
    if (data) return { compatible: c, data };
  }
  const generic = list.find((c) => GENERIC_PAS_COMPATIBLE.test(c));
  return generic ? { compatible: generic } : undefined;
}

export function findRemoteprocs(index: TreeIndex, profile: SocProfile | undefined, devices: Device[], regions: ReservedRegion[]): Remoteproc[] {
  const out: Remoteproc[] = [];
  for (const node of index.nodes) {
    const pas = pasCompatible(node, profile, index);
    if (!pas) continue;
    const memoryRegion = findProperty(node, 'memory-region');
    const rp: Remoteproc = {
      node,
      label: index.label(node),
      compatible: pas.compatible,
      data: pas.data,
      enabled: index.enabled(node),
      iommus: findProperty(node, 'iommus'),
      device: devices.find((d) => d.node === node),
      memoryRegion,
      firmwareNames: strings(findProperty(node, 'firmware-name')),
      powerDomainNames: strings(findProperty(node, 'power-domain-names')),
    };
    const ph = cells(memoryRegion)[0];
    const target = ph !== undefined ? index.node(ph) : undefined;
    if (!memoryRegion) rp.carveoutProblem = 'no memory-region property';
    else if (!target) rp.carveoutProblem = `memory-region[0] phandle ${hex(ph ?? 0)} does not resolve`;
    else if (target.parent?.name !== 'reserved-memory') rp.carveoutProblem = `memory-region[0] points at ${index.name(target)}, which is not a reserved-memory node`;
    else if (!findProperty(target, 'reg')) rp.carveoutProblem = `memory-region[0] points at ${index.name(target)}, which has no reg (a dynamically allocated region)`;
    else {
      rp.carveout = regionOf(regions, target);
      if (!rp.carveout) rp.carveoutProblem = `memory-region[0] points at ${index.name(target)}, which is disabled`;
    }
    out.push(rp);
  }
  return out;
}

export interface RemoteprocCheckOptions {
  el: 1 | 2;
  profile?: SocProfile;
  /** ias of the SMMU the remoteproc's iommus use (for RP-10). */
  iasOf: (rp: Remoteproc) => number;
  /** A kernel tree's Documentation/devicetree/bindings, for RP-04. */
  bindingsDir?: string;
  /** Nodes an overlay fragment targeted: a finding about what the overlay left out points there. */
  targeted?: Map<Node, Span>;
}

export function remoteprocFindings(index: TreeIndex, rps: Remoteproc[], options: RemoteprocCheckOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { el, profile } = options;
  const bindingHasIommus = options.bindingsDir ? pasBindingHasIommus(options.bindingsDir) : undefined;
  for (const rp of rps) {
    if (!rp.enabled) continue;
    const name = index.name(rp.node);
    const at = { path: rp.node.path };
    const compatibleProp = findProperty(rp.node, 'compatible');
    // A profile made only of SMMU overrides (--smmu without a SoC profile) knows no PAS compatibles.
    if (profile && profile.pas.length && !rp.data) {
      out.push(finding('pas/compatible-known', `${name}: ${rp.compatible} is not in qcom_pas_of_match for ${profile.soc}: the PAS driver does not bind`, { ...at, property: 'compatible', span: compatibleProp?.span }));
    }
    // RP-01 / RP-02
    if (el === 2 && !rp.iommus) {
      const required = rp.data?.el2RequiresIommus ?? false;
      out.push(
        finding('pas/el2-remoteproc-missing-iommus', `${name}: no iommus at EL2: has_iommu=false, so no IOMMU domain, no TZ resource table, no SHM bridge; plain auth_and_reset, and the firmware stream ${required ? 'is unmatched (blocked with disable_bypass)' : 'may be unmatched'}`, {
          ...at,
          severity: required ? 'error' : 'warning',
          // The overlay's fragment for this node is where iommus belongs; else the line that enabled it.
          span: options.targeted?.get(rp.node) ?? findProperty(rp.node, 'status')?.span ?? compatibleProp?.span,
        }),
      );
    }
    if (el === 1 && rp.iommus) {
      out.push(finding('pas/el1-remoteproc-has-iommus', `${name}: iommus at EL1 under Gunyah: Linux would try to own a stream that Gunyah controls`, { ...at, property: 'iommus', span: rp.iommus.span }));
    }
    if (rp.iommus && rp.device) {
      const max = profile?.pasIommusMaxItems ?? 1;
      if (rp.device.streams.length > max) {
        out.push(finding('pas/iommus-maxitems', `${name}: ${rp.device.streams.length} iommus specifiers; qcom,pas-common.yaml allows at most ${max}`, { ...at, property: 'iommus', span: rp.iommus.span }));
      }
    }
    if (rp.iommus && bindingHasIommus === false) {
      out.push(finding('pas/iommus-binding-version', `${name}: iommus on a PAS node, but the qcom,pas-common.yaml in ${options.bindingsDir} predates the EL2 series: dtbs_check fails (unevaluatedProperties: false)`, { ...at, property: 'iommus', span: rp.iommus.span }));
    }
    // RP-06..RP-08, RP-10
    if (rp.carveoutProblem) {
      out.push(finding('pas/memory-region-present', `${name}: unable to resolve memory-region: ${rp.carveoutProblem}`, { ...at, property: 'memory-region', span: rp.memoryRegion?.span ?? compatibleProp?.span }));
    } else if (rp.carveout) {
      const c = rp.carveout;
      const cname = index.name(c.node);
      if (!c.noMap) {
        out.push(finding('pas/memory-region-no-map', `${name}: carve-out ${cname} has no no-map: devm_ioremap_resource_wc of a range Linux also maps as System RAM fails ("unable to map memory region")`, { path: c.node.path, span: c.reg.span, related: [{ message: 'used by this memory-region', span: rp.memoryRegion?.span }] }));
      }
      if (c.base % 4096n || c.size % 4096n) {
        out.push(finding('pas/carveout-alignment', `${name}: carve-out ${cname} at ${hex(c.base)} size ${hex(c.size)} is not 4 KiB aligned: the SHM bridge and iommu_map need page-aligned ranges`, { path: c.node.path, property: 'reg', span: c.reg.span }));
      }
      const ias = options.iasOf(rp);
      if (el === 2 && rp.iommus && c.base + c.size > 1n << BigInt(ias)) {
        out.push(finding('pas/carveout-identity-fits-aperture', `${name}: carve-out ${cname} ends at ${hex(c.base + c.size)}, beyond the ${ias}-bit IOVA aperture of the identity map`, { path: c.node.path, property: 'reg', span: c.reg.span }));
      }
    }
    // RP-13, RP-14
    // qcom_pas_pds_attach attaches each proxy PD by name: a missing name fails the probe; names
    // the driver does not proxy (sc7180 mpss's "mx") are the binding's business.
    const missingPds = (rp.data?.powerDomainNames ?? []).filter((pd) => !rp.powerDomainNames.includes(pd));
    if (rp.data?.powerDomainNames && missingPds.length) {
      const prop = findProperty(rp.node, 'power-domain-names');
      out.push(
        finding('pas/power-domain-names', `${name}: power-domain-names ${JSON.stringify(rp.powerDomainNames)} lacks ${JSON.stringify(missingPds)}; ${rp.compatible} needs ${JSON.stringify(rp.data.powerDomainNames)} (its proxy power domains: dev_pm_domain_attach_by_name fails)`, {
          ...at,
          property: 'power-domain-names',
          span: prop?.span ?? compatibleProp?.span,
        }),
      );
    }
    const maxNames = rp.data?.maxFirmwareNames;
    if (maxNames !== undefined && rp.firmwareNames.length > maxNames) {
      out.push(finding('pas/firmware-name-count', `${name}: ${rp.firmwareNames.length} firmware-name entries; the binding allows ${maxNames}`, { ...at, property: 'firmware-name', span: findProperty(rp.node, 'firmware-name')?.span }));
    }
  }
  // RP-15
  const byId = new Map<number, Remoteproc[]>();
  for (const rp of rps) if (rp.enabled && rp.data) byId.set(rp.data.pasId, [...(byId.get(rp.data.pasId) ?? []), rp]);
  for (const [id, list] of byId) {
    if (list.length < 2) continue;
    const [first, ...rest] = list;
    for (const rp of rest) {
      out.push(
        finding('pas/pas-id-unique', `${index.name(rp.node)} and ${index.name(first.node)} both resolve to PAS id ${id}: TZ keeps one state machine per PAS id`, {
          path: rp.node.path,
          property: 'compatible',
          span: findProperty(rp.node, 'compatible')?.span,
          related: [{ message: `${first.node.path} has the same PAS id`, span: findProperty(first.node, 'compatible')?.span }],
        }),
      );
    }
  }
  return out;
}

/** OVL-02: in the EL2 tree, the profile's must-be-disabled nodes are disabled; other firmware clients without a firmware stream are flagged. */
export function el2DisabledFindings(index: TreeIndex, rps: Remoteproc[], profile: SocProfile | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const listed = new Set<Node>();
  for (const label of profile?.el2MustBeDisabled ?? []) {
    const node = index.byLabelOrPath(label);
    if (!node) continue;
    listed.add(node);
    if (!index.enabled(node)) continue;
    out.push(
      finding('pas/el2-disabled-devices', `${index.name(node)} is enabled in the EL2 tree: it needs more work before it can run at EL2 (its firmware stream is not described) and should be disabled`, {
        path: node.path,
        property: 'status',
        span: findProperty(node, 'status')?.span ?? node.span,
      }),
    );
  }
  const pasNodes = new Set(rps.map((r) => r.node));
  for (const node of index.nodes) {
    if (listed.has(node) || pasNodes.has(node)) continue;
    if (!findProperty(node, 'firmware-name') || !findProperty(node, 'memory-region') || !index.enabled(node)) continue;
    if (firmwareStream(node)) continue;
    out.push(
      finding('pas/el2-disabled-devices', `${index.name(node)} loads firmware (${strings(findProperty(node, 'firmware-name'))[0]}) into a memory-region but no firmware stream is described for EL2`, {
        path: node.path,
        property: 'firmware-name',
        span: findProperty(node, 'firmware-name')?.span,
      }),
    );
  }
  return out;
}

/**
 * The firmware's own stream, described as a `*-firmware` child with iommus: venus's
 * `video-firmware { iommus = <…>; }` (qcom,venus-common.yaml), which Linux uses when no hypervisor
 * or TrustZone owns that stream (as at EL2).
 */
function firmwareStream(node: Node): Node | undefined {
  return node.children.find((c) => !c.deleted && /(^|-)firmware$/.test(c.name) && findProperty(c, 'iommus'));
}

function pasBindingHasIommus(dir: string): boolean | undefined {
  for (const candidate of [path.join(dir, 'remoteproc/qcom,pas-common.yaml'), path.join(dir, 'Documentation/devicetree/bindings/remoteproc/qcom,pas-common.yaml'), path.join(dir, 'qcom,pas-common.yaml')]) {
    if (!fs.existsSync(candidate)) continue;
    return /^ {2}iommus:/m.test(fs.readFileSync(candidate, 'utf8'));
  }
  return undefined;
}
