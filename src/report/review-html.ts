/**
 * review's `--format html`: one self-contained page per patch, what a maintainer opens from a CI
 * artifact. The boards the patch affects; the patch's hunks with each introduced or fixed finding
 * as a card under the line it is about (placed as `--format mail` places them, diff-placement.ts);
 * the semantic tree diff per board, a diff shared by several boards shown once (review-text.ts);
 * and the SID map of the most affected board before and after the patch (sid-map-section.ts),
 * conflicts linked both ways with their cards. Same page contract as html.ts.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { SimulationResult } from '../pas/simulate.js';
import { placeFindings, findingsBelow, type PlacedFinding } from './diff-placement.js';
import { SourceCache } from './excerpt.js';
import { escapeHtml as e, findingCard, pageHead } from './html.js';
import { groupBoardsByDiff, groupHeader } from './review-text.js';
import { sidMapView, type SidMapView } from './sid-map-section.js';
import type { Report } from './types.js';

const STYLE = `
table.diff{font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace;box-shadow:none;margin:0;table-layout:fixed}
table.diff td{border:0;padding:0 8px;white-space:pre-wrap;overflow-wrap:anywhere}
table.diff td.n{color:#8a919c;text-align:right;width:4.5em;user-select:none;white-space:nowrap}
table.diff tr.add td{background:#e6f6ea}table.diff tr.del td{background:#fdeaea}table.diff tr.hunk td{background:#eef0f4;color:#4a5468}
table.diff tr.cards td{white-space:normal;font:14px/1.45 system-ui,sans-serif;padding:8px 12px 2px 9em;background:#f6f7f9}
.file{background:#fff;border-radius:8px;margin:0 0 16px;box-shadow:0 1px 2px rgba(0,0,0,.08);overflow:hidden}
.file h3{margin:0;padding:8px 12px;background:#1d2330;color:#fff;font:600 13px ui-monospace,monospace;overflow-wrap:anywhere}
pre.tree-diff{background:#fff;color:#1d2330;border:1px solid #e6e8ec;white-space:pre-wrap;overflow-wrap:anywhere}
.before-after h3{margin-top:22px}
`;

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatReviewHtml(report: Report): string {
  const review = report.review;
  const sources = new SourceCache(report.sourceTexts);
  const fixed = report.fixed ?? [];
  const ids = new Map<Diagnostic, string>([...report.diagnostics.map((d, i) => [d, `f-${i + 1}`] as const), ...fixed.map((d, i) => [d, `fixed-${i + 1}`] as const)]);
  const href = (d: Diagnostic) => (ids.has(d) ? `#${ids.get(d)}` : undefined);

  // The most affected board's SID maps: before with the findings the patch fixes there, after with those it introduces.
  const map = review?.sidMap;
  const onBoard = (list: readonly Diagnostic[]) => list.filter((d) => !d.boards || d.boards.includes(map!.board));
  const before: SidMapView | undefined = map?.before ? sidMapView(map.before as SimulationResult, onBoard(fixed), 'before-') : undefined;
  const after: SidMapView | undefined = map?.after ? sidMapView(map.after as SimulationResult, onBoard(report.diagnostics), 'after-') : undefined;
  const linksFor = (p: PlacedFinding) => (p.fixed ? (before?.linksFor(p.d) ?? []) : (after?.linksFor(p.d) ?? []));
  const card = (p: PlacedFinding) => findingCard(p.d, sources, { id: ids.get(p.d)!, links: linksFor(p), excerpt: !p.fixed, prefix: p.fixed ? 'fixed ' : '' });

  const title = `dtoverlay-check review: ${path.basename(report.inputs[0] ?? 'patch')}`;
  const parts: string[] = [pageHead(title, `${after?.style ?? before?.style ?? ''}${STYLE}`), after?.defs ?? before?.defs ?? ''];
  parts.push(`<header><h1>${e(title)}</h1><p>${e(review?.attribution ?? '')} dtoverlay-check ${e(report.tool.version)}</p></header><main>`);
  const boards = report.diff ?? [];
  const s = report.summary;
  parts.push(`<section class="cards"><div class="card error"><b>${s.errors}</b>new errors</div><div class="card warning"><b>${s.warnings}</b>new warnings</div><div class="card info"><b>${fixed.length}</b>fixed</div><div class="card"><b>${boards.length}</b>affected boards</div></section>`);
  if (after) parts.push(after.banner(href));

  parts.push('<h2 id="boards">Boards the patch affects</h2>');
  if (!boards.length) parts.push('<p class="muted">The patch affects no board or composition.</p>');
  else {
    parts.push('<table><tr><th>board</th><th>status</th><th>compared with</th><th>introduced</th><th>fixed</th></tr>');
    for (const b of boards) parts.push(`<tr><td>${e(b.board)}</td><td>${e(b.status)}</td><td>${e(b.comparedWith)}</td><td>${b.introduced.length}</td><td>${b.fixed.length}</td></tr>`);
    parts.push('</table>');
  }

  parts.push('<h2 id="patch">The patch</h2>');
  const { files, at, elsewhere } = placeFindings(report);
  for (const file of files) {
    parts.push(`<section class="file"><h3>${e(file.newPath ?? file.oldPath ?? file.header[0])}</h3><table class="diff">`);
    for (const hunk of file.hunks) {
      parts.push(`<tr class="hunk"><td class="n"></td><td class="n"></td><td>${e(hunk.header)}</td></tr>`);
      const below = findingsBelow(hunk, at);
      hunk.lines.forEach((line, i) => {
        const kind = line.text.startsWith('+') ? 'add' : line.text.startsWith('-') ? 'del' : 'ctx';
        parts.push(`<tr class="${kind}"><td class="n">${line.oldLine ?? ''}</td><td class="n">${line.newLine ?? ''}</td><td>${e(line.text)}</td></tr>`);
        const cards = below.get(i);
        if (cards) parts.push(`<tr class="cards"><td colspan="3">${cards.map(card).join('')}</td></tr>`);
      });
    }
    parts.push('</table></section>');
  }
  if (elsewhere.length) parts.push('<h3>On lines the patch does not show</h3>', elsewhere.map(card).join(''));
  if (!report.diagnostics.length && !fixed.length) parts.push('<p class="ok">The patch introduces and fixes no error or warning.</p>');

  parts.push('<h2 id="tree-diff">What changes in the merged trees</h2>');
  for (const group of groupBoardsByDiff(boards)) parts.push(`<h3>${e(groupHeader(group.boards).replace(/^== /gm, ''))}</h3><pre class="tree-diff">${e(group.body)}</pre>`);

  if (map && (before || after)) {
    parts.push(`<h2 id="sid-map">SID map of ${e(map.board)}, before and after the patch</h2><div class="before-after">`);
    parts.push(`<h3 id="before">Before the patch${fixed.length ? ` (${count(onBoard(fixed).length, 'finding')} the patch fixes marked)` : ''}</h3>`);
    parts.push(before ? before.render(href) : `<p class="muted">${e(map.board)} did not exist or could not be built before the patch.</p>`);
    parts.push(`<h3 id="after">After the patch</h3>`);
    parts.push(after ? after.render(href) : `<p class="muted">${e(map.board)} cannot be built after the patch.</p>`);
    parts.push('</div>');
  }
  parts.push(`<p class="muted">${e(report.inputs.join(' + '))}: ${count(s.errors, 'new error')}, ${count(s.warnings, 'new warning')}, ${fixed.length} fixed on ${count(boards.length, 'affected board')}.</p>`);
  parts.push('</main></body></html>\n');
  return parts.join('');
}
