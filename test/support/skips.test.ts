/**
 * A run never goes green while silently testing less: without ../shared the closing summary says
 * how many tests skipped and why, and REQUIRE_SHARED=1 (what .ci/run sets) turns those skips into
 * failures. Runs vitest itself on one small test file with ../shared pointed elsewhere (SHARED_DIR).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './shared.js';

const absent = path.join(repoRoot, '.cache/no-such-shared');

function vitestOn(file: string, env: Record<string, string>) {
  const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');
  const r = spawnSync(process.execPath, [vitest, 'run', file], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, SHARED_DIR: absent, NO_COLOR: '1', ...env } });
  return { status: r.status, lines: r.stdout.trimEnd().split('\n'), output: r.stdout + r.stderr };
}

describe('tests that need ../shared, when it is absent', () => {
  it('skip, and the run ends with how many skipped and why, then the line CI parses', () => {
    const r = vitestOn('test/kernel/makefile.test.ts', { REQUIRE_SHARED: '' });
    expect(r.status, r.output).toBe(0);
    expect(r.lines.slice(-2)).toEqual([`skipped 1: 1 (${absent} is absent)`, 'tests: 6 passed, 0 failed, 1 skipped']);
  });

  it('fail with REQUIRE_SHARED=1, naming the suite and the folder', () => {
    const r = vitestOn('test/kernel/makefile.test.ts', { REQUIRE_SHARED: '1' });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`the real qcom Makefile (../shared/corpus/linux) needs ${absent}, which is absent; REQUIRE_SHARED=1 turns this skip into a failure`);
    expect(r.lines.at(-1)).toBe('tests: 0 passed, 1 failed, 0 skipped');
  });
});
