import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runModule, runTool } from '../../src/dtc-wasm/index.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-host-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A flat-ish tree of `count` nodes (groups of 200), each with a reg and a string property. */
function generatedTree(count: number): string {
  const lines = ['/dts-v1/;', '/ {', '\t#address-cells = <1>;', '\t#size-cells = <0>;'];
  for (let g = 0; g * 200 < count; g++) {
    lines.push(`\tgroup@${g.toString(16)} {`, '\t\t#address-cells = <1>;', '\t\t#size-cells = <0>;', `\t\treg = <${g}>;`);
    for (let i = 0; i < 200 && g * 200 + i < count; i++) {
      lines.push(`\t\tnode@${i.toString(16)} { reg = <${i}>; label-${i % 7} = "n${g}-${i}"; };`);
    }
    lines.push('\t};');
  }
  lines.push('};', '');
  return lines.join('\n');
}

describe('the WASI host running dtc', () => {
  it('compiles a generated 40,000-node tree without crashing', () => {
    const result = referenceDtc(['-I', 'dts', '-O', 'dtb', '-o', 'big.dtb', 'big.dts'], { files: { 'big.dts': generatedTree(40_000) } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const blob = result.outputs['big.dtb'];
    expect(Buffer.from(blob.subarray(0, 4)).toString('hex')).toBe('d00dfeed');
    // Round trip through -O dts: the decompiled tree has every node.
    const back = referenceDtc(['-I', 'dtb', '-O', 'dts', 'big.dtb'], { files: { 'big.dtb': blob } });
    expect(back.status).toBe(0);
    expect(back.stdout.match(/node@/g)?.length).toBe(40_000);
  });

  it('prints a deeply nested tree as dts (needs the 8 MiB stack)', () => {
    const depth = 3000;
    const src = '/dts-v1/;\n/ {\n' + 'a {\n'.repeat(depth) + 'x = <1>;\n' + '};\n'.repeat(depth) + '};\n';
    const result = referenceDtc(['-I', 'dts', '-O', 'dts', 'deep.dts'], { files: { 'deep.dts': src } });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter((l) => l.trim() === 'a {').length).toBe(depth);
  });

  it('resolves relative paths against the requested cwd, including subfolders and /include/', () => {
    fs.mkdirSync(path.join(work, 'sub/inc'), { recursive: true });
    fs.writeFileSync(path.join(work, 'sub/inc/part.dtsi'), '/ { from-include = <7>; };\n');
    fs.writeFileSync(path.join(work, 'sub/main.dts'), '/dts-v1/;\n/include/ "part.dtsi"\n/ { x; };\n');
    const result = runTool('dtc', ['-i', 'sub/inc', '-O', 'dts', '-o', 'out/../sub/out.dts', 'sub/main.dts'], { cwd: work });
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(work, 'sub/out.dts'), 'utf8')).toContain('from-include = <0x07>;');
  });

  it('reads stdin when the input is "-"', () => {
    const result = runTool('dtc', ['-O', 'dts', '-'], { stdin: '/dts-v1/; / { piped = "yes"; };' });
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toContain('piped = "yes";');
  });

  it('reports a missing input as dtc does, with a non-zero status', () => {
    const result = runTool('dtc', ['no-such-file.dts'], { cwd: work });
    expect(result.status).toBe(1);
    expect(result.stderr.toString()).toContain('FATAL ERROR: Couldn\'t open "no-such-file.dts": No such file or directory');
  });

  it('refuses a working folder that does not exist', () => {
    const result = runTool('dtc', ['x.dts'], { cwd: path.join(work, 'missing-folder') });
    expect(result.status).not.toBe(0);
    expect(result.stderr.toString()).toMatch(/is not a readable folder/);
  });

  it('reports a trap inside WebAssembly as a crash message with status 134, not an exception', () => {
    // (module (memory (export "memory") 1) (func (export "_start") unreachable))
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
      0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06,
      0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
    ]);
    const result = runModule(new WebAssembly.Module(bytes), 'dtc', []);
    expect(result.status).toBe(134);
    expect(result.stderr.toString()).toMatch(/^dtc: internal error: the program crashed inside WebAssembly \(RuntimeError: unreachable/);
  });

  it('gives each run a fresh instance: a second run still writes its output', () => {
    for (let i = 0; i < 3; i++) {
      const result = runTool('dtc', ['-O', 'dts', '-'], { stdin: `/dts-v1/; / { run = <${i}>; };` });
      expect(result.stdout.toString()).toContain(`run = <0x0${i}>;`);
    }
  });
});

describe('dtoverlay-check dtc / fdtoverlay (CLI)', () => {
  const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');
  const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { cwd: work, input, encoding: 'utf8' });

  it('behaves like dtc: same stdout, stderr and status', () => {
    fs.writeFileSync(path.join(work, 'warn.dts'), '/dts-v1/;\n/ { node@1 { }; };\n');
    const ours = run(['dtc', '-I', 'dts', '-O', 'dts', 'warn.dts']);
    const reference = runTool('dtc', ['-I', 'dts', '-O', 'dts', 'warn.dts'], { cwd: work });
    expect(ours.status).toBe(reference.status);
    expect(ours.stdout).toBe(reference.stdout.toString());
    expect(ours.stderr).toBe(reference.stderr.toString());
    expect(ours.stderr).toContain('Warning (unit_address_vs_reg)');
  });

  it('passes dtc its exit status and prints no Node stack trace on bad input', () => {
    const missing = run(['dtc', 'missing.dts']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('FATAL ERROR');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const syntax = run(['dtc', '-'], '/dts-v1/; / { broken');
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/syntax error/);
  });

  it('runs fdtoverlay and fails like it does on a missing label', () => {
    fs.writeFileSync(path.join(work, 'base.dts'), '/dts-v1/;\n/ { lbl: node { }; };\n');
    fs.writeFileSync(path.join(work, 'ov.dts'), '/dts-v1/;\n/plugin/;\n&nolabel { x = <1>; };\n');
    expect(run(['dtc', '-@', '-o', 'base.dtb', 'base.dts']).status).toBe(0);
    expect(run(['dtc', '-@', '-o', 'ov.dtbo', 'ov.dts']).status).toBe(0);
    const applied = run(['fdtoverlay', '-i', 'base.dtb', '-o', 'out.dtb', 'ov.dtbo']);
    expect(applied.status).not.toBe(0);
    expect(applied.stderr).toContain('FDT_ERR_NOTFOUND');
    expect(run(['fdtoverlay', '--help']).stdout).toContain('apply a number of overlays to a base blob');
  });
});
