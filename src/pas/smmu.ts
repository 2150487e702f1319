/**
 * The SMMUs of a tree and the parameters the model runs them with (PAS.md §2): what the DT says
 * (#iommu-cells, stream-match-mask, #global-interrupts, interrupt count, status), what the SoC
 * profile says (SMR count, SID width, context banks, bypass policy, handoff SMRs), and the
 * defaults PAS.md gives for the rest, recorded as assumptions. Per-SMMU findings: IOMMU-03,
 * IOMMU-09, CB-02, CB-03.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Node, Property } from '../tree/model.js';
import { findProperty } from '../overlay/lookup.js';
import { compatibles, disablingStatus, hex, interruptCount, u32, type TreeIndex } from './dt.js';
import { ASSUMED_MAPPING_GROUPS, GENERIC_SMMU_DEFAULTS, type SmmuParameters, type SocProfile } from './profile.js';
import { finding } from './rules.js';
import type { Smmu } from './types.js';

/** The arm-smmu driver's (v1/v2, MMU-400/401/500 and qcom's) compatibles: the stream-match model applies. */
const ARM_SMMU_COMPATIBLE = /^(arm,(smmu-v[12]|mmu-40[01]|mmu-500)|qcom,(smmu-v2|smmu-500|adreno-smmu)|[^,]+,[^,]*smmu-(v2|500))$/;

/** ARM_SMMU_MAX_CBS */
const MAX_CONTEXT_BANKS = 128;

export function isArmSmmu(node: Node, index?: TreeIndex): boolean {
  return (index ? index.compatibles(node) : compatibles(node)).some((c) => ARM_SMMU_COMPATIBLE.test(c));
}

/** arm-smmu-v3's compatible: a linear or 2-level stream table indexed by SID, no SMRs. */
export function isSmmuV3(node: Node, index?: TreeIndex): boolean {
  return (index ? index.compatibles(node) : compatibles(node)).includes('arm,smmu-v3');
}

