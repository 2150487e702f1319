/**
 * The SID map as a part of an HTML page (check's report, review's page, simulate's page): per SMMU
 * a lane (the picture of sid-map-svg.ts, or an SMMUv3's ranges) and its table of stream-match
 * entries or ranges, then each remoteproc's bring-up steps, collapsible. Conflicts link both ways:
 * a finding card links to the marks and rows of its conflict (`linksFor`), marks and rows link to
 * the card (`render(findingHref)`), and every one of them carries `data-conflict="true"`.
 * Every id starts with `idPrefix`, so one page can hold two maps (review's before and after).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SimulationResult, SmmuResult } from '../pas/simulate.js';
import { CATEGORIES, deviceLabels, escapeXml as e, PICTURE_WIDTH, rangesPicture, smmuPicture, SVG_DEFS, SVG_STYLE, type ConflictMark } from './sid-map-svg.js';
import { sidConflicts, type SidConflict } from './sid-conflicts.js';
import { noProfileNote, rangeCells } from './sid-map-text.js';

const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, '0')}`;

export interface PageLink {
  href: string;
  text: string;
}

export interface SidMapView {
  conflicts: SidConflict[];
  /** CSS for the page's <style>. */
  style: string;
  /** Once per page, first in <body>: the SVG patterns the pictures use. */
  defs: string;
  /** Links from a finding card to the marks and rows of the conflict it reports (none for other findings). */
  linksFor(d: Diagnostic): PageLink[];
  /** One line per conflict, for the top of the page, linking to its finding, mark and rows. */
  banner(findingHref: (d: Diagnostic) => string | undefined): string;
  /** The lanes, tables and bring-up steps; `findingHref` links conflict marks and rows back to their card. */
  render(findingHref: (d: Diagnostic) => string | undefined): string;
}

/** Styles of the section (the page adds its own for cards and tables). */
export const SID_MAP_STYLE = `${SVG_STYLE}
.lane{background:#fff;border-radius:8px;padding:10px 14px;margin:0 0 18px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.lane svg{display:block;width:100%;height:auto}
table.smrs td,table.smrs th,table.ranges td{overflow-wrap:normal;white-space:nowrap}table.smrs td:nth-child(3),table.smrs td:last-child{white-space:normal;width:40%}
tr[data-conflict="true"] td{background:#fbe3d6;font-weight:600}
tr[data-conflict="true"] td:first-child{box-shadow:inset 5px 0 0 #D55E00}
.conflict-banner{background:#fff3ec;border:2px solid #D55E00;border-radius:8px;padding:10px 14px;margin:0 0 18px}
.conflict-banner b{color:#a63b00}
.sw{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px;border:1px solid rgba(0,0,0,.3)}
details.bringup{background:#fff;border-radius:6px;margin:0 0 8px;padding:6px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
details.bringup summary{cursor:pointer;font-weight:600}
.boots{color:#00734f}.fails{color:#a63b00}
tr.o-fail td{background:#fbe3d6}tr.o-not-reached td{color:#8a919c}tr.o-skipped td{color:#6a7385}
`;

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

