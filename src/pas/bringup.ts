/**
 * The ordered PAS bring-up of one remoteproc (PAS.md §5): probe steps P1–P11 and boot steps
 * B1–B16, for Linux at EL1 under Gunyah or at EL2, each with the tree inputs it reads and its
 * outcome. The first failing step ends the bring-up; later steps are `not-reached`.
 */
import type { Node } from '../tree/model.js';
import { findProperty } from '../overlay/lookup.js';
import { hex, strings, type TreeIndex } from './dt.js';
import type { DeviceOutcome } from './allocate.js';
import type { Remoteproc } from './remoteprocs.js';
import { RSC_CARVEOUT, RSC_DEVMEM, type ResourceTable } from './resource-table.js';
import { matchedIds } from './smr.js';
import type { Diagnostic } from '../diagnostics.js';

export type StepOutcome = 'ok' | 'fail' | 'skipped' | 'assumed' | 'not-reached';

export interface BringupStep {
  id: string;
  title: string;
  outcome: StepOutcome;
  /** What the step reads from the tree (or the model), as text. */
  inputs: Record<string, string>;
  /** The kernel's message for a failure, or a note. */
  message?: string;
  /** The rule behind a failure. */
  rule?: string;
}

export interface RemoteprocResult {
  path: string;
  label?: string;
  compatible: string;
  pasId?: number;
  firmware?: string;
  hasIommu: boolean;
  useTzmem: boolean;
  carveout?: { region: string; base: number; size: number };
  iommus: { smmu: string; sid: number; mask: number; matches: number[] | undefined; entry?: number; group?: number; contextBank?: number; remoteprocContextBank?: number }[];
  steps: BringupStep[];
  outcome: 'boots' | 'fails';
  failedAt?: string;
}

export interface BringupInput {
  index: TreeIndex;
  el: 1 | 2;
  rp: Remoteproc;
  outcome?: DeviceOutcome;
  /** Findings already made about this node, by rule id. */
  findings: Diagnostic[];
  table?: ResourceTable;
  ias: number;
}

