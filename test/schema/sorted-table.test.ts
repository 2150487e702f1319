/**
 * The on-disk string tables of the processed-schema cache (src/schema/sorted-table.ts): every key
 * found with its value, absent keys not found, whatever characters they hold, and damage noticed.
 */
import { describe, expect, it } from 'vitest';
import { SortedTable, sortedTableBytes, sortedTableProblem } from '../../src/schema/sorted-table.js';
import { seededRandom } from '../support/random.js';

function randomString(random: () => number): string {
  const alphabet = ['a', 'b', ',', '-', '"', '\\', '\t', '\n', '\0', 'é', '😀', 'z', '/', '#'];
  const length = Math.floor(random() * 8);
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

describe('sorted tables', () => {
  it('finds every key of 2,000 random ones (prefixes of each other, quotes, tabs, NULs, non-ASCII) and no other', () => {
    const random = seededRandom(14);
    const entries = new Map<string, string>();
    for (let i = 0; i < 2000; i++) entries.set(randomString(random), randomString(random));
    for (const k of ['acme', 'acme,a', 'acme,a-b', 'acme,', 'constructor', '__proto__']) entries.set(k, `v:${k}`);
    const bytes = sortedTableBytes(entries);
    expect(sortedTableProblem(bytes)).toBeUndefined();
    const table = new SortedTable(bytes);
    expect(table.size).toBe(entries.size);
    for (const [k, v] of entries) expect(table.get(k), JSON.stringify(k)).toBe(v);
    for (let i = 0; i < 2000; i++) {
      const k = randomString(random);
      expect(table.get(k)).toBe(entries.get(k));
    }
    expect(table.has('toString')).toBe(false);
    expect(new Map(table.entries())).toEqual(entries);
  });

  it('an empty table finds nothing; a later equal key replaces an earlier one', () => {
    expect(new SortedTable(sortedTableBytes([])).get('x')).toBeUndefined();
    expect(new SortedTable(sortedTableBytes([['k', '1'], ['k', '2']])).get('k')).toBe('2');
  });

  it('damage: a wrong length is a problem; offsets out of order throw when read', () => {
    const bytes = sortedTableBytes([['a', '1'], ['b', '2'], ['c', '3']]);
    expect(sortedTableProblem(bytes.subarray(0, bytes.length - 1))).toBeDefined();
    expect(sortedTableProblem(Buffer.alloc(2))).toBeDefined();
    const swapped = Buffer.from(bytes);
    swapped.writeUInt32LE(swapped.readUInt32LE(12) + 50, 8); // row 1 starts past its end
    expect(sortedTableProblem(swapped)).toBeUndefined();
    expect(() => new SortedTable(swapped).get('b')).toThrow('damaged sorted table');
  });
});
