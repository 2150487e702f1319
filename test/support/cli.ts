/** Running the built CLI (bin/dtoverlay-check.js → dist/cli.js, which vitest's global setup builds: test/support/build-cli.ts). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './shared.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd = repoRoot): CliRun {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An input error as every command reports it: exit 2, one line on stderr, no stack. */
export function isInputError(r: CliRun): boolean {
  return r.status === 2 && r.stderr.trim().split('\n').length === 1 && !/\n\s+at |internal error/.test(r.stderr);
}
