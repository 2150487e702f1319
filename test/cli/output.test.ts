/**
 * Outputs (docs/security.md): written to a temporary file beside the target and renamed, so an
 * interrupted or failed write never leaves a partial file (a killed run's temporary is removed by
 * the next); devices, FIFOs and links to them are written through; a symbolic link to a regular
 * file (or a dangling one) is written through to its target by a rename there, and stays a link;
 * an input is never overwritten; a missing folder is an error. Ctrl-C ends the run by the signal,
 * removes temporaries and stops kernel workers (test/cli/signals.test.ts: the timing bounds).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputError, outputTarget, refuseInputOverwrite, writeOutput } from '../../src/cli/output.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { linkedKernelTree } from '../kernel/tree.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-output-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const cli = path.join(repoRoot, 'dist/cli.js');
const temporaries = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith('.tmp'));

describe('writeOutput', () => {
  it('replaces the target in one step and leaves no temporary file', async () => {
    const out = path.join(dir, 'a.dtb');
    fs.writeFileSync(out, 'old');
    await writeOutput(out, Buffer.from('new'));
    expect(fs.readFileSync(out, 'utf8')).toBe('new');
    expect(temporaries(dir)).toEqual([]);
  });

  it('a failed write (injected: the target is a folder) leaves the old state and no temporary', async () => {
    const target = path.join(dir, 'is-a-folder');
    fs.mkdirSync(target);
    await expect(writeOutput(target, Buffer.alloc(1 << 20))).rejects.toThrow(OutputError);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(temporaries(dir)).toEqual([]);
  });

  it('refuses to overwrite an input, also through a hard link', async () => {
    const input = path.join(dir, 'in.dts');
    fs.writeFileSync(input, '/dts-v1/; / { };');
    fs.linkSync(input, path.join(dir, 'hard.dts'));
    expect(() => refuseInputOverwrite(path.join(dir, 'hard.dts'), [input])).toThrow(/refusing to overwrite/);
    await expect(writeOutput(input, Buffer.from('x'), { inputs: [input] })).rejects.toThrow(/input of this run/);
    expect(fs.readFileSync(input, 'utf8')).toBe('/dts-v1/; / { };');
  });

  it('writes through a FIFO and a symbolic link to a device, as dtc does, instead of replacing them', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d) => (got += d));
    const ended = new Promise((resolve) => reader.on('exit', resolve));
    await writeOutput(fifo, Buffer.from('through the pipe'));
    await ended;
    expect(got).toBe('through the pipe');
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    const link = path.join(dir, 'null-link');
    fs.symlinkSync('/dev/null', link);
    await writeOutput(link, Buffer.from('gone'));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(temporaries(dir)).toEqual([]);
  });

  it("removes a killed run's temporary of the same output (its pid is dead), and nothing else", async () => {
    const out = path.join(dir, 'stale.dtb');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const sleeper = spawn('sleep', ['30']);
    try {
      const stale = `.stale.dtb.dtoc-${dead}-abc123.tmp`;
      const live = `.stale.dtb.dtoc-${sleeper.pid}-def456.tmp`;
      const other = `.other.dtb.dtoc-${dead}-abc123.tmp`;
      for (const t of [stale, live, other]) fs.writeFileSync(path.join(dir, t), 'partial');
      await writeOutput(out, Buffer.from('new'));
      expect(fs.readFileSync(out, 'utf8')).toBe('new');
      expect(temporaries(dir).sort()).toEqual([other, live].sort());
      for (const t of [live, other]) fs.rmSync(path.join(dir, t));
    } finally {
      sleeper.kill();
    }
  });

  it('writes through a symbolic link to a regular file, as dtc does: the link stays, its target gets the bytes by a rename beside it', async () => {
    const real = path.join(dir, 'real.dtb');
    fs.writeFileSync(real, 'old');
    const sub = path.join(dir, 'links');
    fs.mkdirSync(sub);
    const link = path.join(sub, 'link.dtb');
    fs.symlinkSync('../real.dtb', link); // relative to the link's folder
    const chain = path.join(sub, 'chain.dtb');
    fs.symlinkSync('link.dtb', chain); // a link to the link
    const inode = fs.statSync(real).ino;
    await writeOutput(link, Buffer.from('new'));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('new');
    expect(fs.statSync(real).ino).not.toBe(inode); // renamed into place, not written in place
    await writeOutput(chain, Buffer.from('newer'));
    expect(fs.readlinkSync(chain)).toBe('link.dtb');
    expect(fs.readlinkSync(link)).toBe('../real.dtb');
    expect(fs.readFileSync(real, 'utf8')).toBe('newer');
    expect(outputTarget(chain)).toBe(fs.realpathSync(real));
    expect([...temporaries(dir), ...temporaries(sub)]).toEqual([]);
  });

  it('a dangling symbolic link: the file it names is created, as fopen() does (its folder must exist); a link loop is an error', async () => {
    const link = path.join(dir, 'dangling.dtb');
    fs.symlinkSync('made-through-link.dtb', link);
    await writeOutput(link, Buffer.from('x'));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'made-through-link.dtb'), 'utf8')).toBe('x');
    const nowhere = path.join(dir, 'dangling-nowhere.dtb');
    fs.symlinkSync('no/such/folder/x.dtb', nowhere);
    await expect(writeOutput(nowhere, Buffer.from('x'))).rejects.toThrow(/folder .*no\/such\/folder does not exist/);
    expect(fs.lstatSync(nowhere).isSymbolicLink()).toBe(true);
    fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
    await expect(writeOutput(path.join(dir, 'loop-a'), Buffer.from('x'))).rejects.toThrow(/symbolic links \(ELOOP\)/);
    expect(temporaries(dir)).toEqual([]);
  });

  it('refuses a symbolic link to an input (compared by real path)', async () => {
    const input = path.join(dir, 'linked-input.dts');
    fs.writeFileSync(input, '/dts-v1/; / { };');
    fs.symlinkSync('linked-input.dts', path.join(dir, 'to-input.dts'));
    await expect(writeOutput(path.join(dir, 'to-input.dts'), Buffer.from('x'), { inputs: [input] })).rejects.toThrow(/input of this run/);
    // the input named through a link of its own, the output by its own name
    await expect(writeOutput(input, Buffer.from('x'), { inputs: [path.join(dir, 'to-input.dts')] })).rejects.toThrow(/input of this run/);
    expect(fs.readFileSync(input, 'utf8')).toBe('/dts-v1/; / { };');
    expect(fs.lstatSync(path.join(dir, 'to-input.dts')).isSymbolicLink()).toBe(true);
  });

  it('does not create folders', async () => {
    await expect(writeOutput(path.join(dir, 'no/such/out.dtb'), Buffer.from('x'))).rejects.toThrow(/folder .* does not exist/);
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

  it('compile -o and check --output onto a symbolic link write its target and keep the link; a dangling link makes its file; a link to an input is refused', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8' });
    fs.writeFileSync(path.join(dir, 's.dts'), '/dts-v1/;\n/ { model = "s"; };\n');
    expect(run('compile', '-o', 's-direct.dtb', 's.dts').status).toBe(0);
    const blob = fs.readFileSync(path.join(dir, 's-direct.dtb'));
    fs.writeFileSync(path.join(dir, 's-target.dtb'), 'OLD');
    fs.symlinkSync('s-target.dtb', path.join(dir, 's-link.dtb'));
    expect(run('compile', '-o', 's-link.dtb', 's.dts').status).toBe(0);
    expect(fs.readlinkSync(path.join(dir, 's-link.dtb'))).toBe('s-target.dtb');
    expect(fs.readFileSync(path.join(dir, 's-target.dtb'))).toEqual(blob);

    fs.symlinkSync('s-made.dtb', path.join(dir, 's-dangling.dtb'));
    expect(run('compile', '-o', 's-dangling.dtb', 's.dts').status).toBe(0);
    expect(fs.lstatSync(path.join(dir, 's-dangling.dtb')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 's-made.dtb'))).toEqual(blob);

    fs.writeFileSync(path.join(dir, 's-report.json'), 'OLD');
    fs.symlinkSync('s-report.json', path.join(dir, 's-report-link.json'));
    const check = run('check', 's.dts', '--no-cpp', '--format', 'json', '--output', 's-report-link.json');
    expect(check.status, check.stderr).toBe(0);
    expect(fs.readlinkSync(path.join(dir, 's-report-link.json'))).toBe('s-report.json');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 's-report.json'), 'utf8')).command).toBe('check');

    fs.symlinkSync('s.dts', path.join(dir, 's-input-link.dts'));
    const refused = run('compile', '-o', 's-input-link.dts', 's.dts');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/it is an input of this run \(s\.dts\)/);
    expect(fs.readFileSync(path.join(dir, 's.dts'), 'utf8')).toBe('/dts-v1/;\n/ { model = "s"; };\n');
    expect(fs.lstatSync(path.join(dir, 's-input-link.dts')).isSymbolicLink()).toBe(true);
    expect(temporaries(dir)).toEqual([]);
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

  it('Ctrl-C (SIGINT) ends the run by the signal, removes temporaries, and the output is old or whole', async () => {
    const out = path.join(big, 'int.dtb');
    let interrupted = 0;
    for (const ms of [100, 200, 300, 400, 500, 700, 1000]) {
      fs.writeFileSync(out, 'OLD');
      const r = await interrupt(['compile', '-o', 'int.dtb', 'big.dts'], big, 'SIGINT', ms);
      expect(fs.readFileSync(out).length === 3 || complete(out)).toBe(true);
      expect(temporaries(big)).toEqual([]);
      if (r.code === 0) continue; // finished before the signal
      interrupted++;
      // death by the signal, as with no handler (the shell reports 130); nothing printed
      expect(r.signal, r.stderr).toBe('SIGINT');
      expect(r.stderr).toBe('');
    }
    expect(interrupted).toBeGreaterThan(0);
  }, 120_000);

  it.runIf(sharedOrExplain('Ctrl-C in kernel mode'))('Ctrl-C in kernel mode stops the workers and ends the run promptly, writing no report', async () => {
    const tree = linkedKernelTree();
    try {
      const report = path.join(dir, 'kernel-report.json');
      const r = await interrupt(['kernel', '--tree', tree, '--board', '*-el2', '-j', '2', '-f', 'json', '--output', report], dir, 'SIGINT', 2500);
      expect(r.signal, r.stderr).toBe('SIGINT');
      expect(r.ms).toBeLessThan(15_000);
      expect(fs.existsSync(report)).toBe(false);
      expect(temporaries(dir)).toEqual([]);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  }, 120_000);
});
