/**
 * The token cache a batch shares (kernel mode, compile --out-dir, the language server): what it
 * keeps, in least-recently-used order, within its token budget.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PreprocessCache } from '../../src/preprocess/cache.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-ppcache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A header of about `defines` × 4 tokens. */
function header(name: string, defines: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Array.from({ length: defines }, (_, i) => `#define ${name.replace(/\W/g, '_')}_${i} ${i}\n`).join(''));
  return file;
}

describe('PreprocessCache', () => {
  const small = header('small.h', 10);
  const other = header('other.h', 10);
  const big = header('big.dtsi', 200);

  it('returns the same tokens for a file it keeps, and lexes a file again once it was dropped', () => {
    const cache = new PreprocessCache(300);
    const first = cache.load(small)!;
    expect(first.tokens.length).toBeGreaterThan(20);
    expect(cache.load(small)).toBe(first);
    // the big file alone is over the budget: it stays while in use, and pushes out the others
    const bigFirst = cache.load(big)!;
    expect(bigFirst.tokens.length).toBeGreaterThan(300);
    expect(cache.load(big)).toBe(bigFirst);
    expect(cache.load(small)).not.toBe(first);
  });

  it('drops the least recently used first', () => {
    const size = new PreprocessCache().load(small)!.tokens.length; // the three headers are alike
    const cache = new PreprocessCache(size * 3 - 1);
    const a = cache.load(small)!;
    const b = cache.load(other)!;
    expect(cache.load(small)).toBe(a); // small is now the most recent
    cache.load(header('third.h', 10)); // over the budget: `other` goes, `small` stays
    expect(cache.load(small)).toBe(a);
    expect(cache.load(other)).not.toBe(b);
  });

  it('keep: false lexes without keeping, and forget drops what changed', () => {
    const cache = new PreprocessCache();
    const once = cache.load(small, undefined, false)!;
    expect(cache.load(small)).not.toBe(once);
    const kept = cache.load(small)!;
    cache.forget((p) => p === small);
    expect(cache.load(small)).not.toBe(kept);
  });
});
