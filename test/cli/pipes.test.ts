/** A closed stdout (`compile -O dts x.dts | head -c 10`): the CLI stops quietly, as dtc does. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const bin = path.join(repoRoot, 'bin/dtoverlay-check.js');

/** Runs the CLI and closes its stdout after the first chunk, like `| head -c 10`. */
function runClosingStdout(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('closed stdout', () => {
  // Large enough that the output takes many writes (and under dtc's 10,000-sibling parser limit).
  const nodes = Array.from({ length: 5_000 }, (_, i) => `\tn${i} { p = <1 2 3>; s = "${'x'.repeat(200)}"; };`);
  fs.writeFileSync(path.join(dir, 'big.dts'), `/dts-v1/;\n/ {\n${nodes.join('\n')}\n};\n`);

  it.each([
    ['compile -O dts', ['compile', '-O', 'dts', 'big.dts']],
    ['compile -O json', ['compile', '-O', 'json', 'big.dts']],
    ['check --format json', ['check', 'big.dts', '--format', 'json']],
  ])('%s: no stack trace, status 141 (as a shell reports dtc killed by SIGPIPE) or 0', async (_name, args) => {
    const r = await runClosingStdout(args);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\(|internal error/);
    expect([0, 141]).toContain(r.status);
  }, 30_000);

  it('compile -O dts of a large tree: 141', async () => {
    expect((await runClosingStdout(['compile', '-O', 'dts', 'big.dts'])).status).toBe(141);
  }, 30_000);
});
