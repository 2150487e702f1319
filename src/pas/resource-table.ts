/**
 * Resource-table fixtures (PAS.md §6): what TZ would return from GET_RSCTABLE for a remoteproc,
 * given as YAML or as the binary `struct resource_table`, since no public dump exists (Q9). Used by
 * the bring-up steps B4–B6 and B12 and by RP-11 / RP-12.
 *
 * YAML: `remoteprocs: { <label or path>: { size?: N, entries: [ {type: devmem|carveout|trace|vdev|<n>,
 * da, pa, len, flags, reserved, name, vrings} ] } }`, or `{ file: table.bin }` for a binary table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticError, type Diagnostic, type Span } from '../diagnostics.js';
import { readRegularFile } from '../input-file.js';
import { hex } from './dt.js';
import { finding } from './rules.js';

export const RSC_CARVEOUT = 0;
export const RSC_DEVMEM = 1;
export const RSC_TRACE = 2;
export const RSC_VDEV = 3;
const TYPE_NAMES: Record<string, number> = { carveout: RSC_CARVEOUT, devmem: RSC_DEVMEM, trace: RSC_TRACE, vdev: RSC_VDEV };
/** 1 GiB: qcom_scm_pas_get_rsc_table's -E2BIG cap. */
const MAX_TZ_SIZE = 1 << 30;

export interface ResourceEntry {
  type: number;
  offset?: number;
  da?: number;
  pa?: number;
  len?: number;
  flags?: number;
  reserved: number[];
  name?: string;
  vrings?: number;
}

export interface ResourceTable {
  /** Bytes TZ reports for the table (optional). */
  size?: number;
  /** Bytes of the table itself (binary fixtures). */
  length?: number;
  entries: ResourceEntry[];
  /** Structural problems found while reading a binary table. */
  problems: string[];
  file: string;
}

export type ResourceTables = Map<string, ResourceTable>;

function n(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return Number(v);
  return undefined;
}

export async function loadResourceTables(file: string): Promise<ResourceTables> {
  const yaml = await import('js-yaml');
  let raw: unknown;
  try {
    raw = yaml.load(readRegularFile(file).toString('utf8'));
  } catch (err) {
    throw new DiagnosticError({ rule: 'pas/rsc-table-wellformed', severity: 'error', message: `${file}: ${(err as Error).message.split('\n')[0]}` });
  }
  const rps = (raw as { remoteprocs?: Record<string, Record<string, unknown>> } | null)?.remoteprocs;
  if (!rps || typeof rps !== 'object') {
    throw new DiagnosticError({ rule: 'pas/rsc-table-wellformed', severity: 'error', message: `${file}: expected a mapping 'remoteprocs: { <label>: { entries: [...] } }'` });
  }
  const out: ResourceTables = new Map();
  for (const [key, value] of Object.entries(rps)) {
    if (typeof value.file === 'string') {
      const bin = path.resolve(path.dirname(file), value.file);
      out.set(key, { ...parseBinaryTable(new Uint8Array(readRegularFile(bin)), bin), size: n(value.size) });
      continue;
    }
    const entries = ((value.entries as Record<string, unknown>[] | undefined) ?? []).map((e) => ({
      type: typeof e.type === 'string' ? (TYPE_NAMES[e.type] ?? Number(e.type)) : (n(e.type) ?? -1),
      da: n(e.da),
      pa: n(e.pa),
      len: n(e.len),
      flags: n(e.flags),
      reserved: Array.isArray(e.reserved) ? e.reserved.map((r) => n(r) ?? 0) : [n(e.reserved) ?? 0],
      name: typeof e.name === 'string' ? e.name : undefined,
      vrings: n(e.vrings),
    }));
    out.set(key, { size: n(value.size), entries, problems: [], file });
  }
  return out;
}

