/**
 * Outputs (docs/security.md): written to a temporary file beside the target and renamed, so an
 * interrupted or failed write never leaves a partial file (a killed run's temporary is removed by
 * the next); devices, FIFOs and links to them are written through; an input is never
 * overwritten; a missing folder is an error. Ctrl-C exits 130, removes temporaries and stops kernel workers.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputError, refuseInputOverwrite, writeOutputAtomically } from '../../src/cli/output.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { linkedKernelTree } from '../kernel/tree.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-output-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const cli = path.join(repoRoot, 'dist/cli.js');
const temporaries = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith('.tmp'));

describe('writeOutputAtomically', () => {
  it('replaces the target in one step and leaves no temporary file', () => {
    const out = path.join(dir, 'a.dtb');
    fs.writeFileSync(out, 'old');
    writeOutputAtomically(out, Buffer.from('new'));
    expect(fs.readFileSync(out, 'utf8')).toBe('new');
    expect(temporaries(dir)).toEqual([]);
  });

  it('a failed write (injected: the target is a folder) leaves the old state and no temporary', () => {
    const target = path.join(dir, 'is-a-folder');
    fs.mkdirSync(target);
    expect(() => writeOutputAtomically(target, Buffer.alloc(1 << 20))).toThrow(OutputError);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(temporaries(dir)).toEqual([]);
  });

  it('refuses to overwrite an input, also through a hard link', () => {
    const input = path.join(dir, 'in.dts');
    fs.writeFileSync(input, '/dts-v1/; / { };');
    fs.linkSync(input, path.join(dir, 'hard.dts'));
    expect(() => refuseInputOverwrite(path.join(dir, 'hard.dts'), [input])).toThrow(/refusing to overwrite/);
    expect(() => writeOutputAtomically(input, Buffer.from('x'), { inputs: [input] })).toThrow(/input of this run/);
    expect(fs.readFileSync(input, 'utf8')).toBe('/dts-v1/; / { };');
  });

  it('writes through a FIFO and a symbolic link to a device, as dtc does, instead of replacing them', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d) => (got += d));
    const ended = new Promise((resolve) => reader.on('exit', resolve));
    writeOutputAtomically(fifo, Buffer.from('through the pipe'));
    await ended;
    expect(got).toBe('through the pipe');
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    const link = path.join(dir, 'null-link');
    fs.symlinkSync('/dev/null', link);
    writeOutputAtomically(link, Buffer.from('gone'));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(temporaries(dir)).toEqual([]);
  });

  it("removes a killed run's temporary of the same output (its pid is dead), and nothing else", () => {
    const out = path.join(dir, 'stale.dtb');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const sleeper = spawn('sleep', ['30']);
    try {
      const stale = `.stale.dtb.dtoc-${dead}-abc123.tmp`;
      const live = `.stale.dtb.dtoc-${sleeper.pid}-def456.tmp`;
      const other = `.other.dtb.dtoc-${dead}-abc123.tmp`;
      for (const t of [stale, live, other]) fs.writeFileSync(path.join(dir, t), 'partial');
      writeOutputAtomically(out, Buffer.from('new'));
      expect(fs.readFileSync(out, 'utf8')).toBe('new');
      expect(temporaries(dir).sort()).toEqual([other, live].sort());
      for (const t of [live, other]) fs.rmSync(path.join(dir, t));
    } finally {
      sleeper.kill();
    }
  });

  it('does not create folders', () => {
    expect(() => writeOutputAtomically(path.join(dir, 'no/such/out.dtb'), Buffer.from('x'))).toThrow(/folder .* does not exist/);
    expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
  });
});

describe('commands', () => {
  it('compile refuses -o INPUT and a missing folder (status 1, one line)', () => {
    fs.writeFileSync(path.join(dir, 'x.dts'), '/dts-v1/; / { };');
    const same = spawnSync(process.execPath, [cli, 'compile', '-o', 'x.dts', 'x.dts'], { cwd: dir, encoding: 'utf8' });
    expect(same.status).toBe(1);
    expect(same.stderr).toMatch(/^FATAL ERROR: cannot write x\.dts: it is an input/);
    expect(fs.readFileSync(path.join(dir, 'x.dts'), 'utf8')).toBe('/dts-v1/; / { };');
    const missing = spawnSync(process.execPath, [cli, 'compile', '-o', 'nope/x.dtb', 'x.dts'], { cwd: dir, encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/folder nope does not exist/);
  });

  it('compile -o /dev/null (or a link to it) writes through and keeps the device', () => {
    fs.writeFileSync(path.join(dir, 'n.dts'), '/dts-v1/; / { };');
    fs.symlinkSync('/dev/null', path.join(dir, 'dev-null'));
    // as root, a rename would replace /dev/null itself: only the link is tried then
    for (const out of process.getuid?.() === 0 ? ['dev-null'] : ['dev-null', '/dev/null']) {
      const r = spawnSync(process.execPath, [cli, 'compile', '-o', out, 'n.dts'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(fs.lstatSync(path.join(dir, 'dev-null')).isSymbolicLink()).toBe(true);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('check --output refuses to replace the tree it checks', () => {
    fs.writeFileSync(path.join(dir, 'y.dts'), '/dts-v1/; / { };');
    const r = spawnSync(process.execPath, [cli, 'check', 'y.dts', '--no-cpp', '--output', 'y.dts'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to overwrite/);
    expect(fs.readFileSync(path.join(dir, 'y.dts'), 'utf8')).toBe('/dts-v1/; / { };');
  });
});

/** Spawns the CLI, sends `signal` after `afterMs`, resolves with the exit status and signal. */
function interrupt(args: string[], cwd: string, signal: NodeJS.Signals, afterMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(signal), afterMs);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stderr, ms: Date.now() - t0 });
    });
  });
}

