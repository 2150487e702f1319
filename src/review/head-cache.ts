/**
 * The hook's findings per run (a Makefile target, or a source checked alone), cached on disk by the
 * git tree id they were found in. A tree id names every tracked file's content, so the findings of
 * a run in that tree are the same whenever it is checked again with the same options and the same
 * version: the hook's side at HEAD need not be checked out and checked again when an earlier run
 * (the commit blocked, fixed and tried again) already did. Only findings checked in a checkout of
 * that very commit are stored.
 *
 * `get` and `set` take findings with paths in the user's tree (`root`); entries hold them relative to it. Location: the schema cache's folder
 * (src/schema/cache.ts), under `hook/`; DTOVERLAY_CHECK_CACHE=off disables it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { VERSION } from '../pipeline/version.js';
import { defaultCacheDir } from '../schema/cache.js';
import { rebaseFinding } from './compare.js';
import { replaceFileSync } from '../temp-files.js';

/** Bump when what a run reports for the same tree could change without VERSION changing. */
const FORMAT = 'hook-findings-3';

export interface HeadCache {
  get(key: string): Diagnostic[] | undefined;
  set(key: string, diagnostics: Diagnostic[]): void;
}

/** Where the user's tree stands in stored findings: the same tree may sit in another folder next time. */
const TREE = '/@tree';

/**
 * The cache of tree `treeId` for runs with these `options` (what else decides the findings: the
 * configuration and include folders). Folders outside the tree that options name (bindings, core
 * schemas) are keyed by path and modification time only.
 */
export function headCache(treeId: string, options: unknown, root: string, cacheDir = defaultCacheDir()): HeadCache {
  const dir = cacheDir ? path.join(cacheDir, 'hook') : undefined;
  const base = createHash('sha256').update(`${FORMAT}\0${VERSION}\0${treeId}\0${JSON.stringify(options) ?? ''}\0${folderStamps(options)}`);
  const file = (key: string) => path.join(dir!, `${base.copy().update(key).digest('hex').slice(0, 32)}.json`);
  return {
    get(key) {
      if (!dir) return undefined;
      try {
        const entry = JSON.parse(fs.readFileSync(file(key), 'utf8')) as { key: string; diagnostics: Diagnostic[] };
        return entry.key === key && Array.isArray(entry.diagnostics) ? entry.diagnostics.map((d) => rebaseFinding(d, TREE, root)) : undefined;
      } catch {
        return undefined; // absent or unreadable: checked again
      }
    },
    set(key, diagnostics) {
      if (!dir) return;
      try {
        fs.mkdirSync(dir, { recursive: true });
        replaceFileSync(file(key), JSON.stringify({ key, diagnostics: diagnostics.map((d) => rebaseFinding(d, root, TREE)) }));
      } catch {
        // a cache that cannot be written only costs time next run
      }
    },
  };
}

/** Modification times of the existing absolute folders among the options' strings. */
function folderStamps(options: unknown): string {
  const stamps: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string' && path.isAbsolute(v)) {
      try {
        stamps.push(`${v}@${fs.statSync(v).mtimeMs}`);
      } catch {
        stamps.push(`${v}@absent`);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(options);
  return stamps.join('\n');
}
