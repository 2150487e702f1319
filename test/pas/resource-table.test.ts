/** Resource-table fixtures (PAS.md §6): the binary struct resource_table and the YAML form, and RP-11/RP-12 on them. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResourceTables, parseBinaryTable, resourceTableFindings, RSC_DEVMEM, RSC_VDEV } from '../../src/pas/resource-table.js';

/** ver 1, two entries: a DEVMEM (da, pa, len, flags, reserved, name[32]) and a VDEV with `vrings` vrings. */
function table(devmem: { da: number; pa: number; len: number; reserved?: number }, vrings: number): Uint8Array {
  const devmemAt = 16 + 8;
  const vdevAt = devmemAt + 4 + 5 * 4 + 32;
  const size = vdevAt + 4 + 24 + vrings * 20;
  const b = Buffer.alloc(size);
  b.writeUInt32LE(1, 0);
  b.writeUInt32LE(2, 4);
  b.writeUInt32LE(devmemAt, 16);
  b.writeUInt32LE(vdevAt, 20);
  b.writeUInt32LE(RSC_DEVMEM, devmemAt);
  [devmem.da, devmem.pa, devmem.len, 0, devmem.reserved ?? 0].forEach((v, i) => b.writeUInt32LE(v, devmemAt + 4 + 4 * i));
  b.write('mmio', devmemAt + 24, 'latin1');
  b.writeUInt32LE(RSC_VDEV, vdevAt);
  b[vdevAt + 4 + 21] = vrings;
  return new Uint8Array(b);
}

const identity = { base: 0x9b500000n, size: 0x1e00000n };

describe('resource tables', () => {
  it('reads the binary format: entries with their fields', () => {
    const t = parseBinaryTable(table({ da: 0x1000, pa: 0x1c000000, len: 0x1000 }, 2), 'rt.bin');
    expect(t.problems).toEqual([]);
    expect(t.entries.map((e) => [e.type, e.da, e.pa, e.len, e.name ?? e.vrings])).toEqual([
      [RSC_DEVMEM, 0x1000, 0x1c000000, 0x1000, 'mmio'],
      [RSC_VDEV, undefined, undefined, undefined, 2],
    ]);
    expect(resourceTableFindings('cdsp0', '/rp', t, identity, undefined)).toEqual([]);
  });

  it('RP-11: a DEVMEM IOVA on the identity-mapped carve-out', () => {
    const t = parseBinaryTable(table({ da: 0x9b600000, pa: 0x1c000000, len: 0x1000 }, 1), 'rt.bin');
    const d = resourceTableFindings('cdsp0', '/rp', t, identity, undefined);
    expect(d.map((x) => x.rule)).toEqual(['pas/rsc-devmem-vs-carveout']);
    expect(d[0].message).toContain('[0x9b500000, 0x9d300000)');
  });

  it('RP-12: reserved fields, too many vrings, truncation, size above what TZ reports', () => {
    const bad = parseBinaryTable(table({ da: 0x1000, pa: 0, len: 0x1000, reserved: 7 }, 3), 'rt.bin');
    const messages = resourceTableFindings('cdsp0', '/rp', { ...bad, size: 64 }, identity, undefined).map((x) => x.message);
    expect(messages.some((m) => m.includes('entry 0: reserved field is not zero'))).toBe(true);
    expect(messages.some((m) => m.includes('entry 1: 3 vrings (at most 2)'))).toBe(true);
    expect(messages.some((m) => /more than the 64 TZ reports/.test(m))).toBe(true);
    const truncated = parseBinaryTable(table({ da: 0, pa: 0, len: 0 }, 0).subarray(0, 40), 'rt.bin');
    expect(truncated.problems.join()).toMatch(/truncated/);
  });

  it('YAML fixtures may name a binary file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-rsc-'));
    fs.writeFileSync(path.join(dir, 'cdsp0.bin'), table({ da: 0x1000, pa: 0, len: 0x1000 }, 1));
    fs.writeFileSync(path.join(dir, 'tables.yaml'), 'remoteprocs:\n  remoteproc_cdsp0: { file: cdsp0.bin, size: 0x4000 }\n  remoteproc_adsp:\n    entries:\n      - { type: devmem, da: 0x2000, pa: 0x3000, len: 0x1000 }\n');
    const tables = await loadResourceTables(path.join(dir, 'tables.yaml'));
    expect(tables.get('remoteproc_cdsp0')?.entries).toHaveLength(2);
    expect(tables.get('remoteproc_cdsp0')?.size).toBe(0x4000);
    expect(tables.get('remoteproc_adsp')?.entries[0]).toMatchObject({ type: RSC_DEVMEM, da: 0x2000, pa: 0x3000, len: 0x1000 });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
