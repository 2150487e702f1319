/** Locating ../shared (read-only material beside the repository); tests skip, saying why, when it is absent. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const hasShared = fs.existsSync(sharedDir);

/** Call at the top of a describe block: prints why the suite is skipped. */
export function sharedOrExplain(what: string): boolean {
  if (!hasShared) console.warn(`skipping ${what}: ${sharedDir} is absent`);
  return hasShared;
}