export function sidMapView(sim: SimulationResult, diagnostics: readonly Diagnostic[], idPrefix = ''): SidMapView {
  const labels = deviceLabels(sim);
  const conflicts = sidConflicts(sim, diagnostics);
  const smmuIds = new Map<SmmuResult, string>();
  for (const smmu of sim.smmus) {
    let id = `${idPrefix}smmu-${slug(smmu.label ?? smmu.path)}`;
    while ([...smmuIds.values()].includes(id)) id += '-';
    smmuIds.set(smmu, id);
  }
  const rowId = (smmu: SmmuResult, index: number) => `${smmuIds.get(smmu)}-smr-${index}`;
  const rangeId = (smmu: SmmuResult, index: number) => `${smmuIds.get(smmu)}-range-${index}`;
  const markId = (c: SidConflict) => `${idPrefix}conflict-${conflicts.indexOf(c) + 1}`;
  const name = (device: string) =>
    sim.smmus.flatMap((s) => s.devices).find((d) => d.device === device)?.name ?? sim.smmus.flatMap((s) => s.ranges ?? []).find((r) => r.device === device)?.name ?? labels.get(device) ?? device;
  const hasMark = (c: SidConflict) => !c.smmu.smmuV3 && c.ids.length > 0;

  const linksFor = (d: Diagnostic): PageLink[] =>
    conflicts
      .filter((c) => c.finding === d)
      .flatMap((c) => {
        const smmu = c.smmu.label ?? c.smmu.path;
        return [
          ...(hasMark(c) ? [{ href: `#${markId(c)}`, text: `SID map of ${smmu}` }] : []),
          ...c.entries.map((i) => ({ href: `#${rowId(c.smmu, i)}`, text: `SMR ${i}` })),
          ...c.ranges.map((i) => ({ href: `#${rangeId(c.smmu, i)}`, text: `range ${rangeCells(c.smmu.ranges![i])[0]}` })),
        ];
      });

  const banner = (findingHref: (d: Diagnostic) => string | undefined): string => {
    if (!conflicts.length) return '';
    const items = conflicts.map((c) => {
      const who = c.parties.map((p) => `<b>${e(name(p))}</b>`).join(' and ');
      const ids = c.ids.length ? ` want ${c.ids.slice(0, 8).map((x) => hex(x)).join(', ')}${c.ids.length > 8 ? ` and ${c.ids.length - 8} more` : ''}` : '';
      const href = findingHref(c.finding);
      const links = [...(href ? [{ href, text: 'finding' }] : []), ...linksFor(c.finding)].map((l) => `<a href="${e(l.href)}">${e(l.text)}</a>`).join(' · ');
      return `<li>${who}${ids} on ${e(c.smmu.label ?? c.smmu.path)} <code>${e(c.finding.rule)}</code> — ${links}</li>`;
    });
    return `<div class="conflict-banner" data-conflict="true"><b>${conflicts.length === 1 ? 'A stream-ID conflict' : `${conflicts.length} stream-ID conflicts`}</b><ul>${items.join('')}</ul></div>`;
  };

  const render = (findingHref: (d: Diagnostic) => string | undefined): string => {
    const body: string[] = [];
    body.push(`<p class="muted">EL${sim.el} (${e(sim.elReason)}) · SoC profile <b>${e(sim.soc ?? 'none')}</b>${e(noProfileNote(sim))} · probe order ${e(sim.order)}</p>`);
    if (sim.lacking.length) body.push(`<details><summary>Facts the run lacked (${sim.lacking.length})</summary><ul>${sim.lacking.map((l) => `<li>${e(l)}</li>`).join('')}</ul></details>`);
    body.push(`<p class="legend-line">${CATEGORIES.map((c) => `<span class="sw" style="background:${c.fill.startsWith('url') ? 'repeating-linear-gradient(45deg,#000 0 2px,#fff 2px 4px)' : c.fill}"></span>${e(c.words)}`).join(' &nbsp; ')}</p>`);
    for (const smmu of sim.smmus) {
      const mine = conflicts.filter((c) => c.smmu === smmu);
      const marks: ConflictMark[] = mine.filter(hasMark).map((c) => ({ conflict: c, id: markId(c), href: findingHref(c.finding) }));
      const back = (rowConflicts: SidConflict[]) =>
        rowConflicts
          .map((c) => findingHref(c.finding))
          .filter((h): h is string => !!h)
          .map((h) => ` <a href="${e(h)}">finding</a>`)
          .join('');
      body.push(`<section class="lane" id="${smmuIds.get(smmu)}"${mine.length ? ' data-has-conflict="true"' : ''}>`);
      body.push(`<h3>${e(smmu.label ?? smmu.path)} <small class="muted">${e(smmu.path)}${smmu.enabled ? '' : ' (disabled)'}</small></h3>`);
      if (smmu.smmuV3) {
        body.push(`<p class="muted">SMMUv3 · ${smmu.parameters.sidBits}-bit stream IDs${smmu.assumed.length ? ` (assumed: ${e(smmu.assumed.join(', '))})` : ''}</p>`);
        const ranges = smmu.ranges ?? [];
        if (ranges.length) {
          const pic = rangesPicture(smmu, mine);
          body.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${PICTURE_WIDTH} ${pic.height}" role="img" aria-label="stream-ID ranges of ${e(smmu.label ?? smmu.path)}">${pic.svg}</svg>`);
        }
        body.push('<table class="ranges"><tr><th>stream IDs</th><th>RIDs</th><th>from</th><th>device</th><th>finding</th></tr>');
        ranges.forEach((r, i) => {
          const rc = mine.filter((c) => c.ranges.includes(i));
          const cells = rangeCells(r).map((c, k) => (k < 2 ? `<td><code>${e(c)}</code></td>` : `<td>${e(c)}</td>`));
          if (rc.length) cells[4] = `<td>${e(r.rule ?? '')}${back(rc)}</td>`;
          body.push(`<tr id="${rangeId(smmu, i)}"${rc.length ? ' data-conflict="true"' : ''}>${cells.join('')}</tr>`);
        });
        body.push('</table></section>');
        continue;
      }
      if (smmu.devices.length) {
        const pic = smmuPicture(smmu, labels, { title: false, conflicts: marks });
        body.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${PICTURE_WIDTH} ${pic.height}" role="img" aria-label="SID map of ${e(smmu.label ?? smmu.path)}">${pic.svg}</svg>`);
      }
      if (smmu.entries.length) {
        body.push('<table class="smrs"><tr><th>SMR</th><th>SID/mask</th><th>matches</th><th>group</th><th>context bank</th><th>devices</th></tr>');
        for (const en of smmu.entries) {
          const rc = mine.filter((c) => c.entries.includes(en.index));
          const devices = en.devices.map((d) => `<span title="${e(d)}">${e(name(d))}</span>`).join(', ') || '(bootloader handoff)';
          const matches = en.matches ? en.matches.map((m) => hex(m)).join(' ') : `${en.matchCount} IDs`;
          body.push(`<tr id="${rowId(smmu, en.index)}"${rc.length ? ' data-conflict="true"' : ''}><td>${en.index}</td><td class="loc">${hex(en.sid)}/${hex(en.mask)}</td><td class="loc">${matches}</td><td>${en.group ?? '-'}</td><td>${en.contextBank ?? '-'}</td><td>${devices}${back(rc)}</td></tr>`);
        }
        body.push('</table>');
      }
      const failed = smmu.devices.filter((d) => d.status === 'no-iommu');
      if (failed.length) body.push(`<ul class="failed">${failed.map((d) => `<li><b title="${e(d.device)}">${e(d.name)}</b> has no IOMMU: ${e(d.reason ?? '')}</li>`).join('')}</ul>`);
      body.push('</section>');
    }
    if (sim.remoteprocs.length) body.push('<h3>Remoteproc bring-up</h3>');
    for (const rp of sim.remoteprocs) {
      const sids = rp.iommus.map((i) => `${hex(i.sid)}/${hex(i.mask)}`).join(', ') || 'no iommus';
      const outcome = rp.outcome === 'boots' ? '<span class="boots">boots</span>' : `<span class="fails">fails at ${e(rp.failedAt ?? '?')}</span>`;
      body.push(`<details class="bringup" id="${idPrefix}rproc-${slug(rp.label ?? rp.path)}"${rp.outcome === 'boots' ? '' : ' open'}><summary>${e(rp.label ?? rp.path)}: ${outcome} <small class="muted">${e(rp.compatible)} · PAS id ${rp.pasId ?? '?'} · ${e(sids)}</small></summary>`);
      body.push('<table class="steps"><tr><th>step</th><th>what</th><th>outcome</th><th>inputs / message</th></tr>');
      for (const s of rp.steps) {
        const inputs = Object.entries(s.inputs).map(([k, v]) => `${e(k)}=<code>${e(v)}</code>`).join(' ');
        const message = [inputs, s.message ? e(s.message) : '', s.rule ? `<code>${e(s.rule)}</code>` : ''].filter(Boolean).join('; ');
        body.push(`<tr class="o-${s.outcome}"><td>${e(s.id)}</td><td>${e(s.title)}</td><td>${e(s.outcome)}</td><td>${message}</td></tr>`);
      }
      body.push('</table></details>');
    }
    return body.join('\n');
  };
  const defs = `<svg width="0" height="0" style="position:absolute" aria-hidden="true">${SVG_DEFS}</svg>`;
  return { conflicts, style: SID_MAP_STYLE, defs, linksFor, banner, render };
}
