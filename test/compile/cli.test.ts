/**
 * `dtoverlay-check compile` as a command: dtc-style option parsing, outputs written only on
 * success (never a half-written or stale file), several inputs with --out-dir, -d dependencies.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCompileArgs, UsageError } from '../../src/compile/index.js';
import { runCompileCli } from '../../src/cli/compile.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

const fixtures = path.join(repoRoot, 'fixtures/dts');

describe('parseCompileArgs', () => {
  it('takes dtc short options with attached values, clusters and repeats', () => {
    const o = parseCompileArgs(['-qq', '-@s', '-b0', '-Wno-unit_address_vs_reg', '-E', 'avoid_default_addr_size', '-p', '0x100', '-i', 'a', '-ib', 'x.dts']);
    expect(o.quiet).toBe(2);
    expect(o.symbols).toBe(true);
    expect(o.sort).toBe(true);
    expect(o.bootCpu).toBe(0);
    expect(o.padSize).toBe(256);
    expect(o.includeDirs).toEqual(['a', 'b']);
    expect(o.checkFlags).toEqual([
      { flag: 'no-unit_address_vs_reg', isError: false },
      { flag: 'avoid_default_addr_size', isError: true },
    ]);
    expect(o.inputs).toEqual(['x.dts']);
  });

  it('takes long options, ours included', () => {
    const o = parseCompileArgs(['--out-format=dts', '--phandle', 'both', '--cpp', '-D', 'FOO=1', '--out-dir', 'out', 'a.dts', 'b.dts']);
    expect(o.outputFormat).toBe('dts');
    expect(o.phandleFormat).toBe('both');
    expect(o.cpp).toBe(true);
    expect(o.defines).toEqual(['FOO=1']);
    expect(o.outDir).toBe('out');
    expect(o.inputs).toEqual(['a.dts', 'b.dts']);
  });

  it('rejects what dtc rejects', () => {
    expect(() => parseCompileArgs(['-p', '1', '-S', '2'])).toThrow(UsageError);
    expect(() => parseCompileArgs(['-H', 'nonsense'])).toThrow(/Invalid argument "nonsense" to -H option/);
    expect(() => parseCompileArgs(['-Z'])).toThrow(UsageError);
  });
});

describe('runCompileCli', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-cli-'));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the blob dtc writes', async () => {
    const out = path.join(dir, 'out.dtb');
    const status = await runCompileCli(['-q', '-@', '-o', out, path.join(fixtures, 'labels-and-refs.dts')]);
    expect(status).toBe(0);
    const ref = referenceDtc(['-q', '-@', '-o', '-', 'labels-and-refs.dts'], { cwd: fixtures });
    expect(Buffer.from(fs.readFileSync(out)).toString('latin1')).toBe(ref.stdout);
  });

  it('writes nothing on failure and leaves an existing output alone', async () => {
    const out = path.join(dir, 'out.dtb');
    expect(await runCompileCli(['-o', out, path.join(fixtures, 'bad-syntax-missing-semicolon.dts')])).toBe(1);
    expect(fs.existsSync(out)).toBe(false);
    fs.writeFileSync(out, 'previous');
    expect(await runCompileCli(['-o', out, path.join(fixtures, 'bad-reference-to-missing-label.dts')])).toBe(2);
    expect(fs.readFileSync(out, 'utf8')).toBe('previous');
    expect(fs.readdirSync(dir)).toEqual(['out.dtb']);
  });

  it('compiles several inputs into --out-dir, reporting the first failure', async () => {
    const outDir = path.join(dir, 'out');
    const inputs = ['deletes.dts', 'bad-octal-literal.dts', 'plugin-overlay.dts'].map((f) => path.join(fixtures, f));
    expect(await runCompileCli(['-q', '--out-dir', outDir, ...inputs])).toBe(1);
    expect(fs.readdirSync(outDir).sort()).toEqual(['deletes.dtb', 'plugin-overlay.dtb']);
  });

  it('gives the same outputs, messages and status on worker threads (--jobs 2) as in one thread', async () => {
    const inputs = fs.readdirSync(fixtures).filter((f) => f.endsWith('.dts')).sort().map((f) => path.join(fixtures, f));
    expect(inputs.length).toBeGreaterThan(8);
    const run = async (jobs: string) => {
      const outDir = path.join(dir, `out-${jobs}`);
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const status = await runCompileCli(['--jobs', jobs, '-@', '--out-dir', outDir, ...inputs]);
      const stderr = spy.mock.calls.map((c) => String(c[0])).join('');
      spy.mockRestore();
      const outputs = Object.fromEntries(fs.readdirSync(outDir).sort().map((f) => [f, fs.readFileSync(path.join(outDir, f)).toString('hex')]));
      return { status, stderr, outputs };
    };
    const one = await run('1');
    const two = await run('2');
    expect(one.status).toBe(1); // the bad-* fixtures fail
    expect(Object.keys(one.outputs).length).toBeGreaterThan(5);
    expect(two).toEqual(one);
    // in input order, whichever worker finished first
    const order = inputs.map((f) => path.basename(f)).filter((f) => one.stderr.includes(f));
    expect([...one.stderr.matchAll(/fixtures\/dts\/([\w-]+\.dts)/g)].map((m) => m[1]).filter((f, i, a) => a.indexOf(f) === i)).toEqual(order);
  });

  it('starts one worker per CPU by default, as far as the free memory allows, and at least one', async () => {
    const { defaultWorkerCount } = await import('../../src/workers/pool.js');
    const GiB = 2 ** 30;
    expect(defaultWorkerCount(16, 64 * GiB)).toBe(16);
    expect(defaultWorkerCount(16, 8 * GiB)).toBe(10);
    expect(defaultWorkerCount(16, 0.5 * GiB)).toBe(1);
    expect(defaultWorkerCount(2, 24 * GiB)).toBe(2);
  });

  it('rejects a --jobs that is not a positive number', async () => {
    expect(await runCompileCli(['--jobs', '0', '--out-dir', dir, path.join(fixtures, 'deletes.dts')])).toBe(1);
  });

  it.runIf(sharedOrExplain('-d dependency file'))('writes a dependency file like dtc', async () => {
    const tests = path.join(sharedDir, 'dtc-tests');
    const previous = process.cwd();
    process.chdir(tests);
    try {
      const dep = path.join(dir, 'deps.d');
      // the output goes to our temp folder; the rule names it as given on the command line
      const status = await runCompileCli(['-I', 'dts', '-O', 'dtb', '-o', path.join(dir, 'dependencies.test.dtb'), '-d', dep, 'dependencies.dts']);
      expect(status).toBe(0);
      const expected = fs.readFileSync('dependencies.cmp', 'utf8').replace('dependencies.test.dtb', path.join(dir, 'dependencies.test.dtb'));
      expect(fs.readFileSync(dep, 'utf8')).toBe(expected);
    } finally {
      process.chdir(previous);
    }
  });
});

describe('compile as dtc, on the command line', () => {
  const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-as-dtc-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], input?: Buffer) =>
    spawnSync(process.execPath, [cli, 'compile', ...args], { cwd: dir, input: input ?? Buffer.alloc(0) });

  it('reads a blob from standard input (-I dtb -), as dtc does', () => {
    const blob = Buffer.from(referenceDtc(['-q', '-O', 'dtb', '-o', '-', 'labels-and-refs.dts'], { cwd: fixtures }).stdout, 'latin1');
    fs.writeFileSync(path.join(dir, 'in.dtb'), blob);
    const r = run(['-I', 'dtb', '-O', 'dts', '-o', 'out.dts', '-'], blob);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const ref = referenceDtc(['-I', 'dtb', '-O', 'dts', '-o', '-', 'in.dtb'], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, 'out.dts'), 'latin1')).toBe(ref.stdout);
  });

  it("prints dtc's own lines for input errors, and gcc's with --diagnostics=gcc", () => {
    fs.copyFileSync(path.join(fixtures, 'bad-division-by-zero.dts'), path.join(dir, 'bad.dts'));
    const ref = referenceDtc(['-o', '-', 'bad.dts'], { cwd: dir });
    const dtcStyle = run(['bad.dts']);
    expect(dtcStyle.status).toBe(ref.status);
    expect(dtcStyle.stderr.toString()).toBe(ref.stderr);
    expect(ref.stderr).toMatch(/^Error: bad\.dts:4\.11-\d+ Division by zero\nFATAL ERROR: Syntax error parsing input tree\n$/);
    const gcc = run(['--diagnostics=gcc', 'bad.dts']);
    expect(gcc.status).toBe(ref.status);
    expect(gcc.stderr.toString()).toMatch(/^bad\.dts:4:11: error: Division by zero\n +4 \| .*\n +\| .*\^~+\n$/);
    expect(run(['--diagnostics=json', 'bad.dts']).stderr.toString()).toMatch(/--diagnostics json: expected dtc or gcc/);
  });

  it("words a missing input, a missing folder and a bad blob header as dtc does", () => {
    // a blob whose strings block size runs past totalsize (dtc's tests/ovf_size_strings)
    const blob = Buffer.from(referenceDtc(['-q', '-O', 'dtb', '-o', '-', 'labels-and-refs.dts'], { cwd: fixtures }).stdout, 'latin1');
    blob.writeUInt32BE(0xffffffff, 32);
    fs.writeFileSync(path.join(dir, 'ovf.dtb'), blob);
    for (const args of [['-o', '-', 'nothere.dts'], ['-I', 'fs', '-o', '-', 'nofolder'], ['-I', 'dtb', '-O', 'dts', '-o', '-', 'ovf.dtb']]) {
      const ref = referenceDtc(args, { cwd: dir });
      const ours = run(args);
      expect(ref.status, args.join(' ')).not.toBe(0);
      expect(ours.status, args.join(' ')).toBe(ref.status);
      expect(ours.stderr.toString(), args.join(' ')).toBe(ref.stderr);
    }
  });
});