describe('interrupted runs leave no partial output', () => {
  // a 24 MiB /incbin/: writing the blob takes long enough to be hit mid-run
  const big = path.join(dir, 'big');
  fs.mkdirSync(big);
  fs.writeFileSync(path.join(big, 'payload.bin'), Buffer.alloc(24 << 20, 0x5a));
  fs.writeFileSync(path.join(big, 'big.dts'), '/dts-v1/;\n/ { blob = /incbin/("payload.bin"); };\n');
  const complete = (file: string) => fs.statSync(file).size > 24 << 20;

  it('SIGKILL at many points: the output is the old file or the whole new one, never part of it', async () => {
    const out = path.join(big, 'out.dtb');
    for (const ms of [30, 60, 90, 120, 160, 200, 260, 330, 420]) {
      fs.writeFileSync(out, 'OLD');
      await interrupt(['compile', '-o', 'out.dtb', 'big.dts'], big, 'SIGKILL', ms);
      const text = fs.statSync(out).size === 3 ? fs.readFileSync(out, 'utf8') : '';
      expect(text === 'OLD' || complete(out), `killed after ${ms} ms`).toBe(true);
    }
    // SIGKILL cannot clean up: a temporary may be left; the next run writing out.dtb removes it
    const next = spawnSync(process.execPath, [cli, 'compile', '-o', 'out.dtb', 'big.dts'], { cwd: big });
    expect(next.status).toBe(0);
    expect(temporaries(big)).toEqual([]);
  }, 120_000);

  it('Ctrl-C (SIGINT) exits 130, removes temporaries, and the output is old or whole', async () => {
    const out = path.join(big, 'int.dtb');
    let interrupted = 0;
    for (const ms of [100, 200, 300, 400, 500, 700, 1000]) {
      fs.writeFileSync(out, 'OLD');
      const r = await interrupt(['compile', '-o', 'int.dtb', 'big.dts'], big, 'SIGINT', ms);
      expect(fs.readFileSync(out).length === 3 || complete(out)).toBe(true);
      expect(temporaries(big)).toEqual([]);
      if (r.code === 0) continue; // finished before the signal
      // before node has loaded the CLI, the default action ends it (nothing written yet)
      if (r.signal === 'SIGINT') continue;
      interrupted++;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/interrupted \(SIGINT\)/);
    }
    expect(interrupted).toBeGreaterThan(0);
  }, 120_000);

  it.runIf(sharedOrExplain('Ctrl-C in kernel mode'))('Ctrl-C in kernel mode stops the workers and exits 130 promptly, writing no report', async () => {
    const tree = linkedKernelTree();
    try {
      const report = path.join(dir, 'kernel-report.json');
      const r = await interrupt(['kernel', '--tree', tree, '--board', '*-el2', '-j', '2', '-f', 'json', '--output', report], dir, 'SIGINT', 2500);
      expect(r.code, r.stderr).toBe(130);
      expect(r.ms).toBeLessThan(15_000);
      expect(fs.existsSync(report)).toBe(false);
      expect(temporaries(dir)).toEqual([]);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  }, 120_000);
});
