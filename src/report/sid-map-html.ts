/**
 * The SID map as one self-contained HTML page: the findings, then per SMMU the SVG picture and a
 * table of stream-match entries (device, SID/mask, the SIDs it matches, group, context bank), then
 * each remoteproc's bring-up steps.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SimulationResult } from '../pas/simulate.js';
import { deviceColour, deviceLabels, escapeXml, smmuPicture, SVG_DEFS, SVG_STYLE } from './sid-map-svg.js';
import { noProfileNote, rangeCells } from './sid-map-text.js';

const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, '0')}`;
const e = escapeXml;

export function renderSidMapHtml(sim: SimulationResult, diagnostics: Diagnostic[]): string {
  const labels = deviceLabels(sim);
  const body: string[] = [];
  body.push(`<h1>PAS simulation — EL${sim.el}</h1>`);
  body.push(`<p class="meta">${e(sim.elReason)} · SoC profile <b>${e(sim.soc ?? 'none')}</b>${e(noProfileNote(sim))} · probe order ${e(sim.order)}</p>`);
  if (sim.lacking.length) body.push(`<details><summary>Facts the run lacked (${sim.lacking.length})</summary><ul>${sim.lacking.map((l) => `<li>${e(l)}</li>`).join('')}</ul></details>`);

  body.push(`<h2>Findings (${diagnostics.length})</h2>`);
  if (!diagnostics.length) body.push('<p>None.</p>');
  else {
    body.push('<table><tr><th>severity</th><th>rule</th><th>where</th><th>message</th></tr>');
    for (const d of diagnostics) {
      const where = d.span ? `${d.span.file.split('/').pop()}:${d.span.line}` : (d.path ?? '');
      const related = (d.related ?? []).map((r) => `<div class="rel">${e(r.message)} — ${e(r.span.file.split('/').pop() ?? '')}:${r.span.line}</div>`).join('');
      body.push(`<tr class="${d.severity}"><td>${d.severity}</td><td><code>${e(d.rule)}</code></td><td title="${e(d.path ?? '')}">${e(where)}</td><td>${e(d.message)}${related}</td></tr>`);
    }
    body.push('</table>');
  }

  for (const smmu of sim.smmus) {
    body.push(`<h2>${e(smmu.label ?? smmu.path)} <small>${e(smmu.path)}</small></h2>`);
    if (smmu.smmuV3) {
      // SMMUv3: no SMRs; the requester-ID ranges each host bridge maps onto it.
      body.push(`<p class="meta">SMMUv3 · ${smmu.parameters.sidBits}-bit stream IDs${smmu.assumed.length ? ` (assumed: ${e(smmu.assumed.join(', '))})` : ''}</p>`);
      body.push('<table class="ranges"><tr><th>stream IDs</th><th>RIDs</th><th>from</th><th>device</th><th>finding</th></tr>');
      for (const r of smmu.ranges ?? []) body.push(`<tr>${rangeCells(r).map((c, i) => (i < 2 ? `<td><code>${e(c)}</code></td>` : `<td>${e(c)}</td>`)).join('')}</tr>`);
      body.push('</table>');
      continue;
    }
    if (smmu.devices.length) {
      const pic = smmuPicture(smmu, labels, { title: false });
      body.push(`<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="${pic.height}" viewBox="0 0 1400 ${pic.height}">${SVG_DEFS}<g transform="translate(4 0)">${pic.svg}</g></svg>`);
    }
    const colourOf = new Map(smmu.devices.map((d, i) => [d.device, deviceColour(i)]));
    const nameOf = new Map(smmu.devices.map((d) => [d.device, d.name]));
    body.push('<table><tr><th>SMR</th><th>SID/mask</th><th>matches</th><th>group</th><th>CB</th><th>device</th></tr>');
    for (const en of smmu.entries) {
      const devices = en.devices.map((d) => `<span class="sw" style="background:${colourOf.get(d) ?? '#999'}"></span><span title="${e(d)}">${e(nameOf.get(d) ?? labels.get(d) ?? d)}</span>`).join('<br>') || '(bootloader handoff)';
      const matches = en.matches ? en.matches.map((m) => hex(m)).join(' ') : `${en.matchCount} IDs`;
      body.push(`<tr><td>${en.index}</td><td><code>${hex(en.sid)}/${hex(en.mask)}</code></td><td><code>${matches}</code></td><td>${en.group ?? '-'}</td><td>${en.contextBank ?? '-'}</td><td>${devices}</td></tr>`);
    }
    body.push('</table>');
    const failed = smmu.devices.filter((d) => d.status === 'no-iommu');
    if (failed.length) body.push(`<ul class="failed">${failed.map((d) => `<li><b title="${e(d.device)}">${e(d.name)}</b> has no IOMMU: ${e(d.reason ?? '')}</li>`).join('')}</ul>`);
  }

  body.push('<h2>Remoteproc bring-up</h2>');
  for (const rp of sim.remoteprocs) {
    const sids = rp.iommus.map((i) => `${hex(i.sid)}/${hex(i.mask)}`).join(', ') || 'no iommus';
    body.push(`<h3>${e(rp.label ?? rp.path)} <small>${e(rp.compatible)} · PAS id ${rp.pasId ?? '?'} · ${e(sids)}</small> <span class="${rp.outcome === 'boots' ? 'ok' : 'fail'}">${rp.outcome === 'boots' ? 'boots' : `fails at ${rp.failedAt}`}</span></h3>`);
    body.push('<table class="steps"><tr><th>step</th><th>what</th><th>outcome</th><th>inputs</th><th>message</th></tr>');
    for (const s of rp.steps) {
      const inputs = Object.entries(s.inputs).map(([k, v]) => `${e(k)}=<code>${e(v)}</code>`).join(' ');
      body.push(`<tr class="o-${s.outcome}"><td>${s.id}</td><td>${e(s.title)}</td><td>${s.outcome}</td><td>${inputs}</td><td>${e(s.message ?? '')}${s.rule ? ` <code>${e(s.rule)}</code>` : ''}</td></tr>`);
    }
    body.push('</table>');
  }

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PAS simulation — SID map</title>
<style>
body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px; color: #1d1d1f; max-width: 1440px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin-top: 18px; }
small { color: #666; font-weight: normal; } .meta { color: #444; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; } th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f6; } code { font-family: 'DejaVu Sans Mono', monospace; font-size: 11px; }
tr.error td:first-child { color: #fff; background: #c62828; } tr.warning td:first-child { background: #ffe08a; } tr.info td:first-child { background: #e3f0ff; }
.rel { color: #555; font-size: 11px; } .sw { display: inline-block; width: 10px; height: 10px; margin-right: 5px; vertical-align: -1px; }
.ok { color: #1b7f2a; font-weight: bold; } .fail { color: #c62828; font-weight: bold; } .failed { color: #c62828; }
tr.o-fail td { background: #fde4e4; } tr.o-not-reached td { color: #999; } tr.o-skipped td { color: #777; }
${SVG_STYLE}
</style></head><body>
${body.join('\n')}
</body></html>
`;
}
