/**
 * The SID map as SVG: each SMMU is a lane — an overview axis of the whole 16-bit stream-ID space
 * with ticks, then one row per occupied block of 256 IDs, a cell per ID. A mask is drawn as the
 * set of IDs it matches; colour says what a mark is (conflict, shared entry, remoteproc, other,
 * device without its IOMMU), not whose it is: names are written under their IDs. A conflict is
 * drawn taller and outlined and links to its finding (`data-conflict="true"`).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SimulationResult, SmmuResult } from '../pas/simulate.js';
import { matchesId, sidConflicts, type SidConflict } from './sid-conflicts.js';

const CELL_W = 5;
const ROW_H = 14;
const LABEL_W = 64;
const LABEL_H = 12;
/** Width of a character of the 10.5-px monospace names, for packing them. */
const CHAR_W = 6.4;
const GRID_W = 256 * CELL_W;
/** The width every picture is drawn for (pages scale it to theirs). */
export const PICTURE_WIDTH = LABEL_W + GRID_W + 24;
const WIDTH = PICTURE_WIDTH;
const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, '0')}`;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function shortName(device: string): string {
  // /soc@0/remoteproc@26300000/glink-edge/fastrpc/compute-cb@3 → remoteproc@26300000/…/compute-cb@3
  const parts = device.split('/').filter(Boolean);
  if (parts[0]?.startsWith('soc')) parts.shift();
  return parts.length > 2 ? `${parts[0]}/…/${parts[parts.length - 1]}` : parts.join('/');
}

export interface SmmuPicture {
  svg: string;
  height: number;
}

/**
 * What a mark's colour says (Okabe–Ito colours, told apart by colour-blind readers; a conflict is
 * also drawn taller and outlined, and a device without its IOMMU hatched, so no meaning rests on
 * hue alone).
 */
export type Category = 'conflict' | 'shared' | 'remoteproc' | 'other' | 'failed';

export const CATEGORIES: readonly { category: Category; fill: string; words: string }[] = [
  { category: 'conflict', fill: '#D55E00', words: 'conflict: two masters want these IDs' },
  { category: 'shared', fill: '#CC79A7', words: 'shared stream-match entry (one IOMMU group)' },
  { category: 'remoteproc', fill: '#0072B2', words: 'PAS remoteproc' },
  { category: 'other', fill: '#9AA3AE', words: 'other device' },
  { category: 'failed', fill: 'url(#hatch)', words: 'device left without its IOMMU' },
];
const FILL = new Map(CATEGORIES.map((c) => [c.category, c.fill]));
/** Which category wins when one ID (or one overview block) has several. */
const PRIORITY: Category[] = ['conflict', 'failed', 'shared', 'remoteproc', 'other'];

interface Want {
  device: string;
  name: string;
  sid: number;
  mask: number;
  category: Exclude<Category, 'conflict'>;
}

/** A conflict as a picture draws it: the id its first mark takes and where its marks link. */
export interface ConflictMark {
  conflict: SidConflict;
  id: string;
  href?: string;
}

export interface PictureOptions {
  /** The SMMU's name above the picture (the HTML pages put it in a heading instead). */
  title?: boolean;
  /** This SMMU's conflicts. */
  conflicts?: ConflictMark[];
}

/** Neighbouring IDs with the same devices and category: one mark. */
interface Run {
  start: number;
  end: number;
  key: string;
  cat: Category;
  names: string[];
  c?: ConflictMark;
}

/**
 * One name per run, except that runs of one device each whose names differ only at the end
 * (remoteproc_cdsp0/…/compute-cb1, …-cb2) and lie close together share one name
 * ("remoteproc_cdsp0/…/compute-cb1,2,3"): a row of fastrpc context banks stays one line.
 */
function labelsOf(runs: readonly Run[]): { run: Run; text: string }[] {
  const seen = new Set<string>();
  const unique = runs.filter((r) => !seen.has(r.key) && seen.add(r.key));
  const dir = (n: string) => n.slice(0, n.lastIndexOf('/') + 1);
  const clusters: Run[][] = [];
  for (const r of unique) {
    const last = clusters[clusters.length - 1]?.at(-1);
    const joinable = (a: Run) => a.names.length === 1 && r.names.length === 1 && a.cat === r.cat && a.cat !== 'conflict' && dir(a.names[0]) !== '' && dir(a.names[0]) === dir(r.names[0]) && r.start - a.end < 32;
    if (last && joinable(last)) clusters[clusters.length - 1].push(r);
    else clusters.push([r]);
  }
  return clusters.map((group) => {
    const r = group[0];
    const prefix = r.cat === 'conflict' ? '▲ conflict: ' : '';
    if (group.length === 1) return { run: r, text: `${prefix}${r.names.join(' + ')}` };
    const bases = group.map((g) => g.names[0].slice(dir(r.names[0]).length));
    let common = bases[0];
    for (const b of bases) while (!b.startsWith(common)) common = common.slice(0, -1);
    return { run: r, text: `${dir(r.names[0])}${common}${bases.map((b) => b.slice(common.length)).join(',')}` };
  });
}

/** One SMMU's picture as an SVG fragment placed at y = 0 (wrap it in <g transform>). */
export function smmuPicture(smmu: SmmuResult, labels: Map<string, string>, options: PictureOptions = {}): SmmuPicture {
  const sharedDevices = new Set(smmu.entries.filter((e) => e.devices.length > 1).flatMap((e) => e.devices));
  const wants: Want[] = [];
  for (const d of smmu.devices) {
    const category = d.status === 'no-iommu' ? 'failed' : sharedDevices.has(d.device) ? 'shared' : d.remoteproc ? 'remoteproc' : 'other';
    const name = d.name || labels.get(d.device) || shortName(d.device);
    for (const s of d.streams) wants.push({ device: d.device, name, sid: s.sid, mask: s.mask, category });
  }
  const conflicts = options.conflicts ?? [];
  const conflictAt = new Map<number, ConflictMark>();
  for (const c of conflicts) for (const id of c.conflict.ids) if (!conflictAt.has(id)) conflictAt.set(id, c);
  const placed = new Set<string>();
  const title = `${smmu.label ?? smmu.path} — ${smmu.path}${smmu.enabled ? '' : ' (disabled)'}`;
  const summary = `${smmu.smrsUsed}/${smmu.parameters.numMappingGroups} SMRs · ${smmu.contextBanksUsed}/${smmu.parameters.numContextBanks} context banks · ${smmu.devices.length} devices${conflicts.length ? ` · ${conflicts.length} conflict(s)` : ''}`;
  let y = 0;
  const out: string[] = [];
  if (options.title !== false) {
    out.push(`<text x="0" y="${y + 18}" class="title">${escapeXml(title)}</text>`);
    y += 18;
  }
  out.push(`<text x="0" y="${y + 18}" class="sub">${escapeXml(summary)}</text>`);
  y += 34;

  // A conflict mark links to its finding; the first mark of each conflict carries its id.
  const mark = (shape: string, c: ConflictMark | undefined): string => {
    if (!c) return shape;
    const id = placed.has(c.id) ? '' : ` id="${escapeXml(c.id)}"`;
    placed.add(c.id);
    if (!c.href) return `<g${id} data-conflict="true" class="conflict-mark">${shape}</g>`;
    return `<a href="${escapeXml(c.href)}"${id} data-conflict="true" class="conflict-mark">${shape}</a>`;
  };
  const best = (cats: Iterable<Category>): Category => {
    const set = new Set(cats);
    return PRIORITY.find((c) => set.has(c)) ?? 'other';
  };

  // Overview lane: the whole 16-bit space, one 5-px block per 256 IDs, ticks every 0x1000.
  const buckets = new Map<number, Want[]>();
  for (const w of wants) {
    for (let h = 0; h < 256; h++) {
      if ((((h << 8) ^ w.sid) & ~w.mask & 0xff00) !== 0) continue;
      buckets.set(h, [...(buckets.get(h) ?? []), w]);
    }
  }
  const conflictBlocks = new Set([...conflictAt.keys()].map((id) => id >> 8));
  out.push(`<text x="${LABEL_W - 6}" y="${y + 11}" class="axis" text-anchor="end">all IDs</text>`);
  out.push(`<rect x="${LABEL_W}" y="${y}" width="${GRID_W}" height="14" class="space"/>`);
  for (const [h, list] of [...buckets].sort((a, b) => a[0] - b[0])) {
    const cat = conflictBlocks.has(h) ? 'conflict' : best(list.map((w) => w.category));
    const tip = `${hex(h << 8)}–${hex((h << 8) | 0xff)}: ${[...new Set(list.map((w) => w.name))].join(', ')}`;
    const geometry = cat === 'conflict' ? `y="${y - 4}" height="22" class="clash"` : `y="${y}" height="14"`;
    out.push(`<rect x="${LABEL_W + h * CELL_W}" ${geometry} width="${CELL_W}" fill="${FILL.get(cat)}"><title>${escapeXml(tip)}</title></rect>`);
  }
  for (let t = 0; t <= 256; t += 16) {
    const x = LABEL_W + t * CELL_W;
    out.push(`<line x1="${x}" y1="${y + 14}" x2="${x}" y2="${y + 19}" class="tickline"/>`);
    if (t % 32 === 0) out.push(`<text x="${x}" y="${y + 29}" class="tick" text-anchor="${t === 256 ? 'end' : 'middle'}">${t === 256 ? '0xffff' : hex(t << 8)}</text>`);
  }
  y += 46;

  // Detail: one row per occupied block of 256 IDs, a 5-px cell per ID, names under their IDs.
  const rows = [...buckets.keys()].sort((a, b) => a - b);
  if (rows.length) {
    for (let t = 0; t < 256; t += 32) out.push(`<text x="${LABEL_W + t * CELL_W}" y="${y + 9}" class="tick" text-anchor="middle">+${hex(t, 2)}</text>`);
    y += 16;
  }
  for (const h of rows) {
    out.push(`<text x="${LABEL_W - 6}" y="${y + 11}" class="axis" text-anchor="end">${hex(h, 2)}xx</text>`);
    out.push(`<rect x="${LABEL_W}" y="${y}" width="${GRID_W}" height="${ROW_H}" class="space"/>`);
    for (let t = 16; t < 256; t += 16) out.push(`<line x1="${LABEL_W + t * CELL_W}" y1="${y + ROW_H}" x2="${LABEL_W + t * CELL_W}" y2="${y + ROW_H + 3}" class="tickline"/>`);
    const list = buckets.get(h)!;
    // Runs of neighbouring IDs with the same devices and category: one mark, one name.
    const runs: Run[] = [];
    for (let col = 0; col < 256; col++) {
      const x = (h << 8) | col;
      const hits = list.filter((w) => matchesId(w, x));
      if (!hits.length) continue;
      const c = conflictAt.get(x);
      const several = new Set(hits.map((w) => w.device)).size > 1;
      const cat = c ? 'conflict' : best(hits.map((w) => (several && w.category !== 'failed' ? 'shared' : w.category)));
      const names = [...new Set(hits.map((w) => w.name))];
      const key = `${cat}\u0000${names.join('\u0000')}`;
      const last = runs[runs.length - 1];
      if (last && last.key === key && last.end === col - 1) last.end = col;
      else runs.push({ start: col, end: col, key, cat, names, c });
    }
    for (const r of runs) {
      const x = LABEL_W + r.start * CELL_W;
      const ids = r.start === r.end ? hex((h << 8) | r.start) : `${hex((h << 8) | r.start)}–${hex((h << 8) | r.end)}`;
      const geometry = r.cat === 'conflict' ? `y="${y - 4}" height="${ROW_H + 8}" class="clash"` : `y="${y}" height="${ROW_H}"`;
      const width = Math.max((r.end - r.start + 1) * CELL_W - 1, 2);
      out.push(mark(`<rect x="${x}" ${geometry} width="${width}" fill="${FILL.get(r.cat)}"><title>${escapeXml(`${ids}: ${r.names.join(' + ')}`)}</title></rect>`, r.c));
    }
    y += ROW_H + 6;
    // Names under their marks, packed into as few lines as fit without overlapping.
    const lineEnds: number[] = [];
    for (const { run: r, text } of labelsOf(runs)) {
      const width = text.length * CHAR_W;
      const x = Math.max(LABEL_W, Math.min(LABEL_W + r.start * CELL_W, LABEL_W + GRID_W - width));
      let line = lineEnds.findIndex((end) => end < x);
      if (line < 0) line = lineEnds.push(0) - 1;
      lineEnds[line] = x + width + 8;
      out.push(mark(`<text x="${x.toFixed(1)}" y="${y + 9 + line * LABEL_H}" class="name ${r.cat}">${escapeXml(text)}</text>`, r.c));
    }
    y += lineEnds.length * LABEL_H + 8;
  }
  y += 4;

  // Legend: what each colour means, in words.
  let lx = 0;
  for (const c of CATEGORIES) {
    out.push(`<rect x="${lx}" y="${y}" width="12" height="12" fill="${c.fill}"${c.category === 'conflict' ? ' class="clash"' : ''}/>`);
    out.push(`<text x="${lx + 17}" y="${y + 10}" class="legend">${escapeXml(c.words)}</text>`);
    lx += 17 + c.words.length * CHAR_W + 18;
  }
  y += 22;
  return { svg: out.join('\n'), height: y };
}

/**
 * An SMMUv3's lane: its stream-ID axis from 0 to the next power of two above the highest ID used,
 * and one bar per range (a host bridge's iommu-map or msi-map, or a device's iommus), named.
 */
export function rangesPicture(smmu: SmmuResult, conflicts: readonly SidConflict[]): SmmuPicture {
  const ranges = smmu.ranges ?? [];
  let top = 0x100;
  for (const r of ranges) while (top < r.outBase + r.length) top *= 2;
  const at = (id: number) => LABEL_W + (id / top) * GRID_W;
  const out: string[] = [];
  let y = 4;
  out.push(`<rect x="${LABEL_W}" y="${y}" width="${GRID_W}" height="4" class="space"/>`);
  for (let k = 0; k <= 8; k++) {
    const x = LABEL_W + (k / 8) * GRID_W;
    out.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${y + 9}" class="tickline"/>`);
    out.push(`<text x="${x}" y="${y + 20}" class="tick" text-anchor="${k === 8 ? 'end' : 'middle'}">${hex(k === 8 ? top - 1 : (top / 8) * k)}</text>`);
  }
  y += 30;
  ranges.forEach((r, i) => {
    const conflict = conflicts.some((c) => c.ranges.includes(i));
    const x = at(r.outBase);
    const width = Math.max(at(r.outBase + r.length) - x, 2);
    const ids = r.length === 1 ? hex(r.outBase) : `${hex(r.outBase)}–${hex(r.outBase + r.length - 1)}`;
    const text = `${r.name} ${r.kind} ${ids}${r.ridBase === undefined ? '' : ` (RIDs ${hex(r.ridBase)}–${hex(r.ridBase + r.length - 1)})`}${conflict ? ' ▲ conflict' : ''}`;
    const fill = FILL.get(conflict ? 'conflict' : 'other');
    const bar = `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="12" fill="${fill}"${conflict ? ' class="clash"' : ''}><title>${escapeXml(text)}</title></rect>`;
    const tx = Math.min(x + width + 6, LABEL_W + GRID_W - text.length * CHAR_W);
    const label = `<text x="${Math.max(LABEL_W, tx).toFixed(1)}" y="${y + (tx < x + width ? 24 : 10)}" class="name${conflict ? ' conflict' : ''}">${escapeXml(text)}</text>`;
    out.push(conflict ? `<g data-conflict="true">${bar}${label}</g>` : `${bar}${label}`);
    y += tx < x + width ? 30 : 18;
  });
  return { svg: out.join('\n'), height: y + 6 };
}

