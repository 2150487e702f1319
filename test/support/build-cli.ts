/**
 * vitest's global setup: builds dist/cli.js once before any test runs. CLI tests run the bundle
 * (bin/dtoverlay-check.js → dist/cli.js), so a stale one would test old code and a missing one
 * would fail them all; when the build fails, the run stops here with esbuild's message.
 */
import { spawnSync } from 'node:child_process';
import { repoRoot } from './shared.js';

export default function buildCli(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node scripts/build.mjs failed (status ${r.status}); CLI tests need dist/cli.js:\n${r.stderr}${r.error?.message ?? ''}`);
}
