/** The values the PAS model passes between its stages (resolution → SMMU model → bring-up). */
import type { Span } from '../diagnostics.js';
import type { Node, Property } from '../tree/model.js';
import type { SmmuParameters } from './profile.js';

/** One fwspec ID: a (SID, mask) pair on one SMMU, from one `iommus` specifier or `iommu-map` result. */
export interface StreamId {
  device: Device;
  smmu: Node;
  /** The 16-bit values the SMMU sees (after FIELD_PREP truncation). */
  sid: number;
  mask: number;
  /** The values as written in the tree. */
  rawSid: number;
  rawMask: number;
  /** Mask came from the SMMU's stream-match-mask (1-cell specifier or iommu-map). */
  maskFromSmmu: boolean;
  form: 'iommus' | 'iommu-map';
  /** Specifier index within the property. */
  index: number;
  property: Property;
  /** Where this entry was written: its phandle's position for a source, else the property's. */
  span?: Span;
}

/** A DMA master as the IOMMU core sees it: a platform device, or one PCI requester ID behind a host bridge. */
export interface Device {
  node: Node;
  /** Node path, plus ` [RID 0x..]` for PCI functions. */
  id: string;
  rid?: number;
  enabled: boolean;
  streams: StreamId[];
  /** The PAS remoteproc itself (has a qcom PAS compatible). */
  pasRemoteproc: boolean;
  /** Tree-order position, the default probe order. */
  order: number;
}

export interface Smmu {
  node: Node;
  label?: string;
  /** Has the arm-smmu stream-match model (arm,smmu-v2 / mmu-500 / qcom smmu-500 family). */
  armSmmu: boolean;
  /** arm,smmu-v3: stream table indexed by SID (no SMRs); SIDs below 2^params.sidBits. */
  smmuV3: boolean;
  enabled: boolean;
  /** Probes: enabled, #global-interrupts present, context IRQs sufficient. */
  probes: boolean;
  iommuCells?: number;
  streamMatchMask?: number;
  globalInterrupts?: number;
  contextInterrupts?: number;
  params: SmmuParameters & { numMappingGroups: number; numContextBanks: number; bypassQuirk: boolean };
  /** Which parameters were assumed (no profile fact, no DT fact). */
  assumed: string[];
}

/**
 * One tuple of an `iommu-map` or `msi-map` (of_map_id): requester IDs [ridBase, ridBase + length)
 * of a host bridge become output IDs [outBase, outBase + length) on `target`. Kept as a range: an
 * SMMUv3 or an ITS takes all 2^16 of them, enumerating them would say nothing more.
 */
export interface MapRange {
  /** The host bridge. */
  node: Node;
  kind: 'iommu-map' | 'msi-map';
  tuple: number;
  ridBase: number;
  outBase: number;
  length: number;
  /** iommu-map-mask / msi-map-mask (0xffffffff when absent). */
  mapMask: number;
  target: Node;
  property: Property;
  /** The tuple's phandle position: the overlay line that set the map. */
  span?: Span;
  enabled: boolean;
}
