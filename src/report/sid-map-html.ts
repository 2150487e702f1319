/**
 * `simulate --format html`: the SID map as one self-contained page, built from the same parts as
 * check's HTML report (html.ts): any conflict in a banner, the findings as cards grouped by
 * severity and file with filters, then the lanes, tables and bring-up steps of sid-map-section.ts.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SimulationResult } from '../pas/simulate.js';
import { SourceCache } from './excerpt.js';
import { escapeHtml, FILTER_SCRIPT, filterBar, findingCard, groupedCards, pageHead } from './html.js';
import { sidMapView } from './sid-map-section.js';

export function renderSidMapHtml(sim: SimulationResult, diagnostics: Diagnostic[]): string {
  const view = sidMapView(sim, diagnostics);
  const sources = new SourceCache();
  const ids = new Map(diagnostics.map((d, i) => [d, `f-${i + 1}`]));
  const href = (d: Diagnostic) => (ids.has(d) ? `#${ids.get(d)}` : undefined);
  const title = `PAS simulation — EL${sim.el}`;
  const parts: string[] = [pageHead(`${title} — SID map`, view.style), view.defs];
  parts.push(`<header><h1>${escapeHtml(title)}</h1><p>SoC profile ${escapeHtml(sim.soc ?? 'none')} · probe order ${escapeHtml(sim.order)}</p></header><main>`);
  parts.push(view.banner(href));
  parts.push(`<h2 id="findings">Findings (${diagnostics.length})</h2>`);
  if (!diagnostics.length) parts.push('<p class="ok">None.</p>');
  else parts.push(filterBar(diagnostics), groupedCards(diagnostics, (d) => findingCard(d, sources, { id: ids.get(d)!, links: view.linksFor(d) })));
  parts.push('<h2 id="sid-map">SID map</h2>', view.render(href));
  parts.push(`</main>${diagnostics.length ? `<script>${FILTER_SCRIPT}</script>` : ''}</body></html>\n`);
  return parts.join('');
}