export function describeSmmus(index: TreeIndex, targets: Set<Node>, profile: SocProfile | undefined, el: 1 | 2, changed: Set<Property> = new Set()): { smmus: Map<Node, Smmu>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const smmus = new Map<Node, Smmu>();
  const candidates = index.nodes.filter((n) => targets.has(n) || (findProperty(n, '#iommu-cells') && (isArmSmmu(n, index) || isSmmuV3(n, index))));
  for (const node of candidates) {
    const armSmmu = isArmSmmu(node, index);
    const smmuV3 = !armSmmu && isSmmuV3(node, index);
    const label = index.label(node);
    const name = index.name(node);
    const assumed: string[] = [];
    const fromProfile: Partial<SmmuParameters> = {
      ...(profile?.defaults ?? {}),
      ...(profile?.smmus.get(node.path) ?? {}),
      ...(index.labels(node).map((l) => profile?.smmus.get(l) ?? {}).reduce((a, b) => ({ ...a, ...b }), {})),
    };
    const params = { ...GENERIC_SMMU_DEFAULTS, ...fromProfile };
    const assumedKeys = new Set(fromProfile.assumedKeys ?? []);
    if (smmuV3) {
      if (fromProfile.sidBits === undefined || assumedKeys.has('sidBits')) assumed.push(`sidBits=${params.sidBits}`);
    } else {
      for (const key of ['streamIdMask', 'smrMaskMask'] as const) if (fromProfile[key] === undefined || assumedKeys.has(key)) assumed.push(`${key}=${hex(params[key])}`);
    }
    const iommuCells = u32(node, '#iommu-cells');
    const streamMatchMask = u32(node, 'stream-match-mask');
    const globalInterrupts = u32(node, '#global-interrupts');
    const irqs = interruptCount(index, node);
    const contextInterrupts = irqs !== undefined && globalInterrupts !== undefined ? irqs - globalInterrupts : undefined;
    const enabled = !disablingStatus(node);

    let numContextBanks = fromProfile.numContextBanks;
    if (numContextBanks === undefined) {
      numContextBanks = Math.min(MAX_CONTEXT_BANKS, Math.max(0, contextInterrupts ?? MAX_CONTEXT_BANKS));
      if (armSmmu) assumed.push(`numContextBanks=${numContextBanks} (from the context interrupts)`);
    }
    let numMappingGroups = fromProfile.numMappingGroups;
    if (numMappingGroups === undefined) {
      numMappingGroups = ASSUMED_MAPPING_GROUPS;
      if (armSmmu) assumed.push(`numMappingGroups=${ASSUMED_MAPPING_GROUPS}`);
    }
    const bypassQuirk = fromProfile.bypassQuirk ?? el === 1;
    // qcom_smmu_cfg_probe: with the quirk, the stream-match groups are capped at 128.
    if (bypassQuirk && numMappingGroups > 128) numMappingGroups = 128;

    let probes = enabled;
    if (smmuV3 && enabled && iommuCells !== undefined && iommuCells !== 1) {
      diagnostics.push(finding('pas/iommu-cells-enum', `${name}: #iommu-cells = <${iommuCells}>; arm,smmu-v3 takes exactly 1 (the stream ID)`, { path: node.path, property: '#iommu-cells', span: findProperty(node, '#iommu-cells')?.span }));
    }
    if (armSmmu && enabled) {
      if (iommuCells !== undefined && iommuCells !== 1 && iommuCells !== 2) {
        diagnostics.push(finding('pas/iommu-cells-enum', `${name}: #iommu-cells = <${iommuCells}>; arm,smmu allows 1 (SID) or 2 (SID, SMR mask)`, { path: node.path, property: '#iommu-cells', span: findProperty(node, '#iommu-cells')?.span }));
      }
      if (iommuCells === 2 && streamMatchMask !== undefined) {
        diagnostics.push(
          finding('pas/stream-match-mask-with-2-cells', `${name}: stream-match-mask ${hex(streamMatchMask)} is ignored for 2-cell iommus specifiers; it only applies to 1-cell specifiers and iommu-map IDs`, {
            path: node.path,
            property: 'stream-match-mask',
            span: findProperty(node, 'stream-match-mask')?.span,
          }),
        );
      }
      if (globalInterrupts === undefined) {
        probes = false;
        diagnostics.push(finding('pas/global-interrupts-present', `${name}: missing #global-interrupts property: the SMMU does not probe (-ENODEV)`, { path: node.path, span: node.span }));
      } else if (contextInterrupts !== undefined) {
        // Blame the property an overlay changed, if any: the interrupts or #global-interrupts.
        const globals = findProperty(node, '#global-interrupts');
        const irqProp = findProperty(node, 'interrupts') ?? findProperty(node, 'interrupts-extended');
        const interrupts = globals && changed.has(globals) && !(irqProp && changed.has(irqProp)) ? globals : irqProp;
        if (contextInterrupts < 1) {
          probes = false;
          diagnostics.push(
            finding('pas/context-irq-count', `${name}: found ${irqs} interrupts but expected at least ${globalInterrupts + 1} (#global-interrupts = <${globalInterrupts}> plus one context interrupt)`, {
              path: node.path,
              property: interrupts?.name,
              span: interrupts?.span ?? node.span,
            }),
          );
        } else if (numContextBanks > contextInterrupts) {
          probes = false;
          diagnostics.push(
            finding('pas/context-irq-count', `${name}: found only ${contextInterrupts} context irq(s) but ${numContextBanks} required (one per context bank)`, {
              path: node.path,
              property: interrupts?.name,
              span: interrupts?.span ?? node.span,
            }),
          );
        }
      }
    }
    smmus.set(node, {
      node,
      label,
      armSmmu,
      smmuV3,
      enabled,
      probes,
      iommuCells,
      streamMatchMask,
      globalInterrupts,
      contextInterrupts,
      params: { ...params, numMappingGroups, numContextBanks, bypassQuirk },
      assumed,
    });
  }
  return { smmus, diagnostics };
}
