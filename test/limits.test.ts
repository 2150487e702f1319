/**
 * Resource limits (src/limits.ts, docs/security.md): one test per limit, each lowered with
 * `--limit NAME=VALUE` so a small input crosses it, and each error names the limit and a place.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../src/diagnostics.js';
import { readDtb } from '../src/dtb/read.js';
import { DEFAULT_LIMITS, parseLimit } from '../src/limits.js';
import { applyOverlays } from '../src/overlay/apply.js';
import { compileWith } from './compile/support.js';
import { repoRoot } from './support/shared.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const cli = path.join(repoRoot, 'dist/cli.js');

async function compileText(name: string, text: string, args: string[]) {
  fs.writeFileSync(path.join(dir, name), text);
  // gcc-style messages (file:line:col: error:), as every command but compile prints them
  return compileWith(['-q', '--diagnostics=gcc', '-O', 'dtb', ...args], name, dir);
}

const nested = (n: number) => `/dts-v1/;\n/ {${Array.from({ length: n }, (_, i) => ` n${i} {`).join('')}${' };'.repeat(n)} };\n`;

describe('limits', () => {
  it('parses NAME=VALUE with K/M/G and rejects unknown names and bad values', () => {
    expect(parseLimit('input-bytes=2M')).toEqual({ 'input-bytes': 2 << 20 });
    expect(() => parseLimit('nope=1')).toThrow(/unknown limit 'nope'/);
    expect(() => parseLimit('overlays=lots')).toThrow(/whole number/);
    expect(DEFAULT_LIMITS['node-depth']).toBeGreaterThanOrEqual(4096);
  });

  it('include-depth: an include cycle stops at the limit (cpp)', async () => {
    fs.writeFileSync(path.join(dir, 'cycle.h'), '#include "cycle.h"\n');
    const r = await compileText('cycle.dts', '#include "cycle.h"\n/dts-v1/; / { };\n', ['--cpp', '--limit', 'include-depth=5']);
    expect(r.exitCode).toBe(1);
    expect(r.messages[0]).toMatch(/^cycle\.h:1:\d+: error: #include nested depth 5 exceeds maximum of 5/);
  });

  it('macro-tokens: a doubling macro bomb stops at the limit', async () => {
    const bomb = '#define A0 x x\n' + Array.from({ length: 20 }, (_, i) => `#define A${i + 1} A${i} A${i}\n`).join('') + 'A20\n';
    const r = await compileText('bomb.dts', bomb, ['--cpp', '--limit', 'macro-tokens=10000']);
    expect(r.exitCode).toBe(1);
    expect(r.messages[0]).toMatch(/^bomb\.dts:22:\d+: error: macro expansion produced more than 10000 tokens \(--limit macro-tokens=N/);
    const fine = await compileText('bomb-ok.dts', bomb.replace('A20\n', 'A10\n/dts-v1/; / { };\n').replace(/^/, ''), ['--cpp']);
    expect(fine.messages.join('\n')).not.toMatch(/macro expansion produced/);
  });

  it('macro-tokens: one argument substituted thousands of times fails before the list is built (found by test/fuzz)', async () => {
    // X3 substitutes a 12,000-token argument 3,000 times: 36M tokens in one replacement list; one
    // more level made V8 abort the process ("invalid size error") before the token count was checked
    const text = `#define X0(a) a a\n#define X1(a) X0(X0(a))\n#define X2(a)${' X1(a)'.repeat(3000)}\n#define X3(a) X2(X2(a))\n#define X4(a) X3(X3(a))\nx = X4(1);\n`;
    const t0 = process.cpuUsage();
    const r = await compileText('substitution.dts', text, ['--cpp']);
    const cpu = process.cpuUsage(t0);
    expect(r.exitCode).toBe(1);
    expect(r.messages[0]).toMatch(/^substitution\.dts:6:\d+: error: macro expansion produced more than 5000000 tokens/);
    expect((cpu.user + cpu.system) / 1e6).toBeLessThan(10);
  });

  it('macro-depth: deeply nested macro arguments stop at the limit', async () => {
    const text = '#define F(x) x\n' + 'F('.repeat(200) + '1' + ')'.repeat(200) + '\n';
    const r = await compileText('deep-macro.dts', text, ['--cpp', '--limit', 'macro-depth=50']);
    expect(r.exitCode).toBe(1);
    expect(r.messages[0]).toMatch(/^deep-macro\.dts:2:\d+: error: macro expansion nested more than 50 levels deep/);
  });

  it('node-depth: a source nested deeper than the limit', async () => {
    const r = await compileText('deep.dts', nested(40), ['--limit', 'node-depth=10']);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.at(-1)).toMatchObject({ rule: 'limit/node-depth', span: { file: 'deep.dts', line: 2 } });
    expect((await compileText('deep-ok.dts', nested(40), [])).exitCode).toBe(0);
  });

  it('node-depth: a blob nested deeper than the limit', async () => {
    const blob = (await compileText('deep-blob.dts', nested(40), [])).output!;
    fs.writeFileSync(path.join(dir, 'deep.dtb'), blob);
    const r = await compileWith(['-q', '-I', 'dtb', '-O', 'dtb', '--limit', 'node-depth=10'], 'deep.dtb', dir);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.at(-1)!.rule).toBe('dtb/too-deep');
  });

  it('property-bytes: one value larger than the limit', async () => {
    const r = await compileText('big-prop.dts', `/dts-v1/;\n/ {\n\tp = [${'00'.repeat(500)}];\n};\n`, ['--limit', 'property-bytes=100']);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.at(-1)).toMatchObject({ rule: 'limit/property-bytes', path: '/', span: { file: 'big-prop.dts', line: 3 } });
    expect(r.messages.at(-1)).toMatch(/property p \(500 bytes\) exceeds the limit of 100/);
  });

  it('incbin-bytes: an /incbin/ larger than the limit, at the file name', async () => {
    fs.writeFileSync(path.join(dir, 'blob.bin'), Buffer.alloc(4096));
    const r = await compileText('incbin.dts', '/dts-v1/;\n/ { p = /incbin/("blob.bin"); };\n', ['--limit', 'incbin-bytes=1K']);
    expect(r.exitCode).toBe(1);
    // the file is larger than the limit: refused before it is read
    expect(r.messages[0]).toMatch(/^incbin\.dts:2:\d+: error: blob\.bin is 4096 bytes, which exceeds the limit of 1024 \(--limit incbin-bytes/);
    // a file within the limit, sliced
    const slice = await compileText('slice.dts', '/dts-v1/;\n/ { p = /incbin/("blob.bin", 0, 3000); };\n', ['--limit', 'incbin-bytes=4096']);
    expect(slice.exitCode).toBe(0);
    const over = await compileText('over.dts', '/dts-v1/;\n/ { p = /incbin/("blob.bin", 0, 4000); };\n', ['--limit', 'incbin-bytes=4096', '--limit', 'property-bytes=100']);
    expect(over.diagnostics.at(-1)!.rule).toBe('limit/property-bytes');
  });

  it('input-bytes: the bytes all /incbin/s insert, each counted every time (40 incbins of one file)', async () => {
    fs.writeFileSync(path.join(dir, 'four-k.bin'), Buffer.alloc(4096));
    const props = Array.from({ length: 40 }, (_, i) => `\tp${i} = /incbin/("four-k.bin");`).join('\n');
    const r = await compileText('many-incbins.dts', `/dts-v1/;\n/ {\n${props}\n};\n`, ['--limit', 'input-bytes=64K']);
    expect(r.exitCode).toBe(1);
    // the 17th incbin brings the total to 69,632 bytes > 65,536: stopped there, before inserting it
    expect(r.diagnostics.at(-1)).toMatchObject({ rule: 'limit/input-bytes', span: { file: 'many-incbins.dts', line: 19 } });
    expect(r.messages.at(-1)).toMatch(/the bytes all \/incbin\/s insert \(69632 with this one\) exceeds the limit of 65536/);
    expect((await compileText('few-incbins.dts', `/dts-v1/;\n/ {\n${props}\n};\n`, ['--limit', 'input-bytes=200K'])).exitCode).toBe(0);
  });

  it('input-bytes: the file itself, and the file with its includes', async () => {
    const big = await compileText('big.dts', `/dts-v1/;\n/ { };\n/* ${'x'.repeat(3000)} */\n`, ['--limit', 'input-bytes=1000']);
    expect(big.exitCode).toBe(1);
    expect(big.messages[0]).toMatch(/^big\.dts:1:1: error: big\.dts is \d+ bytes, which exceeds the limit of 1000/);
    fs.writeFileSync(path.join(dir, 'big.dtsi'), `/* ${'x'.repeat(3000)} */\n`);
    const total = await compileText('small.dts', '/dts-v1/;\n/ { };\n/include/ "big.dtsi"\n', ['--limit', 'input-bytes=1000']);
    expect(total.exitCode).toBe(1);
    expect(total.diagnostics.at(-1)!.rule).toBe('limit/input-bytes');
  });

  it('input-bytes: an included file is refused before it is read, at the directive', async () => {
    fs.writeFileSync(path.join(dir, 'huge.dtsi'), `/* ${'x'.repeat(5000)} */\n`);
    fs.writeFileSync(path.join(dir, 'huge.h'), `/* ${'x'.repeat(5000)} */\n`);
    const dts = await compileText('inc-huge.dts', '/dts-v1/;\n/ { };\n/include/ "huge.dtsi"\n', ['--limit', 'input-bytes=2K']);
    expect(dts.exitCode).toBe(1);
    expect(dts.messages[0]).toMatch(/^inc-huge\.dts:3:\d+: error: .*huge\.dtsi is 5007 bytes, which exceeds the limit of 2048 \(--limit input-bytes=N/);
    const cpp = await compileText('cpp-huge.dts', '#include "huge.h"\n/dts-v1/;\n/ { };\n', ['--cpp', '--limit', 'input-bytes=2K']);
    expect(cpp.exitCode).toBe(1);
    expect(cpp.diagnostics.at(-1)!.rule).toBe('limit/input-bytes');
    expect(cpp.messages.at(-1)).toMatch(/huge\.h:1:1: error: .*huge\.h is 5007 bytes/);
    const bin = await compileText('bin-huge.dts', '/dts-v1/;\n/ { p = /incbin/("huge.h", 0, 4); };\n', ['--limit', 'incbin-bytes=1K']);
    expect(bin.messages[0]).toMatch(/^bin-huge\.dts:2:\d+: error: .*huge\.h is 5007 bytes, which exceeds the limit of 1024 \(--limit incbin-bytes/);
  });

  it('dtb-bytes: a blob larger than the limit (size checked before its header is trusted)', async () => {
    const blob = (await compileText('pad.dts', '/dts-v1/; / { };', ['-p', '4096'])).output!;
    fs.writeFileSync(path.join(dir, 'pad.dtb'), blob);
    const r = await compileWith(['-q', '-I', 'dtb', '--limit', 'dtb-bytes=1K'], 'pad.dtb', dir);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.at(-1)!.rule).toBe('limit/dtb-bytes');
    expect(() => readDtb(blob, { maxBytes: 1024 })).toThrow(/exceeds the limit of 1024/);
  });

  it('memreserve-entries: a blob with more reservation entries than the limit (compile, apply, check), at the byte offset', async () => {
    // 1,000 entries of 16 bytes; the default (65,536) stands for 1 MiB of map, ~10 MB in memory
    const entries = Buffer.alloc(1001 * 16);
    for (let i = 0; i < 1000; i++) {
      entries.writeBigUInt64BE(BigInt(i + 1) * 4096n, i * 16);
      entries.writeBigUInt64BE(4096n, i * 16 + 8);
    }
    const struct = Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 9]);
    const header = Buffer.alloc(40);
    const offStruct = 40 + entries.length;
    [0xd00dfeed, offStruct + struct.length, offStruct, offStruct + struct.length, 40, 17, 16, 0, 0, struct.length].forEach((w, i) => header.writeUInt32BE(w, i * 4));
    fs.writeFileSync(path.join(dir, 'reserved.dtb'), Buffer.concat([header, entries, struct]));
    expect(DEFAULT_LIMITS['memreserve-entries']).toBe(65_536);
    const ok = await compileWith(['-q', '-I', 'dtb', '-O', 'dts'], 'reserved.dtb', dir);
    expect(ok.exitCode).toBe(0);
    const r = await compileWith(['-q', '-I', 'dtb', '-O', 'dts', '--limit', 'memreserve-entries=999'], 'reserved.dtb', dir);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.at(-1)!.rule).toBe('dtb/too-many-reservations');
    expect(r.messages.at(-1)).toMatch(/reserved\.dtb: memory reservation map has more than 999 entries \(--limit memreserve-entries=N to change it\) \(byte offset 0x3e98\)/);
    for (const command of [['apply', 'reserved.dtb', 'reserved.dtb'], ['check', 'reserved.dtb']]) {
      const run = spawnSync(process.execPath, [cli, ...command, '--limit', 'memreserve-entries=999'], { cwd: dir, encoding: 'utf8' });
      expect(run.stdout + run.stderr).toContain('memory reservation map has more than 999 entries');
      expect(run.status).not.toBe(0);
    }
  });

  it('overlays: more overlays than the limit (API and apply CLI)', async () => {
    const base = readDtb((await compileText('b.dts', '/dts-v1/; / { };', ['-@'])).output!);
    const overlay = readDtb((await compileText('o.dts', '/dts-v1/; /plugin/; &{/} { x; };', ['-@'])).output!);
    const three = [1, 2, 3].map((i) => ({ tree: overlay, name: `o${i}.dtbo` }));
    expect(() => applyOverlays(base, three, { maxOverlays: 2 })).toThrow(DiagnosticError);
    expect(() => applyOverlays(base, three, { maxOverlays: 2 })).toThrow(/applying 3 overlays exceeds the limit of 2/);
    expect(applyOverlays(base, three).tree.root.getProperty('x')).toBeDefined();
    const r = spawnSync(process.execPath, [cli, 'apply', 'b.dts', 'o.dts', 'o.dts', '--limit', 'overlays=1', '-o', 'm.dtb'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^o\.dts:1:1: error: 2 overlays exceeds the limit of 1/);
  });

  it('a bad --limit is a usage error on every command', () => {
    fs.writeFileSync(path.join(dir, 'u.dts'), '/dts-v1/; / { };');
    const compile = spawnSync(process.execPath, [cli, 'compile', '--limit', 'nope=1', 'u.dts'], { cwd: dir, encoding: 'utf8' });
    expect(compile.status).toBe(1);
    expect(compile.stderr).toMatch(/unknown limit 'nope'/);
    for (const command of ['apply', 'simulate', 'check', 'validate']) {
      const r = spawnSync(process.execPath, [cli, command, 'u.dts', ...(command === 'apply' ? ['u.dts'] : []), '--limit', 'node-depth=x'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, command).toBe(2);
      expect(r.stderr).toMatch(/whole number/);
    }
  });
});
