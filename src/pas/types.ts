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
