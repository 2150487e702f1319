/**
 * Text output of `simulate`: the findings in gcc style (`file:line:col: error: message [rule]`,
 * related entries as `note:` lines), then the SID map per SMMU and each remoteproc's bring-up steps
 * as plain tables.
 */
import * as path from 'node:path';
import { formatSpan, type Diagnostic, type Span } from '../diagnostics.js';
import type { SimulationResult } from '../pas/simulate.js';

const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, '0')}`;

function where(span: Span | undefined, cwd: string): string {
  if (!span) return '';
  const file = path.isAbsolute(span.file) && span.file.startsWith(cwd + path.sep) ? path.relative(cwd, span.file) : span.file;
  return `${formatSpan({ ...span, file })}: `;
}

export function formatDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const subject = d.path ? `${d.path}${d.property ? `:${d.property}` : ''}: ` : '';
  let out = `${where(d.span, cwd)}${d.severity}: ${d.span ? '' : subject}${d.message} [${d.rule}]\n`;
  for (const r of d.related ?? []) out += `${where(r.span, cwd)}note: ${r.message}\n`;
  return out;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function formatSimulationText(diagnostics: Diagnostic[], sim: SimulationResult, options: { quiet?: boolean; cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  let out = diagnostics.map((d) => formatDiagnostic(d, cwd)).join('');
  if (options.quiet) return out;
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  out += `\nPAS simulation: EL${sim.el} (${sim.elReason}); SoC profile ${sim.soc ?? `none${noProfileNote(sim)}`}; probe order ${sim.order}\n`;
  out += `${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info\n`;
  for (const l of sim.lacking) out += `  lacking: ${l}\n`;
  for (const n of sim.notes) out += `  note: ${n}\n`;
  for (const s of sim.smmus) {
    const p = s.parameters;
    if (s.smmuV3) {
      out += `\n${s.label ?? s.path} (${s.path})${s.enabled ? '' : ' DISABLED'}: SMMUv3, ${p.sidBits}-bit stream IDs, ${s.ranges?.length ?? 0} range(s)\n`;
      if (s.ranges?.length) out += table(['stream IDs', 'RIDs', 'from', 'device', 'finding'], s.ranges.map(rangeCells));
      continue;
    }
    out += `\n${s.label ?? s.path} (${s.path})${s.enabled ? '' : ' DISABLED'}${s.probes ? '' : ' (does not probe)'}: ${s.smrsUsed}/${p.numMappingGroups} SMRs, ${s.contextBanksUsed}/${p.numContextBanks} context banks, streamid_mask ${hex(p.streamIdMask)}, bypass quirk ${p.bypassQuirk ? 'on' : 'off'}\n`;
    if (!s.entries.length && !s.devices.length) continue;
    const rows = s.entries.map((e) => [
      String(e.index),
      `${hex(e.sid)}/${hex(e.mask)}`,
      e.matches && e.matches.length <= 4 ? e.matches.map((m) => hex(m)).join(' ') : `${e.matchCount} IDs ${hex(e.sid & ~e.mask & 0xffff)}–${hex((e.sid | e.mask) & 0xffff)}`,
      e.group === undefined ? (e.handoff ? 'handoff' : '-') : String(e.group),
      e.contextBank === undefined ? '-' : String(e.contextBank),
      e.devices.join(', ') || '(bootloader)',
    ]);
    out += table(['SMR', 'SID/mask', 'matches', 'group', 'CB', 'device'], rows);
    const failed = s.devices.filter((d) => d.status === 'no-iommu');
    for (const d of failed) out += `  no IOMMU: ${d.device}: ${d.reason ?? ''}\n`;
  }
  for (const rp of sim.remoteprocs) {
    const sids = rp.iommus.map((i) => `${hex(i.sid)}/${hex(i.mask)}`).join(', ') || 'no iommus';
    out += `\n${rp.label ?? rp.path} (${rp.compatible}, PAS id ${rp.pasId ?? '?'}, ${sids}): ${rp.outcome === 'boots' ? 'boots' : `fails at ${rp.failedAt}`}\n`;
    out += table(
      ['step', 'what', 'outcome', 'inputs / message'],
      rp.steps.map((s) => [s.id, s.title, s.outcome, [Object.entries(s.inputs).map(([k, v]) => `${k}=${v}`).join(' '), s.message ?? ''].filter(Boolean).join('; ')]),
    );
  }
  if (sim.pairs) {
    out += `\nOverlapping pairs, both probe orders:\n`;
    out += table(
      ['A', 'B', 'A then B', 'B then A', 'verdict'],
      sim.pairs.map((p) => [`${p.a.device} ${hex(p.a.sid)}/${hex(p.a.mask)}`, `${p.b.device} ${hex(p.b.sid)}/${hex(p.b.mask)}`, p.aThenB, p.bThenA, p.verdict]),
    );
  }
  return out;
}

/** `0x30000–0x3ffff`, `0x0–0xffff`, `iommu-map`, `pcie3`, rule: one row of an SMMUv3's range table. */
export function rangeCells(r: NonNullable<SimulationResult['smmus'][number]['ranges']>[number]): string[] {
  const span = (base: number) => (r.length === 1 ? hex(base) : `${hex(base)}–${hex(base + r.length - 1)}`);
  return [span(r.outBase), r.ridBase === undefined ? '-' : span(r.ridBase), r.kind, r.name, r.rule ?? ''];
}

/** What running without a profile skips, said where the summary names the profile. */
export function noProfileNote(sim: SimulationResult): string {
  return sim.soc === null ? ' (no profile matches the root compatibles: PAS ids, proxy power domains, firmware names and EL2 must-disable nodes unknown; RP-05, RP-13, RP-14, RP-15 and the profile part of OVL-02 skipped, RP-01 only a warning)' : '';
}
