/**
 * The schema cache keeps what recent runs use and forgets the rest. Every change to the bindings
 * (a `git pull` of a kernel tree) gives the processed set, dt-validate's processed schema and the
 * compiled validators a new key, about 100 MB for the kernel's bindings; without pruning the old
 * keys would stay forever.
 *
 * An entry's last use is the newest modification time among its files: a run that reads an entry
 * marks it (markUsed, at most once an hour: one `stat` a run, a `utimes` an hour). Writing a new
 * entry prunes its kind's folder: the KEPT_KEYS keys used last stay, and so does every key used
 * within KEPT_DAYS (kernel trees checked side by side), the rest is removed. Files whose names are
 * not an entry's (temporaries of a write in progress, anything else) are never touched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Keys of each kind kept whatever their age, most recently used first. */
export const KEPT_KEYS = 4;
/** Keys used within this many days are kept whatever their number. */
export const KEPT_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;
/** An entry is marked again only when its mark is older than this. */
const MARK_AFTER_MS = 3600 * 1000;

/** Records that a cache file or folder was used now (its modification time), at most once an hour. */
export function markUsed(file: string, now = Date.now()): void {
  try {
    const st = fs.statSync(file);
    if (now - st.mtimeMs >= MARK_AFTER_MS) fs.utimesSync(file, st.atime, new Date(now));
  } catch {
    // gone, or a read-only cache: only the pruning is less exact
  }
}

/**
 * Removes from `dir` the entries of keys that are neither among the KEPT_KEYS used last nor used
 * within KEPT_DAYS. `keyOf` gives the key a file or folder belongs to, or undefined for a name
 * that is not an entry's (left alone). Returns the keys removed.
 */
export function pruneKeys(dir: string, keyOf: (name: string) => string | undefined, now = Date.now()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const keys = new Map<string, { names: string[]; used: number }>();
  for (const name of names) {
    const key = keyOf(name);
    if (key === undefined) continue;
    let used: number;
    try {
      used = fs.statSync(path.join(dir, name)).mtimeMs;
    } catch {
      continue; // removed meanwhile
    }
    const entry = keys.get(key);
    if (entry) {
      entry.names.push(name);
      entry.used = Math.max(entry.used, used);
    } else keys.set(key, { names: [name], used });
  }
  const removed: string[] = [];
  const byUse = [...keys].sort((a, b) => b[1].used - a[1].used);
  for (const [key, entry] of byUse.slice(KEPT_KEYS)) {
    if (now - entry.used < KEPT_DAYS * DAY_MS) continue;
    try {
      for (const name of entry.names) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(key);
    } catch {
      // another process pruned it, or a read-only cache
    }
  }
  return removed;
}

/** `sets/`: `<sha256>.json` and `<sha256>.schemas.json` (cache.ts). */
export function setKey(name: string): string | undefined {
  return /^([0-9a-f]{64})\.(?:schemas\.)?json$/.exec(name)?.[1];
}

/**
 * `validators/`: one folder per set and code version — `<sha256>-<code version>` for bindings
 * (cache.ts), `processed-<key>-<code version>` for a processed schema file (index.ts).
 */
export function validatorFolderKey(name: string): string | undefined {
  return /^(?:[0-9a-f]{64}|processed-[0-9a-f]{32})-[\w.-]+$/.test(name) ? name : undefined;
}

/** `processed/`: `<key>-<format>.<part>`, every part of one key and format together (processed-cache.ts). */
export function processedEntryKey(name: string): string | undefined {
  return /^([0-9a-f]{32}-[\w-]+)\.[\w.]+$/.exec(name)?.[1];
}
