/**
 * `--format html`: one self-contained file (inline CSS and one inline script, nothing loaded from
 * outside): a summary, any stream-ID conflict in a banner, the stages, the findings grouped by
 * severity and then by file with filters (severity, rule) that work offline, and the SID map when
 * the PAS engine ran (sid-map-section.ts: lanes, SMR tables, bring-up steps; else a table of
 * stream-match rows). The page contract (docs/cli.md): every element that shows a conflict has
 * `data-conflict="true"`, every `href="#…"` names a unique id.
 */
import type { Diagnostic, Severity } from '../diagnostics.js';
import { SourceCache } from './excerpt.js';
import { ruleInfo } from './rules.js';
import type { PageLink, SidMapView } from './sid-map-section.js';
import { diagnosticSubject } from './text.js';
import type { Report } from './types.js';

export interface HtmlOptions {
  /** The SID map of the PAS engine's simulation (check/engines.ts `sidMapHtml`). */
  sidMap?: SidMapView;
  title?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const PAGE_STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px;overflow-wrap:anywhere}
header p{margin:4px 0 0;color:#b9c1d0;font-size:13px}
main{padding:18px 24px;width:100%}
h2{margin:26px 0 10px;font-size:18px}h3{font-size:15px;margin:16px 0 6px}h4{margin:12px 0 6px;font:600 13px ui-monospace,Menlo,Consolas,monospace;color:#4a5468;overflow-wrap:anywhere}
.cards{display:flex;gap:12px;margin:0 0 18px;flex-wrap:wrap}
.card{background:#fff;border-radius:8px;padding:12px 18px;min-width:110px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:26px}.card.error b{color:#b3261e}.card.warning b{color:#8a5300}.card.info b{color:#0b5cad}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0 14px;box-shadow:0 1px 2px rgba(0,0,0,.08);font-size:13px}
th,td{text-align:left;padding:4px 10px;border-bottom:1px solid #e6e8ec;vertical-align:top;overflow-wrap:anywhere}th{background:#eef0f4}
.finding{background:#fff;border-left:5px solid #999;border-radius:6px;margin:0 0 10px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.finding.error{border-color:#b3261e}.finding.warning{border-color:#e08a00}.finding.info{border-color:#0b5cad}
.finding[data-conflict="true"]{border-left-width:9px;border-color:#D55E00;background:#fff8f3;outline:2px solid #D55E00}
.finding:target,tr:target td,details:target{outline:3px solid #1d2330}
.sev{font-weight:600;text-transform:uppercase;font-size:12px;margin-right:6px}
.error .sev{color:#b3261e}.warning .sev{color:#8a5300}.info .sev{color:#0b5cad}
.loc,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}.loc{color:#4a5468}
.rule{float:right;font-family:ui-monospace,monospace;font-size:12px;color:#6a7385;margin-left:12px}
.msg{overflow-wrap:anywhere}
pre{background:#272c38;color:#e8ebf1;padding:8px 10px;border-radius:4px;overflow:auto;tab-size:8;margin:8px 0 0}
pre .caret{color:#7ee787}.help{color:#4a5468;font-size:12.5px;margin-top:6px}
.links a{margin-right:12px;font-weight:600}
.ok{color:#00734f;font-weight:600}.muted{color:#6a7385}
.filters{background:#fff;border-radius:8px;padding:8px 14px;margin:0 0 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.filters label{margin-right:14px;white-space:nowrap}.filters details{display:inline-block;vertical-align:top}
.filters .rules{columns:3 260px;margin-top:6px}.filters .rules label{display:block}
[hidden]{display:none!important}
`;

/**
 * Hides the cards whose severity or rule is unticked, and groups left empty. Inline, so the page
 * works from a CI artifact with no network.
 */
export const FILTER_SCRIPT = `
(function () {
  var boxes = document.querySelectorAll('.filters input[type=checkbox]');
  function apply() {
    var off = {};
    boxes.forEach(function (b) { if (!b.checked) off[b.getAttribute('data-filter')] = true; });
    document.querySelectorAll('.finding[data-severity]').forEach(function (c) {
      c.hidden = !!(off['severity:' + c.getAttribute('data-severity')] || off['rule:' + c.getAttribute('data-rule')]);
    });
    document.querySelectorAll('.group').forEach(function (g) {
      g.hidden = !g.querySelector('.finding:not([hidden])');
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
`;

const SEVERITIES: { severity: Severity; title: string }[] = [
  { severity: 'error', title: 'Errors' },
  { severity: 'warning', title: 'Warnings' },
  { severity: 'info', title: 'Notes' },
];

export interface CardOptions {
  id: string;
  /** Links to the SID-map marks and rows of the conflict the finding reports. */
  links?: PageLink[];
  /** Fixed findings point at the text before the patch: no excerpt. */
  excerpt?: boolean;
  prefix?: string;
}

/** One finding as a card: severity, message, position, excerpt, boards, related notes, rule summary. */
export function findingCard(d: Diagnostic, sources: SourceCache, options: CardOptions): string {
  const links = options.links ?? [];
  const parts: string[] = [];
  parts.push(`<article class="finding ${d.severity}" id="${escapeHtml(options.id)}" data-severity="${d.severity}" data-rule="${escapeHtml(d.rule)}"${links.length ? ' data-conflict="true"' : ''}><span class="rule">${escapeHtml(d.rule)}</span>`);
  parts.push(`<span class="sev">${escapeHtml(options.prefix ?? '')}${d.severity}</span><span class="msg">${escapeHtml(diagnosticSubject(d) + d.message)}</span>`);
  if (d.span) {
    parts.push(`<div class="loc">${escapeHtml(`${d.span.file}:${d.span.line}:${d.span.column}`)}</div>`);
    const ex = options.excerpt === false ? undefined : sources.excerpt(d.span);
    if (ex) parts.push(`<pre>${String(ex.line).padStart(5)} | ${escapeHtml(ex.text)}\n      | <span class="caret">${escapeHtml(ex.marker)}</span></pre>`);
  }
  if (d.boards) parts.push(`<div class="loc">on ${escapeHtml(d.boards.join(', '))}</div>`);
  for (const r of d.related ?? []) parts.push(`<div class="loc">note: ${escapeHtml(r.message)} — ${escapeHtml(`${r.span.file}:${r.span.line}:${r.span.column}`)}</div>`);
  if (links.length) parts.push(`<div class="links">${links.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`).join('')}</div>`);
  parts.push(`<div class="help">${escapeHtml(ruleInfo(d.rule).summary)}</div></article>`);
  return parts.join('');
}

/** Severity and per-rule checkboxes for FILTER_SCRIPT. */
export function filterBar(diagnostics: readonly Diagnostic[]): string {
  const bySeverity = SEVERITIES.map((s) => ({ ...s, n: diagnostics.filter((d) => d.severity === s.severity).length })).filter((s) => s.n);
  const rules = [...new Set(diagnostics.map((d) => d.rule))].sort();
  const box = (filter: string, text: string) => `<label><input type="checkbox" checked data-filter="${escapeHtml(filter)}"> ${text}</label>`;
  return `<div class="filters">Show: ${bySeverity.map((s) => box(`severity:${s.severity}`, `${s.title.toLowerCase()} (${s.n})`)).join('')}<details><summary>rules (${rules.length})</summary><div class="rules">${rules.map((r) => box(`rule:${r}`, `<code>${escapeHtml(r)}</code> (${diagnostics.filter((d) => d.rule === r).length})`)).join('')}</div></details></div>`;
}

/** Cards grouped by severity, then by file (findings without a position last), each group a `.group`. */
export function groupedCards(diagnostics: readonly Diagnostic[], card: (d: Diagnostic) => string): string {
  const out: string[] = [];
  for (const { severity, title } of SEVERITIES) {
    const list = diagnostics.filter((d) => d.severity === severity);
    if (!list.length) continue;
    out.push(`<section class="group" data-severity="${severity}"><h3>${title} (${list.length})</h3>`);
    const files = new Map<string, Diagnostic[]>();
    for (const d of list) files.set(d.span?.file ?? '', [...(files.get(d.span?.file ?? '') ?? []), d]);
    const names = [...files.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0));
    for (const file of names) out.push(`<div class="group"><h4>${escapeHtml(file || 'no source position')}</h4>${files.get(file)!.map(card).join('')}</div>`);
    out.push('</section>');
  }
  return out.join('');
}

export function pageHead(title: string, style: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}${style}</style></head><body>`;
}

export function formatHtml(report: Report, options: HtmlOptions = {}): string {
  const sources = new SourceCache(report.sourceTexts);
  const s = report.summary;
  const title = options.title ?? `dtoverlay-check ${report.command}: ${report.inputs.join(' + ')}`;
  const ids = new Map(report.diagnostics.map((d, i) => [d, `f-${i + 1}`]));
  const href = (d: Diagnostic) => (ids.has(d) ? `#${ids.get(d)}` : undefined);
  const parts: string[] = [];
  parts.push(pageHead(title, options.sidMap?.style ?? ''), options.sidMap?.defs ?? '');
  parts.push(`<header><h1>${escapeHtml(title)}</h1><p>dtoverlay-check ${escapeHtml(report.tool.version)}</p></header><main>`);
  parts.push(`<section class="cards">`);
  const card = (cls: Severity, n: number, label: string) => `<div class="card ${cls}"><b>${n}</b>${label}</div>`;
  parts.push(card('error', s.errors, 'errors'), card('warning', s.warnings, 'warnings'), card('info', s.infos, 'notes'));
  if (s.baselined) parts.push(`<div class="card"><b>${s.baselined}</b>in baseline</div>`);
  parts.push(`</section>`);
  if (options.sidMap) parts.push(options.sidMap.banner(href));

  parts.push(`<h2 id="findings">Findings</h2>`);
  if (report.diagnostics.length === 0) parts.push(`<p class="ok">No findings.</p>`);
  else {
    parts.push(filterBar(report.diagnostics));
    parts.push(groupedCards(report.diagnostics, (d) => findingCard(d, sources, { id: ids.get(d)!, links: options.sidMap?.linksFor(d) })));
  }

  parts.push(`<h2 id="sid-map">SID map</h2>`);
  if (options.sidMap) parts.push(options.sidMap.render(href));
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
  parts.push(`</main>${report.diagnostics.length ? `<script>${FILTER_SCRIPT}</script>` : ''}</body></html>\n`);
  return parts.join('');
}