export const SVG_STYLE = `
  svg text { font-family: 'DejaVu Sans', Arial, sans-serif; fill: #1d1d1f; }
  .title { font-size: 15px; font-weight: bold; }
  .sub { font-size: 12px; fill: #555; }
  .axis { font-family: 'DejaVu Sans Mono', monospace; font-size: 11px; fill: #333; }
  .tick { font-family: 'DejaVu Sans Mono', monospace; font-size: 10px; fill: #555; }
  .tickline { stroke: #888; stroke-width: 1; }
  svg .name, svg .legend { font-family: 'DejaVu Sans Mono', monospace; font-size: 10.5px; }
  svg .name.conflict { fill: #a63b00; font-weight: bold; font-size: 11px; }
  svg .name.failed { fill: #a00; }
  .space { fill: #f3f4f6; stroke: #d6d6dc; stroke-width: 0.5; }
  .clash { stroke: #000; stroke-width: 1.5; }
`;

/** Once per page or SVG file: the hatch of devices left without their IOMMU. */
export const SVG_DEFS = `<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/><line x1="0" y1="0" x2="0" y2="4" stroke="#000" stroke-width="2"/></pattern></defs>`;

/** Node path → label, from the simulation's remoteprocs and SMMUs plus the diagnostics' messages. */
export function deviceLabels(sim: SimulationResult): Map<string, string> {
  const labels = new Map<string, string>();
  for (const rp of sim.remoteprocs) if (rp.label) labels.set(rp.path, rp.label);
  for (const s of sim.smmus) if (s.label) labels.set(s.path, s.label);
  for (const s of sim.smmus) for (const d of s.devices) if (d.label) labels.set(d.device, d.label);
  return labels;
}

export function renderSidMapSvg(sim: SimulationResult, diagnostics: Diagnostic[]): string {
  const labels = deviceLabels(sim);
  const conflicts = sidConflicts(sim, diagnostics);
  const parts: string[] = [];
  let y = 16;
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  parts.push(`<text x="16" y="${y + 16}" class="title">SID map — EL${sim.el}, SoC profile ${escapeXml(sim.soc ?? 'none')}: ${counts.error} error(s), ${counts.warning} warning(s)</text>`);
  y += 36;
  for (const smmu of sim.smmus) {
    if (!smmu.devices.length) continue;
    const mine = conflicts.filter((c) => c.smmu === smmu).map((conflict, i) => ({ conflict, id: `conflict-${escapeXml(smmu.label ?? 'smmu')}-${i + 1}` }));
    const pic = smmuPicture(smmu, labels, { conflicts: mine });
    parts.push(`<g transform="translate(16 ${y})">${pic.svg}</g>`);
    y += pic.height + 12;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + 32}" height="${y}" viewBox="0 0 ${WIDTH + 32} ${y}">\n<style>${SVG_STYLE}</style>\n${SVG_DEFS}\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
