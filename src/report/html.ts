/**
 * `--format html`: one self-contained file (inline CSS, no scripts, no external resources): a
 * summary, the stages, every finding with its source excerpt, and the SID map when the PAS
 * engine ran (its own SVG/HTML when it provides one, else a table of stream-match rows).
 */
import type { Severity } from '../diagnostics.js';
import { SourceCache } from './excerpt.js';
import { ruleInfo } from './rules.js';
import { diagnosticSubject } from './text.js';
import type { Report } from './types.js';

export interface HtmlOptions {
  /** Ready-made SID map markup from the PAS engine's renderer (trusted: we generate it). */
  sidMapHtml?: string;
  title?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#b9c1d0;font-size:13px}
main{padding:20px 28px;max-width:1200px}
.cards{display:flex;gap:12px;margin:0 0 18px}
.card{background:#fff;border-radius:8px;padding:12px 18px;min-width:110px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:26px}.card.error b{color:#c62828}.card.warning b{color:#a15c00}.card.info b{color:#1565c0}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0 18px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e6e8ec;vertical-align:top}th{background:#eef0f4}
.finding{background:#fff;border-left:5px solid #999;border-radius:6px;margin:0 0 12px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.finding.error{border-color:#c62828}.finding.warning{border-color:#e08a00}.finding.info{border-color:#1565c0}
.sev{font-weight:600;text-transform:uppercase;font-size:12px;margin-right:6px}
.error .sev{color:#c62828}.warning .sev{color:#a15c00}.info .sev{color:#1565c0}
.loc{font-family:ui-monospace,Menlo,Consolas,monospace;color:#4a5468;font-size:12.5px}
.rule{float:right;font-family:ui-monospace,monospace;font-size:12px;color:#6a7385}
pre{background:#272c38;color:#e8ebf1;padding:8px 10px;border-radius:4px;overflow:auto;tab-size:8;margin:8px 0 0}
pre .caret{color:#7ee787}.help{color:#4a5468;font-size:12.5px;margin-top:6px}
.ok{color:#2e7d32;font-weight:600}.muted{color:#6a7385}
`;

export function formatHtml(report: Report, options: HtmlOptions = {}): string {
  const sources = new SourceCache(report.sourceTexts);
  const s = report.summary;
  const title = options.title ?? `dtoverlay-check ${report.command}: ${report.inputs.join(' + ')}`;
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<header><h1>${escapeHtml(title)}</h1><p>dtoverlay-check ${escapeHtml(report.tool.version)}</p></header><main>`);
  parts.push(`<section class="cards">`);
  const card = (cls: Severity, n: number, label: string) => `<div class="card ${cls}"><b>${n}</b>${label}</div>`;
  parts.push(card('error', s.errors, 'errors'), card('warning', s.warnings, 'warnings'), card('info', s.infos, 'notes'));
  if (s.baselined) parts.push(`<div class="card"><b>${s.baselined}</b>in baseline</div>`);
  parts.push(`</section>`);

  parts.push(`<h2>Stages</h2><table><tr><th>stage</th><th>status</th><th>note</th><th>time</th></tr>`);
  for (const st of report.stages) {
    parts.push(`<tr><td>${escapeHtml(st.name)}</td><td>${escapeHtml(st.status)}</td><td>${escapeHtml(st.note ?? '')}</td><td>${st.ms !== undefined ? `${st.ms} ms` : ''}</td></tr>`);
  }
  parts.push(`</table>`);

  if (report.boards?.length) {
    parts.push(`<h2>Boards</h2><table><tr><th>board</th><th>status</th><th>errors</th><th>warnings</th><th>time</th><th>parts</th></tr>`);
    for (const b of report.boards) {
      const detail = b.status === 'missing-sources' ? `missing: ${(b.missing ?? []).join(', ')}` : (b.parts ?? []).join(' + ');
      parts.push(`<tr><td>${escapeHtml(b.name)}</td><td>${escapeHtml(b.status)}</td><td>${b.errors ?? '-'}</td><td>${b.warnings ?? '-'}</td><td>${b.ms !== undefined ? `${(b.ms / 1000).toFixed(1)} s` : ''}</td><td class="loc">${escapeHtml(detail)}</td></tr>`);
    }
    parts.push(`</table>`);
  }
  parts.push(`<h2>Findings</h2>`);
  if (report.diagnostics.length === 0) parts.push(`<p class="ok">No findings.</p>`);
  for (const d of report.diagnostics) {
    parts.push(`<div class="finding ${d.severity}"><span class="rule">${escapeHtml(d.rule)}</span>`);
    parts.push(`<span class="sev">${d.severity}</span>${escapeHtml(diagnosticSubject(d) + d.message)}`);
    if (d.span) {
      parts.push(`<div class="loc">${escapeHtml(`${d.span.file}:${d.span.line}:${d.span.column}`)}</div>`);
      const ex = sources.excerpt(d.span);
      if (ex) parts.push(`<pre>${String(ex.line).padStart(5)} | ${escapeHtml(ex.text)}\n      | <span class="caret">${escapeHtml(ex.marker)}</span></pre>`);
    }
    if (d.boards) parts.push(`<div class="loc">on ${escapeHtml(d.boards.join(', '))}</div>`);
    for (const r of d.related ?? []) parts.push(`<div class="loc">note: ${escapeHtml(r.message)} — ${escapeHtml(`${r.span.file}:${r.span.line}:${r.span.column}`)}</div>`);
    parts.push(`<div class="help">${escapeHtml(ruleInfo(d.rule).summary)}</div></div>`);
  }

  parts.push(`<h2>SID map</h2>`);
  if (options.sidMapHtml) parts.push(options.sidMapHtml);
  else if (report.sidMap?.length) {
    parts.push(`<table><tr><th>SMMU</th><th>device</th><th>SID</th><th>mask</th><th>status</th><th>note</th></tr>`);
    for (const row of report.sidMap) {
      const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
      parts.push(`<tr><td>${escapeHtml(row.smmu)}</td><td>${escapeHtml(row.device)}</td><td class="loc">${hex(row.sid)}</td><td class="loc">${hex(row.mask)}</td><td>${escapeHtml(row.status ?? '')}</td><td>${escapeHtml(row.note ?? '')}</td></tr>`);
    }
    parts.push(`</table>`);
  } else {
    const pas = report.stages.find((st) => st.name === 'pas');
    parts.push(`<p class="muted">No SID map: ${escapeHtml(pas?.status === 'ran' ? 'no SMMU streams in this tree' : (pas?.note ?? 'the PAS simulation did not run'))}.</p>`);
  }
  parts.push(`</main></body></html>\n`);
  return parts.join('');
}
