/**
 * The SID map as SVG: per SMMU, an overview strip of the whole 16-bit stream-ID space (256 buckets
 * of 256 IDs), then one row per occupied bucket with a cell per stream ID, coloured by the device
 * whose specifier matches it. IDs wanted by two devices are outlined red (conflict or shared entry);
 * devices that lost their IOMMU are drawn hatched. A legend names each device with its SID/mask.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SimulationResult, SmmuResult } from '../pas/simulate.js';

const CELL_W = 5;
const ROW_H = 16;
const LABEL_W = 64;
const GRID_W = 256 * CELL_W;
const WIDTH = LABEL_W + GRID_W + 24;
const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, '0')}`;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Well-separated hues (golden angle), alternating lightness so neighbours differ. */
export function deviceColour(i: number): string {
  const hue = Math.round((i * 137.508) % 360);
  const light = [42, 58, 34][i % 3];
  return `hsl(${hue} 70% ${light}%)`;
}

interface Want {
  device: string;
  remoteproc: boolean;
  sid: number;
  mask: number;
  colour: string;
  failed: boolean;
}

function matches(w: { sid: number; mask: number }, x: number): boolean {
  return ((x ^ w.sid) & ~w.mask & 0xffff) === 0;
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

/** One SMMU's picture as an SVG fragment placed at y = 0 (wrap it in <g transform>). */
export function smmuPicture(smmu: SmmuResult, labels: Map<string, string>, options: { title?: boolean } = {}): SmmuPicture {
  const wants: Want[] = [];
  smmu.devices.forEach((d, i) => {
    for (const s of d.streams) wants.push({ device: d.device, remoteproc: d.remoteproc, sid: s.sid, mask: s.mask, colour: deviceColour(i), failed: d.status === 'no-iommu' });
  });
  const title = `${smmu.label ?? smmu.path} — ${smmu.path}${smmu.enabled ? '' : ' (disabled)'}`;
  const summary = `${smmu.smrsUsed}/${smmu.parameters.numMappingGroups} SMRs · ${smmu.contextBanksUsed}/${smmu.parameters.numContextBanks} context banks · ${smmu.devices.length} devices`;
  let y = 0;
  const out: string[] = [];
  if (options.title !== false) {
    out.push(`<text x="0" y="${y + 18}" class="title">${escapeXml(title)}</text>`);
    y += 18;
  }
  out.push(`<text x="0" y="${y + 18}" class="sub">${escapeXml(summary)}</text>`);
  y += 30;

  // Overview: 256 buckets of 256 IDs.
  const buckets = new Map<number, Want[]>();
  for (const w of wants) {
    for (let h = 0; h < 256; h++) {
      if ((((h << 8) ^ w.sid) & ~w.mask & 0xff00) !== 0) continue;
      const list = buckets.get(h) ?? [];
      list.push(w);
      buckets.set(h, list);
    }
  }
  out.push(`<text x="0" y="${y + 11}" class="axis">0x0000</text>`);
  out.push(`<rect x="${LABEL_W}" y="${y}" width="${GRID_W}" height="14" class="space"/>`);
  for (const [h, list] of buckets) out.push(`<rect x="${LABEL_W + h * CELL_W}" y="${y}" width="${CELL_W}" height="14" fill="${list[0].colour}"><title>${hex(h << 8)}–${hex((h << 8) | 0xff)}: ${list.length} specifier(s)</title></rect>`);
  out.push(`<text x="${LABEL_W + GRID_W + 4}" y="${y + 11}" class="axis">0xffff</text>`);
  for (let t = 0; t < 256; t += 32) out.push(`<text x="${LABEL_W + t * CELL_W}" y="${y + 26}" class="tick" text-anchor="middle">${hex(t << 8)}</text>`);
  y += 40;

  // Detail rows, one per occupied bucket.
  const rows = [...buckets.keys()].sort((a, b) => a - b);
  for (let t = 0; t < 256; t += 32) out.push(`<text x="${LABEL_W + t * CELL_W}" y="${y + 10}" class="tick" text-anchor="middle">+${hex(t, 2)}</text>`);
  y += 14;
  for (const h of rows) {
    out.push(`<text x="${LABEL_W - 6}" y="${y + 12}" class="axis" text-anchor="end">${hex(h, 2)}xx</text>`);
    out.push(`<rect x="${LABEL_W}" y="${y}" width="${GRID_W}" height="${ROW_H - 2}" class="space"/>`);
    const list = buckets.get(h)!;
    for (let c = 0; c < 256; c++) {
      const x = (h << 8) | c;
      const hits = list.filter((w) => matches(w, x));
      if (!hits.length) continue;
      const devices = new Set(hits.map((w) => w.device));
      const w = hits[0];
      const tip = `${hex(x)}: ${hits.map((v) => `${labels.get(v.device) ?? v.device} (${hex(v.sid)}/${hex(v.mask)})${v.failed ? ' — no IOMMU' : ''}`).join('; ')}`;
      const cls = devices.size > 1 ? ' class="clash"' : w.failed ? ' class="failed"' : w.remoteproc ? ' class="rproc"' : '';
      out.push(`<rect x="${LABEL_W + c * CELL_W}" y="${y}" width="${CELL_W - 1}" height="${ROW_H - 2}" fill="${w.failed ? 'url(#hatch)' : w.colour}"${cls}><title>${escapeXml(tip)}</title></rect>`);
    }
    y += ROW_H;
  }
  y += 10;

  // Legend: device, SID/mask, status.
  const legendCols = 2;
  const colW = (LABEL_W + GRID_W) / legendCols;
  const items = smmu.devices.map((d, i) => ({ d, i }));
  const perCol = Math.ceil(items.length / legendCols);
  items.forEach(({ d, i }, k) => {
    const col = Math.floor(k / perCol);
    const row = k % perCol;
    const lx = col * colW;
    const ly = y + row * 15;
    const sids = d.streams.map((s) => `${hex(s.sid)}/${hex(s.mask)}`).join(' ');
    const name = d.name || labels.get(d.device) || shortName(d.device);
    const status = d.status === 'no-iommu' ? ' — NO IOMMU' : d.status === 'identity' ? ' — identity' : d.remoteproc ? ' — PAS remoteproc' : '';
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${d.status === 'no-iommu' ? 'url(#hatch)' : deviceColour(i)}"/>`);
    out.push(`<text x="${lx + 14}" y="${ly + 9}" class="legend${d.status === 'no-iommu' ? ' bad' : d.remoteproc ? ' strong' : ''}">${escapeXml(`${name}  ${sids}${status}`)}<title>${escapeXml(d.device + (d.reason ? `: ${d.reason}` : ''))}</title></text>`);
  });
  y += perCol * 15 + 16;
  return { svg: out.join('\n'), height: y };
}

export const SVG_STYLE = `
  text { font-family: 'DejaVu Sans', Arial, sans-serif; fill: #1d1d1f; }
  .title { font-size: 15px; font-weight: bold; }
  .sub { font-size: 12px; fill: #555; }
  .axis { font-family: 'DejaVu Sans Mono', monospace; font-size: 10px; fill: #444; }
  .tick { font-family: 'DejaVu Sans Mono', monospace; font-size: 9px; fill: #777; }
  .legend { font-family: 'DejaVu Sans Mono', monospace; font-size: 10.5px; }
  .bad { fill: #c00; font-weight: bold; }
  .strong { font-weight: bold; }
  .space { fill: #f1f1f4; stroke: #d6d6dc; stroke-width: 0.5; }
  .clash { stroke: #e00; stroke-width: 1.5; }
  .failed { stroke: #c00; stroke-width: 0.8; }
  .rproc { stroke: #000; stroke-width: 1.2; }
`;

export const SVG_DEFS = `<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/><line x1="0" y1="0" x2="0" y2="4" stroke="#c00" stroke-width="2"/></pattern></defs>`;

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
  const parts: string[] = [];
  let y = 16;
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  parts.push(`<text x="16" y="${y + 16}" class="title">SID map — EL${sim.el}, SoC profile ${escapeXml(sim.soc ?? 'none')}: ${counts.error} error(s), ${counts.warning} warning(s)</text>`);
  y += 36;
  for (const smmu of sim.smmus) {
    if (!smmu.devices.length) continue;
    const pic = smmuPicture(smmu, labels);
    parts.push(`<g transform="translate(16 ${y})">${pic.svg}</g>`);
    y += pic.height + 12;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + 32}" height="${y}" viewBox="0 0 ${WIDTH + 32} ${y}">\n<style>${SVG_STYLE}</style>\n${SVG_DEFS}\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
