/**
 * cache-prune.ts: the schema cache keeps the keys recent runs used and removes the rest when a
 * new key is written; names that are not an entry's are never touched.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEPT_DAYS, KEPT_KEYS, markUsed, processedEntryKey, pruneKeys, setKey, validatorFolderKey } from '../../src/schema/cache-prune.js';
import { repoRoot } from '../support/shared.js';

const DAY = 24 * 3600 * 1000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-prune-'));
  dirs.push(d);
  return d;
}

/** A file (or folder, for a name without a dot) last modified `days` ago. */
function entry(dir: string, name: string, days: number, folder = false): void {
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true });
  if (folder) {
    fs.mkdirSync(file, { recursive: true });
    fs.writeFileSync(path.join(file, 'chunk.js'), '');
  } else fs.writeFileSync(file, 'x');
  const when = new Date(Date.now() - days * DAY);
  fs.utimesSync(file, when, when);
}

const hex = (n: number, length: number): string => n.toString(16).padStart(length, '0');

describe('pruneKeys', () => {
  it(`keeps the ${KEPT_KEYS} keys used last and every key used within ${KEPT_DAYS} days; removes the rest, all their files`, () => {
    const dir = tempDir();
    const ages = [0.5, 1, 2, 10, 20, 30, 40];
    ages.forEach((days, i) => {
      entry(dir, `${hex(i, 64)}.json`, days);
      entry(dir, `${hex(i, 64)}.schemas.json`, days + 1); // a key's use is its newest file
    });
    entry(dir, '.entry.dtoc-12-abcdef.tmp', 90); // a write in progress elsewhere
    entry(dir, 'notes.txt', 90);
    const removed = pruneKeys(dir, setKey);
    expect(removed.sort()).toEqual([hex(4, 64), hex(5, 64), hex(6, 64)]);
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['.entry.dtoc-12-abcdef.tmp', 'notes.txt', ...[0, 1, 2, 3].flatMap((i) => [`${hex(i, 64)}.json`, `${hex(i, 64)}.schemas.json`])].sort(),
    );
  });

  it(`keeps more than ${KEPT_KEYS} keys while they were used within ${KEPT_DAYS} days (trees checked side by side)`, () => {
    const dir = tempDir();
    for (let i = 0; i < KEPT_KEYS + 3; i++) entry(dir, `${hex(i, 64)}-ajv8.20-2`, i * 0.5, true);
    expect(pruneKeys(dir, validatorFolderKey)).toEqual([]);
    expect(fs.readdirSync(dir).length).toBe(KEPT_KEYS + 3);
  });

  it("names each kind's entries: sets, validator folders (bindings and processed schemas), processed entries", () => {
    expect(setKey(`${hex(1, 64)}.schemas.json`)).toBe(hex(1, 64));
    expect(setKey(`${hex(1, 64)}.json.tmp`)).toBeUndefined();
    expect(validatorFolderKey(`processed-${hex(2, 32)}-ajv8.20-2`)).toBe(`processed-${hex(2, 32)}-ajv8.20-2`);
    expect(validatorFolderKey('stat')).toBeUndefined();
    expect(processedEntryKey(`${hex(3, 32)}-dtoverlay-check-schema-5.schemas.jsonl`)).toBe(`${hex(3, 32)}-dtoverlay-check-schema-5`);
    expect(processedEntryKey(`${hex(3, 32)}-dtoverlay-check-schema-5.index`)).toBe(`${hex(3, 32)}-dtoverlay-check-schema-5`);
    expect(processedEntryKey('stat')).toBeUndefined();
  });
});

describe('markUsed', () => {
  it('moves the modification time to now when it is an hour old or more, and leaves a fresher one', () => {
    const dir = tempDir();
    entry(dir, 'old.json', 2 / 24);
    entry(dir, 'fresh.json', 10 / (24 * 60));
    const fresh = fs.statSync(path.join(dir, 'fresh.json')).mtimeMs;
    markUsed(path.join(dir, 'old.json'));
    markUsed(path.join(dir, 'fresh.json'));
    markUsed(path.join(dir, 'absent.json')); // no error
    expect(Date.now() - fs.statSync(path.join(dir, 'old.json')).mtimeMs).toBeLessThan(60_000);
    expect(fs.statSync(path.join(dir, 'fresh.json')).mtimeMs).toBe(fresh);
  });
});

describe('a validate run that writes a new set prunes the cache', () => {
  it('removes the sets and validator folders no recent run used, and keeps its own', () => {
    const cache = tempDir();
    for (let i = 0; i < 5; i++) {
      entry(path.join(cache, 'sets'), `${hex(i, 64)}.json`, 10 + i * 10, false);
      entry(path.join(cache, 'validators'), `${hex(i, 64)}-ajv8.20-2`, 10 + i * 10, true);
    }
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), 'validate', path.join(repoRoot, 'fixtures/schema/board.dts'), '--bindings', path.join(repoRoot, 'fixtures/schema/bindings')], {
      env: { ...process.env, DTOVERLAY_CHECK_CACHE: cache },
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    const sets = fs.readdirSync(path.join(cache, 'sets'));
    const folders = fs.readdirSync(path.join(cache, 'validators'));
    // sets: the new one and the three fakes used last; validators: the four fakes used last (the
    // new set's folder did not exist yet when the set was written) and the new folder
    for (const i of [0, 1, 2]) expect(sets).toContain(`${hex(i, 64)}.json`);
    for (const i of [3, 4]) expect(sets).not.toContain(`${hex(i, 64)}.json`);
    expect(sets.filter((s) => /^[0-9a-f]{64}\.json$/.test(s) && !s.startsWith('0000000')).length).toBe(1);
    for (const i of [0, 1, 2, 3]) expect(folders).toContain(`${hex(i, 64)}-ajv8.20-2`);
    expect(folders).not.toContain(`${hex(4, 64)}-ajv8.20-2`);
    expect(folders.length).toBe(5);
  });
});
