/**
 * The PAS checks of ../shared/PAS.md §12 as data: one entry per rule with its id (`pas/<name>`),
 * the table's check id, default severity, a one-line summary, the rationale and the sources.
 * Every rule has a page in docs/rules/pas/<name>.md; test/pas/rules.test.ts keeps the two in step.
 */
import type { Diagnostic, Severity, Span } from '../diagnostics.js';

export interface PasRule {
  /** `pas/<name>` */
  id: string;
  /** PAS.md §12 id, e.g. SMR-01. */
  check: string;
  severity: Severity;
  /** When the severity depends on the case (e.g. "error for an EL2 remoteproc"). */
  escalation?: string;
  summary: string;
  rationale: string;
  source: string;
}

const rule = (check: string, name: string, severity: Severity, summary: string, rationale: string, source: string, escalation?: string): PasRule => ({
  id: `pas/${name}`,
  check,
  severity,
  summary,
  rationale,
  source,
  escalation,
});

export const PAS_RULES: readonly PasRule[] = [
  rule('IOMMU-01', 'iommus-cell-count', 'error', 'The length of `iommus` must divide into specifiers of 1 + the target\'s `#iommu-cells`, read per phandle.', 'of_parse_phandle_with_args reads each specifier with the target node\'s #iommu-cells; a short or misaligned list stops of_iommu_configure at the first bad entry.', '[S1:of_iommu_configure]'),
  rule('IOMMU-02', 'iommus-phandle-target', 'error', 'Each `iommus` phandle resolves to a node that has `#iommu-cells`.', 'Without #iommu-cells the specifier cannot be parsed; of_iommu_configure gives up.', '[S1]'),
  rule('IOMMU-03', 'iommu-cells-enum', 'error', 'For arm,smmu nodes `#iommu-cells` is 1 or 2.', 'The arm,smmu binding allows only 1 (SID) or 2 (SID, SMR mask).', '[S16d]'),
  rule('IOMMU-04', 'iommu-target-enabled', 'warning', 'The SMMU an `iommus` entry points at is enabled.', 'of_iommu_xlate returns NO_IOMMU for an unavailable SMMU: the device runs untranslated. A PAS remoteproc still has has_iommu=true (the property is present), so rproc_enable_iommu fails.', '[S1:of_iommu_xlate][S5:qcom_pas_probe][S10:rproc_enable_iommu]', 'error for a PAS remoteproc at EL2'),
  rule('IOMMU-05', 'sid-16bit', 'error', 'SID and mask fit in 16 bits.', 'arm_smmu_of_xlate packs them with FIELD_PREP into [15:0] and [31:16]: wider values are silently truncated.', '[S2:arm_smmu_of_xlate][S3] (derived)'),
  rule('IOMMU-06', 'sid-in-range', 'error', 'The SID has no bits outside the SMMU\'s `streamid_mask` (model parameter, default 0x7fff).', 'arm_smmu_probe_device: "stream ID 0x%x out of range for SMMU"; the device loses its IOMMU.', '[S2:arm_smmu_probe_device]'),
  rule('IOMMU-07', 'mask-in-range', 'error', 'The mask has no bits outside the SMMU\'s `smr_mask_mask` (model parameter, default 0x7fff).', 'arm_smmu_probe_device: "SMR mask 0x%x out of range for SMMU".', '[S2:arm_smmu_probe_device]'),
  rule('IOMMU-08', 'sid-mask-redundant', 'warning', 'No SID bit is set under the mask (`sid & mask == 0`); one finding per property, listing the entries.', 'Those ID bits are don\'t-care, and SMR.ID bits under MASK may not survive the hardware read-back.', '[S2:arm_smmu_test_smr_masks]'),
  rule('IOMMU-09', 'stream-match-mask-with-2-cells', 'info', '`stream-match-mask` on an SMMU with `#iommu-cells = <2>` only applies to 1-cell and `iommu-map` IDs.', 'arm_smmu_of_xlate takes the mask from the second cell when there is one.', '[S16d][S2]'),
  rule('IOMMU-10', 'iommu-map-wellformed', 'error', '`iommu-map` is made of 4-cell tuples whose id-base has no bits outside `iommu-map-mask`, and whose phandles resolve.', 'of_map_id: "Bad iommu-map length" (-EINVAL), "ignores id-base" (-EFAULT), unresolved target (-ENODEV).', '[S19:of_map_id]'),
  rule('SMR-01', 'smr-partial-overlap', 'error', 'Two devices on one SMMU have stream sets that intersect without one containing the other.', 'arm_smmu_find_sme returns -EINVAL whichever probes second, in either order: that device loses its IOMMU.', '[S2:arm_smmu_find_sme]'),
  rule('SMR-02', 'smr-containment-order', 'warning', 'One device\'s stream set strictly contains another\'s: reuse in one probe order, -EINVAL in the other.', 'find_sme reuses an entry only when the new set is a subset of the existing one; "existing ⊂ new" is a conflict.', '[S2:arm_smmu_find_sme]'),
  rule('SMR-03', 'smr-shared-group', 'warning', 'A device that needs its own domain (a PAS remoteproc, a fastrpc compute context bank) shares its iommu_group with another device: their stream sets are identical or one contains the other.', 'arm_smmu_device_group shares the group of a reused entry; iommu_attach_device then returns -EINVAL for a remoteproc (the group is not a singleton), and fastrpc sessions in one group share one domain.', '[S2:arm_smmu_device_group][S18:iommu_attach_device]', 'error when a PAS remoteproc is in the group'),
  rule('SMR-04', 'duplicate-sid-same-device', 'info', 'Specifiers of one device overlap: one finding per property, listing the entries.', 'Contained: the second reuses the first entry (no error); partial: -EINVAL for the device.', '[S2:arm_smmu_master_alloc_smes]', 'error when an entry partially overlaps an earlier one'),
  rule('SMR-05', 'smr-exhaustion', 'error', 'SMRs needed after reuse, plus handoff SMRs, exceed the SMMU\'s stream-match groups.', 'find_sme returns -ENOSPC: the device that finds the table full loses its IOMMU.', '[S2:arm_smmu_find_sme][S4b:qcom_smmu_cfg_probe]'),
  rule('SMR-06', 'handoff-smr-interaction', 'warning', 'A device\'s streams interact with an SMR the bootloader left valid.', 'Contained: the device takes the entry over and narrows it, orphaning the other SIDs it covered (warning). Partial overlap: -EINVAL (error).', '[S4:qcom_smmu_cfg_probe][S2:arm_smmu_master_alloc_smes]', 'error for a partial overlap'),
  rule('SMR-07', 'cross-smmu-duplicate', 'info', 'The same SID on different SMMUs is fine: never flagged.', 'Each SMMU has its own SMR space; this rule documents that the model keeps them apart.', '[S2] (per-SMMU state)'),
  rule('CB-01', 'context-bank-budget', 'error', 'Context banks needed (DMA/unmanaged domains, one extra per EL2 remoteproc, the bypass-quirk bank) fit `num_context_banks`.', 'arm_smmu_alloc_context_bank returns -ENOSPC and the attach fails.', '[S2:arm_smmu_init_domain_context][S3:ARM_SMMU_MAX_CBS]'),
  rule('CB-02', 'context-irq-count', 'error', 'The SMMU has at least one context interrupt, and one per context bank (SMMUv2).', 'arm_smmu_device_probe: "found only %d context irq(s) but %d required": the SMMU does not probe.', '[S2:arm_smmu_device_probe][S16d]'),
  rule('CB-03', 'global-interrupts-present', 'error', 'The SMMU has `#global-interrupts`.', 'arm_smmu_device_dt_probe: "missing #global-interrupts property" (-ENODEV).', '[S2:arm_smmu_device_dt_probe]'),
  rule('RP-01', 'el2-remoteproc-missing-iommus', 'error', 'At EL2, an enabled PAS remoteproc has `iommus`.', 'Without it has_iommu=false: no domain, no TZ resource table, no SHM bridge, a plain auth_and_reset, and the firmware stream is unmatched.', '[S5:qcom_pas_probe][S6:qcom_scm_pas_prepare_and_auth_reset][S17a]', 'warning for remoteprocs the SoC profile does not require it of'),
  rule('RP-02', 'el1-remoteproc-has-iommus', 'warning', 'At EL1 under Gunyah, a PAS remoteproc has no `iommus`.', 'Linux would try to own a stream that is controlled by Gunyah.', '[S17c][S14]'),
  rule('RP-03', 'iommus-maxitems', 'error', 'A PAS node has at most one `iommus` specifier.', 'qcom,pas-common.yaml: iommus maxItems 1.', '[S16b]'),
  rule('RP-04', 'iommus-binding-version', 'warning', '`iommus` on a PAS node needs a qcom,pas-common.yaml that has the property (given with --bindings).', 'With unevaluatedProperties: false, dtbs_check fails on the older binding.', '[S16a][S16c]'),
  rule('RP-05', 'compatible-known', 'error', 'A PAS compatible is in the SoC\'s qcom_pas_of_match.', 'Otherwise the driver does not bind.', '[S5:qcom_pas_of_match]'),
  rule('RP-06', 'memory-region-present', 'error', '`memory-region[0]` resolves to a reserved-memory node with `reg`.', 'qcom_pas_alloc_memory_region: "unable to resolve memory-region".', '[S5:qcom_pas_alloc_memory_region][S16c]'),
  rule('RP-07', 'memory-region-no-map', 'error', 'The carve-out\'s reserved-memory node has `no-map`.', 'devm_ioremap_resource_wc requests the range; overlapping System RAM gives "unable to map memory region" (derived).', '[S5][S12]'),
  rule('RP-08', 'carveout-alignment', 'error', 'Carve-out base and size are multiples of 4 KiB.', 'The SHM bridge packs permissions into the low bits of the address; iommu_map needs page alignment.', '[S8][S5:qcom_pas_map_carveout]'),
  rule('RP-09', 'carveout-overlap', 'error', 'Reserved-memory regions are pairwise disjoint.', 'Two owners of the same memory: the firmware image overwrites, or is overwritten by, the other user.', '[S12] (computed)'),
  rule('RP-10', 'carveout-identity-fits-aperture', 'error', 'base + size of the carve-out fits the identity IOVA aperture (2^ias).', 'qcom_pas_map_carveout maps iova = phys; the domain aperture is (1 << ias) - 1.', '[S2:arm_smmu_init_domain_context][S5]'),
  rule('RP-11', 'rsc-devmem-vs-carveout', 'warning', 'DEVMEM entries of a resource-table fixture overlap neither each other nor the identity carve-out IOVA.', 'iommu_map on an IOVA that is already mapped fails.', '[S10:rproc_handle_devmem][S5]'),
  rule('RP-12', 'rsc-table-wellformed', 'error', 'A resource-table fixture is well formed: offsets in range, reserved fields zero, at most 2 vrings, size within what TZ reports (1 GiB cap).', 'rproc_handle_resources rejects truncated entries and non-zero reserved fields.', '[S10][S11][S6]'),
  rule('RP-13', 'power-domain-names', 'error', '`power-domain-names` include every proxy power domain the driver attaches for the compatible.', 'qcom_pas_pds_attach attaches each proxy PD by name; a missing one fails the probe. Extra names are the binding\'s business.', '[S16c][S5]'),
  rule('RP-14', 'firmware-name-count', 'error', '`firmware-name` has at most as many entries as the binding allows (SA8775P: 1).', 'Binding.', '[S16c]'),
  rule('RP-15', 'pas-id-unique', 'warning', 'No two enabled nodes resolve to the same PAS id.', 'The TZ state machine is per PAS id (derived).', '[S5][S6]'),
  rule('OVL-01', 'overlay-labels-exist', 'error', 'Every `&label` of an overlay exists in the base.', 'fdtoverlay fails (FDT_ERR_NOTFOUND); e.g. gpu_zap_shader is missing from older lemans.dtsi.', '[S14][S12][S13]'),
  rule('OVL-02', 'el2-disabled-devices', 'warning', 'In the EL2 tree the devices that need more work (iris, gpu_zap_shader on Lemans) are disabled; other enabled firmware clients without a firmware stream (a `*-firmware` child with `iommus`) are flagged.', '"Disable functionality that needs more work before it can be enabled in EL2."', '[S14][S17c][S17d][S15]'),
  rule('OVL-03', 'overlay-sid-collision', 'error', 'A stream an overlay sets collides with another device\'s on the same SMMU (partial overlap, containment, or a group shared with a PAS remoteproc or a fastrpc session): one finding, at the overlay line.', 'An overlay must not break streams the base already gives to other devices.', 'PAS.md §3.6', 'the outcome\'s severity: warning for a containment without a remoteproc, or a group shared with a fastrpc session'),
  rule('PCI-01', 'map-sid-overlap', 'error', 'The `iommu-map` stream-ID ranges of different host bridges on one SMMUv3 do not overlap.', 'arm-smmu-v3 keeps one master per stream ID: arm_smmu_insert_master refuses a second ("stream %u already in tree", -EINVAL), so the function that probes second runs without IOMMU.', '[S22:arm_smmu_insert_master][S19:of_map_id]'),
  rule('PCI-02', 'sid-width', 'error', 'Stream IDs on an SMMUv3 (`iommu-map` ranges, `iommus` entries) are below 2^SIDSIZE (profile `sidBits`).', 'arm_smmu_init_sid_strtab: arm_smmu_sid_in_range fails with -ERANGE and the device gets no IOMMU.', '[S22:arm_smmu_sid_in_range]', 'warning when the SID width is assumed, not public'),
  rule('PCI-03', 'msi-map-mismatch', 'warning', 'A host bridge\'s `msi-map` covers the same requester IDs (and mask) as its `iommu-map`.', 'of_map_id fails for an ID outside a map ("no msi-map translation"): a function with an IOMMU stream but no ITS DeviceID has no MSIs, and the other way round no IOMMU.', '[S19:of_map_id]'),
  rule('PCI-04', 'its-device-id-unique', 'error', 'The `msi-map` DeviceID ranges of different host bridges on one ITS do not overlap.', 'its_msi_prepare finds the existing ITS device for a DeviceID and shares its ITT: two bridges\' functions then share one event table.', '[S23:its_msi_prepare][S19:of_map_id]'),
  rule('PCI-05', 'map-target-kind', 'error', 'An `iommu-map` points at an enabled IOMMU (`#iommu-cells`), an `msi-map` at an enabled MSI controller (`msi-controller`).', 'of_map_id hands the output ID to whatever the phandle names; a disabled IOMMU gives NO_IOMMU (untranslated functions), a node of the wrong kind no translation at all.', '[S19:of_map_id][S1:of_iommu_xlate]', 'warning when the target is of the right kind but disabled'),
  rule('DMA-01', 'remoteproc-dma-masters', 'info', 'Firmware-driven DMA masters of the remoteprocs are not described; their fate depends on handoff SMRs and disable_bypass. One note per SMMU.', 'Stephan Gerhold\'s question on v3 of the EL2 series (PAS.md §11).', '[S17b]'),
];

export const RULES_BY_ID = new Map(PAS_RULES.map((r) => [r.id, r]));

export function ruleMeta(id: string): PasRule {
  const meta = RULES_BY_ID.get(id);
  if (!meta) throw new Error(`unknown PAS rule ${id}`);
  return meta;
}

export interface FindingInput {
  path?: string;
  property?: string;
  span?: Span;
  related?: { message: string; span?: Span }[];
  /** Overrides the rule's default severity (escalations). */
  severity?: Severity;
}

/** A Diagnostic for rule `id`; related entries without a span are kept in the message instead. */
export function finding(id: string, message: string, input: FindingInput = {}): Diagnostic {
  const meta = ruleMeta(id);
  const d: Diagnostic = { rule: id, severity: input.severity ?? meta.severity, message };
  if (input.path) d.path = input.path;
  if (input.property) d.property = input.property;
  if (input.span) d.span = input.span;
  const related = (input.related ?? []).filter((r): r is { message: string; span: Span } => !!r.span);
  if (related.length) d.related = related;
  return d;
}