/** struct resource_table {u32 ver, num, reserved[2]; u32 offset[num]} followed by the entries, little-endian. */
export function parseBinaryTable(bytes: Uint8Array, file: string): ResourceTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table: ResourceTable = { entries: [], problems: [], file, length: bytes.length };
  if (bytes.length < 16) {
    table.problems.push(`${bytes.length} bytes: shorter than the 16-byte header`);
    return table;
  }
  const num = view.getUint32(4, true);
  if (view.getUint32(8, true) || view.getUint32(12, true)) table.problems.push('header reserved fields are not zero');
  if (16 + 4 * num > bytes.length) {
    table.problems.push(`${num} offsets do not fit in ${bytes.length} bytes`);
    return table;
  }
  for (let i = 0; i < num; i++) {
    const offset = view.getUint32(16 + 4 * i, true);
    const avail = bytes.length - offset - 4;
    if (avail < 0) {
      table.problems.push(`rsc table is truncated: entry ${i} at offset ${offset}`);
      continue;
    }
    const type = view.getUint32(offset, true);
    const at = offset + 4;
    const word = (k: number) => (at + 4 * k + 4 <= bytes.length ? view.getUint32(at + 4 * k, true) : undefined);
    const text = (k: number) => Buffer.from(bytes.subarray(at + 4 * k, Math.min(bytes.length, at + 4 * k + 32))).toString('latin1').replace(/\0.*$/s, '');
    if (type === RSC_CARVEOUT || type === RSC_DEVMEM) {
      if (avail < 52) table.problems.push(`${type === RSC_DEVMEM ? 'devmem' : 'carveout'} rsc is truncated (entry ${i})`);
      table.entries.push({ type, offset, da: word(0), pa: word(1), len: word(2), flags: word(3), reserved: [word(4) ?? 0], name: text(5) });
    } else if (type === RSC_TRACE) {
      if (avail < 44) table.problems.push(`trace rsc is truncated (entry ${i})`);
      table.entries.push({ type, offset, da: word(0), len: word(1), reserved: [word(2) ?? 0], name: text(3) });
    } else if (type === RSC_VDEV) {
      table.entries.push({ type, offset, vrings: (bytes[at + 21] ?? 0), reserved: [bytes[at + 22] ?? 0, bytes[at + 23] ?? 0] });
    } else table.entries.push({ type, offset, reserved: [] });
  }
  return table;
}

/** RP-12 and RP-11 for one remoteproc's table; `identity` is the carve-out's identity-mapped range. */
export function resourceTableFindings(name: string, nodePath: string, table: ResourceTable, identity: { base: bigint; size: bigint } | undefined, span: Span | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bad = (message: string) => out.push(finding('pas/rsc-table-wellformed', `${name}: resource table ${path.basename(table.file)}: ${message}`, { path: nodePath, span }));
  for (const p of table.problems) bad(p);
  if (table.size !== undefined && table.size > MAX_TZ_SIZE) bad(`TZ reports ${table.size} bytes, above the 1 GiB cap (-E2BIG)`);
  if (table.size !== undefined && table.length !== undefined && table.length > table.size) bad(`${table.length} bytes, more than the ${table.size} TZ reports`);
  table.entries.forEach((e, i) => {
    if ([RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE].includes(e.type) && e.reserved.some((r) => r !== 0)) bad(`entry ${i}: reserved field is not zero`);
    if (e.type === RSC_VDEV && e.reserved.some((r) => r !== 0)) bad(`entry ${i}: vdev reserved fields are not zero`);
    if (e.type === RSC_VDEV && (e.vrings ?? 0) > 2) bad(`entry ${i}: ${e.vrings} vrings (at most 2)`);
  });
  const devmem = table.entries.map((e, i) => ({ e, i })).filter(({ e }) => e.type === RSC_DEVMEM && e.da !== undefined && e.len !== undefined);
  const overlap = (a0: bigint, a1: bigint, b0: bigint, b1: bigint) => a0 < b1 && b0 < a1;
  for (let x = 0; x < devmem.length; x++) {
    const a = devmem[x];
    const a0 = BigInt(a.e.da!);
    const a1 = a0 + BigInt(a.e.len!);
    for (let y = x + 1; y < devmem.length; y++) {
      const b = devmem[y];
      const b0 = BigInt(b.e.da!);
      if (overlap(a0, a1, b0, b0 + BigInt(b.e.len!))) {
        out.push(finding('pas/rsc-devmem-vs-carveout', `${name}: DEVMEM entries ${a.i} and ${b.i} map overlapping IOVAs [${hex(a0)}, ${hex(a1)}) and [${hex(b0)}, ${hex(b0 + BigInt(b.e.len!))}): the second iommu_map fails`, { path: nodePath, span }));
      }
    }
    if (identity && overlap(a0, a1, identity.base, identity.base + identity.size)) {
      out.push(finding('pas/rsc-devmem-vs-carveout', `${name}: DEVMEM entry ${a.i} at IOVA [${hex(a0)}, ${hex(a1)}) overlaps the identity-mapped carve-out [${hex(identity.base)}, ${hex(identity.base + identity.size)}): qcom_pas_map_carveout's iommu_map fails`, { path: nodePath, span }));
    }
  }
  return out;
}
