/** `--version` on the top-level program, and `--help` listing every option that works. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPILE_OPTIONS } from '../../src/compile/options.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/shared.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-cli-help-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('--version and --help', () => {
  const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;

  it('the program prints its version with --version and -V; compile keeps dtc\'s -V <version>', () => {
    expect(runCli(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` });
    expect(runCli(['-V'])).toMatchObject({ status: 0, stdout: `${version}\n` });
    const v16 = path.join(work, 'v16.dtb');
    expect(runCli(['compile', '-V', '16', '-q', '-o', v16, 'fixtures/check/warns.dts']).status).toBe(0);
    expect(fs.readFileSync(v16).readUInt32BE(20)).toBe(16);
  });

  it('compile --help lists every option the parser takes', () => {
    const help = runCli(['compile', '--help']).stdout;
    for (const letter of COMPILE_OPTIONS.short) expect(help, `-${letter}`).toMatch(new RegExp(`^ +-${letter.replace('@', '\\@')}, `, 'm'));
    for (const name of COMPILE_OPTIONS.long) expect(help, `--${name}`).toMatch(new RegExp(`--${name}\\b`));
  });

  it('kernel --help says --bindings defaults to the config file, else none', () => {
    expect(runCli(['kernel', '--help']).stdout.replace(/\s+/g, ' ')).toContain("(default: the config file's `bindings`, else none)");
  });

  it('apply, simulate and validate take --no-cpp as check and diff do', () => {
    for (const command of ['apply', 'simulate', 'validate', 'check', 'diff']) expect(runCli([command, '--help']).stdout, command).toContain('--no-cpp');
  });
});
