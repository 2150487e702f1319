/**
 * Wide input: a blob with 125,000 sibling nodes, which dtc reads. Nothing may spread the children
 * into a call (`push(...children)` overflows the stack) or compare every sibling pair.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileWith } from './support.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wide-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A version-17 blob: the root and `count` empty children n0, n1, …, plus `duplicates` more named `dup`. */
function wideBlob(count: number, duplicates = 0): Buffer {
  const words: number[] = [];
  const node = (name: string): void => {
    const bytes = Buffer.alloc(Math.ceil((name.length + 1) / 4) * 4);
    bytes.write(name);
    words.push(1);
    for (let i = 0; i < bytes.length; i += 4) words.push(bytes.readUInt32BE(i));
  };
  node('');
  for (let i = 0; i < count; i++) node(`n${i}`), words.push(2);
  for (let i = 0; i < duplicates; i++) node('dup'), words.push(2);
  words.push(2, 9);
  const struct = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => struct.writeUInt32BE(w, i * 4));
  const header = Buffer.alloc(40);
  const offStruct = 40 + 16;
  [0xd00dfeed, offStruct + struct.length, offStruct, offStruct + struct.length, 40, 17, 16, 0, 0, struct.length].forEach((w, i) => header.writeUInt32BE(w, i * 4));
  return Buffer.concat([header, Buffer.alloc(16), struct]);
}

describe('a blob with 125,000 sibling nodes', () => {
  fs.writeFileSync(path.join(dir, 'wide.dtb'), wideBlob(125_000));

  it.each(['dtb', 'dts', 'json', 'asm'])('compiles to -O %s', async (format) => {
    const r = await compileWith(['-q', '-I', 'dtb', '-O', format], 'wide.dtb', dir);
    expect(r.messages).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.output!.length).toBeGreaterThan(125_000 * 4);
  }, 60_000);

  it('still reports each duplicate pair, as dtc does', async () => {
    fs.writeFileSync(path.join(dir, 'dups.dtb'), wideBlob(1000, 3));
    const r = await compileWith(['-I', 'dtb', '-O', 'dtb'], 'dups.dtb', dir);
    // dtc compares each sibling with every later one: (1,2), (1,3), (2,3) → three errors.
    expect(r.messages.join('').match(/duplicate_node_names/g)).toHaveLength(3);
  });
});
