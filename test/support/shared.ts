/**
 * Locating ../shared (read-only material beside the repository). Tests that need it skip, saying
 * why, when it is absent — unless REQUIRE_SHARED=1 (set by .ci/run), which turns those skips into
 * failures. `SHARED_DIR` points elsewhere (test/support/skips.test.ts uses it to simulate absence).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, process.env.SHARED_DIR ?? '../shared');
export const hasShared = fs.existsSync(sharedDir);
export const requireShared = process.env.REQUIRE_SHARED === '1';

/**
 * Says why tests are skipped, in the one form test/support/summary-reporter.ts counts:
 * `skipping WHAT: REASON`. The closing summary groups the file's skipped tests by REASON.
 */
export function explainSkip(what: string, reason: string): void {
  console.warn(`skipping ${what}: ${reason}`);
}

/**
 * Call where a suite decides whether to run on ../shared: true when present; else explains the
 * skip and returns false, or throws when REQUIRE_SHARED=1. Every skip on ../shared goes through here.
 */
export function sharedOrExplain(what: string): boolean {
  if (hasShared) return true;
  if (requireShared) throw new Error(`${what} needs ${sharedDir}, which is absent; REQUIRE_SHARED=1 turns this skip into a failure`);
  explainSkip(what, `${sharedDir} is absent`);
  return false;
}
