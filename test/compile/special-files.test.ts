/**
 * Only regular files are read (src/input-file.ts): a FIFO, /dev/zero or another device named by
 * `#include`, `__has_include`, `/include/`, `/incbin/` or on the command line is a located error,
 * never a blocked `open` or an endless read. Run through the CLI with a timeout, so a regression
 * fails instead of hanging the suite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'special-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const bin = path.join(repoRoot, 'bin/dtoverlay-check.js');
execFileSync('mkfifo', [path.join(dir, 'fifo')]);
const NOT_REGULAR = 'not a regular file: only regular files are read';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout };
}

function source(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

describe('FIFOs and devices inside the source', () => {
  it.each([
    ['#include', '/dts-v1/;\n#include "fifo"\n/ { };\n', ['--cpp'], 'inc.dts:2:10: error: fifo is a FIFO'],
    ['__has_include', '/dts-v1/;\n#if __has_include("fifo")\n#endif\n/ { };\n', ['--cpp'], 'has.dts:2:18: error: fifo is a FIFO'],
    ['/include/', '/dts-v1/;\n/include/ "fifo"\n/ { };\n', [], 'dinc.dts:2:1: error: fifo is a FIFO'],
    ['/incbin/', '/dts-v1/;\n/ { p = /incbin/("fifo"); };\n', [], 'bin.dts:2:18: error: fifo is a FIFO'],
    ['#include of /dev/zero', '/dts-v1/;\n#include "/dev/zero"\n/ { };\n', ['--cpp', '--allow-outside-includes'], 'zero.dts:2:10: error: /dev/zero is a character device'],
    ['/incbin/ of /dev/zero', '/dts-v1/;\n/ { p = /incbin/("/dev/zero"); };\n', ['--allow-outside-includes'], 'zbin.dts:2:18: error: /dev/zero is a character device'],
  ])('%s', (what, text, flags, message) => {
    const name = { '#include': 'inc', __has_include: 'has', '/include/': 'dinc', '/incbin/': 'bin', '#include of /dev/zero': 'zero', '/incbin/ of /dev/zero': 'zbin' }[what]!;
    const r = run(['compile', '--diagnostics=gcc', ...flags, '-O', 'dts', source(`${name}.dts`, text)]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${message}, ${NOT_REGULAR}`);
  });
});

describe('FIFOs and devices as a command input', () => {
  it.each([
    ['compile', ['compile', '--diagnostics=gcc', '-O', 'dts', 'fifo'], 1],
    ['check', ['check', 'fifo'], 1],
    ['apply', ['apply', 'fifo', 'fifo'], 1],
    ['validate', ['validate', 'fifo', '--bindings', path.join(repoRoot, 'fixtures/schema/bindings')], 2],
    ['simulate', ['simulate', 'fifo'], 1],
    ['diff', ['diff', 'fifo', 'fifo'], 2],
  ] as const)('%s', (_name, args, status) => {
    const r = run([...args]);
    expect(r.signal).toBeNull();
    expect(r.stdout + r.stderr).toContain(`fifo:1:1: error: fifo is a FIFO, ${NOT_REGULAR}`);
    expect(r.status).toBe(status);
  });

  it('check /dev/zero', () => {
    const r = run(['check', '/dev/zero']);
    expect(r.stdout + r.stderr).toContain(`/dev/zero is a character device, ${NOT_REGULAR}`);
    expect(r.status).toBe(1);
  });
});