export function bringUp(input: BringupInput): RemoteprocResult {
  const { index, el, rp, outcome } = input;
  const node = rp.node;
  const steps: BringupStep[] = [];
  const has = (rule: string) => input.findings.find((d) => d.rule === rule && d.path === node.path && d.severity === 'error');
  const hasIommu = !!rp.iommus;
  const firmware = rp.firmwareNames[0] ?? rp.data?.firmwareName;
  const c = rp.carveout;
  const step = (id: string, title: string, outcome: StepOutcome, inputs: Record<string, string> = {}, message?: string, rule?: string) => steps.push({ id, title, outcome, inputs, message, rule });
  const fail = (id: string, title: string, inputs: Record<string, string>, message: string, rule?: string) => step(id, title, 'fail', inputs, message, rule);

  // Probe (qcom_pas_probe)
  if (rp.data) step('P1', 'match qcom_pas_of_match', 'ok', { compatible: rp.compatible, pasId: String(rp.data.pasId) });
  else if (has('pas/compatible-known')) fail('P1', 'match qcom_pas_of_match', { compatible: rp.compatible }, 'no match: the driver does not bind', 'pas/compatible-known');
  else step('P1', 'match qcom_pas_of_match', 'assumed', { compatible: rp.compatible }, 'no SoC profile: PAS id unknown');
  const scm = scmNode(index);
  step('P2', 'SCM probed first', scm ? 'ok' : 'fail', { scm: scm ? index.pathOf(scm) : 'none' }, scm ? undefined : 'no qcom,scm node: -EPROBE_DEFER forever');
  step('P3', 'firmware name', firmware ? 'ok' : 'fail', { 'firmware-name': rp.firmwareNames.join(', ') || '(driver default)' }, firmware ? undefined : 'no firmware name', has('pas/firmware-name-count') ? 'pas/firmware-name-count' : undefined);
  step('P4', 'has_iommu = iommus present', 'ok', { iommus: hasIommu ? 'present' : 'absent' }, `has_iommu=${hasIommu}`);
  if (rp.carveoutProblem) fail('P5', 'qcom_pas_alloc_memory_region', { 'memory-region': rp.memoryRegion ? 'present' : 'absent' }, `unable to resolve memory-region: ${rp.carveoutProblem}`, 'pas/memory-region-present');
  else if (c && !c.noMap) fail('P5', 'qcom_pas_alloc_memory_region', regionInputs(index, c.node, c.base, c.size), `unable to map memory region: ${hex(c.base)}+${hex(c.size)}`, 'pas/memory-region-no-map');
  else step('P5', 'qcom_pas_alloc_memory_region', 'ok', c ? regionInputs(index, c.node, c.base, c.size) : {});
  step('P6', 'region assignment (region_assign_idx)', 'skipped', {}, 'not used by this SoC');
  const clocks = strings(findProperty(node, 'clock-names'));
  if (!clocks.includes('xo')) fail('P7', 'clocks, regulators, proxy power domains', { 'clock-names': clocks.join(', ') }, 'failed to get xo clock');
  else if (has('pas/power-domain-names')) fail('P7', 'clocks, regulators, proxy power domains', { 'power-domain-names': rp.powerDomainNames.join(', ') }, `proxy power domains ${rp.data?.powerDomainNames?.join(', ')} not found`, 'pas/power-domain-names');
  else step('P7', 'clocks, regulators, proxy power domains', 'ok', { 'clock-names': clocks.join(', '), 'power-domain-names': rp.powerDomainNames.join(', ') });
  const irqNames = strings(findProperty(node, 'interrupt-names'));
  step('P8', 'qcom_q6v5_init, glink/ssr/sysmon subdevices', ['wdog', 'fatal', 'ready', 'handover'].every((n) => irqNames.includes(n)) ? 'ok' : 'fail', { 'interrupt-names': irqNames.join(', ') });
  step('P9', 'devm_qcom_scm_pas_context_alloc', 'ok', { pasId: rp.data ? String(rp.data.pasId) : 'unknown', mem_phys: c ? hex(c.base) : '-', mem_size: c ? hex(c.size) : '-' });
  step('P10', 'use_tzmem = has_iommu', 'ok', {}, `use_tzmem=${hasIommu}`);
  step('P11', 'rproc_add (auto_boot)', 'ok');

  // Boot (rproc_fw_boot → rproc_start → qcom_pas_start)
  step('B1', 'request_firmware', firmware ? 'assumed' : 'fail', { firmware: firmware ?? '-' }, firmware ? 'the file is assumed present' : '-ENOENT');
  const iommuInputs: Record<string, string> = {};
  if (outcome) {
    iommuInputs.smmu = index.label(outcome.smmu.node) ?? outcome.smmu.node.path;
    iommuInputs.streams = outcome.device.streams.map((s) => `${hex(s.sid)}/${hex(s.mask)}`).join(', ');
    if (outcome.group !== undefined) iommuInputs.group = String(outcome.group);
    if (outcome.remoteprocContextBank !== undefined) iommuInputs.contextBank = String(outcome.remoteprocContextBank);
  }
  if (!hasIommu) step('B2', 'rproc_enable_iommu', 'skipped', {}, 'no-op: has_iommu=false');
  else if (!outcome || outcome.status === 'no-iommu') fail('B2', 'rproc_enable_iommu', iommuInputs, `can't attach iommu device: the device has no IOMMU (${outcome?.reason ?? 'its iommus did not resolve'})`, outcome?.rule);
  else if (outcome.attachError) fail('B2', 'rproc_enable_iommu', iommuInputs, `can't attach iommu device: ${outcome.attachError}`, outcome.attachError.includes('ENOSPC') ? 'pas/context-bank-budget' : 'pas/smr-shared-group');
  else if (el === 1) step('B2', 'rproc_enable_iommu', 'ok', iommuInputs, 'attaches a domain to a stream Gunyah controls', 'pas/el1-remoteproc-has-iommus');
  else step('B2', 'rproc_enable_iommu', 'ok', iommuInputs, 'unmanaged domain attached');
  step('B3', 'qcom_register_dump_segments', 'ok');
  const table = input.table;
  if (!hasIommu) step('B4', 'qcom_scm_pas_get_rsc_table', 'skipped', {}, 'only with has_iommu');
  else if (!table) step('B4', 'qcom_scm_pas_get_rsc_table (SCM PIL 0x21)', 'assumed', {}, 'no resource-table fixture: TZ assumed to return an empty table');
  else if (has('pas/rsc-table-wellformed')) fail('B4', 'qcom_scm_pas_get_rsc_table (SCM PIL 0x21)', { fixture: table.file }, 'Error in getting resource table', 'pas/rsc-table-wellformed');
  else step('B4', 'qcom_scm_pas_get_rsc_table (SCM PIL 0x21)', 'ok', { fixture: table.file, entries: String(table.entries.length) });
  const devmems = table?.entries.filter((e) => e.type === RSC_DEVMEM) ?? [];
  if (!hasIommu || !table) step('B5', 'rproc_handle_resources', 'skipped', {}, hasIommu ? 'no fixture' : 'no table');
  else if (devmems.length && el !== 2) fail('B5', 'rproc_handle_resources', {}, 'DEVMEM without a domain: -EINVAL');
  else step('B5', 'rproc_handle_resources', 'ok', { devmem: devmems.map((e) => `${hex(e.da ?? 0)}→${hex(e.pa ?? 0)}+${hex(e.len ?? 0)}`).join(', ') || 'none' });
  step('B6', 'rproc_alloc_registered_carveouts', table?.entries.some((e) => e.type === RSC_CARVEOUT) ? 'assumed' : 'skipped');
  step('B7', 'qcom_pas_load (DTB firmware only when dtb_pas_id)', rp.data?.dtbPasId !== undefined ? 'assumed' : 'skipped');
  step('B8', 'qcom_pas_start: q6v5 prepare, proxy PDs, clocks, regulators', 'ok');
  step('B9', 'DTB image auth (dtb_pas_id)', 'skipped', {}, 'no dtb_pas_id');
  const expected = rp.data?.carveoutSize;
  if (c && expected !== undefined && c.size < BigInt(expected)) {
    fail('B10', 'qcom_mdt_pas_load: init_image + mem_setup + segments', regionInputs(index, c.node, c.base, c.size), `carve-out ${hex(c.size)} is smaller than the ${hex(expected)} the firmware is expected to need`);
  } else step('B10', 'qcom_mdt_pas_load: init_image + mem_setup + segments', c ? 'ok' : 'fail', c ? { ...regionInputs(index, c.node, c.base, c.size), metadata: hasIommu ? 'TZ-mem pool' : el === 2 ? 'dma_alloc_coherent (no hypervisor bridges it at EL2)' : 'dma_alloc_coherent (Gunyah bridges it)' } : {});
  step('B11', 'qcom_pil_info_store', 'ok');
  if (el === 2 && hasIommu) {
    const why = has('pas/carveout-alignment') ? 'pas/carveout-alignment' : has('pas/carveout-identity-fits-aperture') ? 'pas/carveout-identity-fits-aperture' : has('pas/rsc-devmem-vs-carveout') ? 'pas/rsc-devmem-vs-carveout' : undefined;
    if (why) fail('B12', 'qcom_pas_map_carveout: identity iommu_map', c ? regionInputs(index, c.node, c.base, c.size) : {}, 'iommu_map failed', why);
    else step('B12', 'qcom_pas_map_carveout: identity iommu_map', 'ok', c ? { iova: hex(c.base), size: hex(c.size), ias: String(input.ias) } : {});
  } else step('B12', 'qcom_pas_map_carveout', 'skipped', {}, 'no-op without an IOMMU domain');
  if (el === 2 && !hasIommu) {
    fail('B13', 'qcom_scm_pas_prepare_and_auth_reset', { use_tzmem: 'false' }, 'plain auth_and_reset at EL2: no SHM bridge and no hypervisor to build one or the stage-2 mapping; the firmware stream is unmatched ("failed to authenticate image and release reset")', 'pas/el2-remoteproc-missing-iommus');
  } else if (el === 2) step('B13', 'qcom_scm_pas_prepare_and_auth_reset', 'ok', { shmBridge: c ? `${hex(c.base)}+${hex(c.size)}` : '-' }, 'SHM bridge, auth_and_reset (PIL 0x05), bridge deleted');
  else step('B13', 'qcom_scm_pas_auth_and_reset (PIL 0x05)', 'ok', {}, 'Gunyah traps it, builds the SHM bridge and the stage-2 mapping');
  step('B14', 'qcom_q6v5_wait_for_start (5 s)', 'assumed', {}, 'the firmware is assumed to signal ready');
  step('B15', 'qcom_scm_pas_metadata_release', 'ok');
  step('B16', 'stop: shutdown, unmap carve-out', 'ok');

  let failedAt: string | undefined;
  for (const s of steps) {
    if (failedAt) s.outcome = 'not-reached';
    else if (s.outcome === 'fail') failedAt = s.id;
  }
  return {
    path: node.path,
    label: rp.label,
    compatible: rp.compatible,
    pasId: rp.data?.pasId,
    firmware,
    hasIommu,
    useTzmem: hasIommu,
    carveout: c ? { region: c.node.path, base: Number(c.base), size: Number(c.size) } : undefined,
    iommus: (rp.device?.streams ?? []).map((s, i) => ({
      smmu: s.smmu.path,
      sid: s.sid,
      mask: s.mask,
      matches: matchedIds({ id: s.sid, mask: s.mask }),
      entry: outcome?.indices[i],
      group: outcome?.group,
      contextBank: outcome?.contextBank,
      remoteprocContextBank: outcome?.remoteprocContextBank,
    })),
    steps,
    outcome: failedAt ? 'fails' : 'boots',
    failedAt,
  };
}

function regionInputs(index: TreeIndex, node: Node, base: bigint, size: bigint): Record<string, string> {
  return { region: index.label(node) ?? node.path, base: hex(base), size: hex(size) };
}

function scmNode(index: TreeIndex): Node | undefined {
  return index.nodes.find((n) => index.compatibles(n).includes('qcom,scm'));
}
