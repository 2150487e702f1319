/** What every command shares (src/cli/): one `--fail-on error|warning|info|never`, exit 2 with one line for input errors. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isInputError, runCli } from '../support/cli.js';

const example = ['fixtures/example/lemans-mini.dts', 'overlays/lemans-mini-el2.dtso'];
const bindings = 'fixtures/schema/bindings';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-cli-options-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('--fail-on', () => {
  it('every command that reports findings takes error|warning|info|never', () => {
    for (const command of ['check', 'apply', 'simulate', 'validate', 'validate-bindings', 'kernel', 'review', 'hook']) {
      const help = runCli([command, '--help']).stdout.replace(/\s+/g, ' ');
      expect(help, command).toContain('--fail-on <level> exit 1 when a finding is at or above this level (choices: "error", "warning", "info", "never", default: "error")');
    }
    // diff reports differences, not findings: its status is diff(1)'s
    expect(runCli(['diff', '--help']).stdout).not.toContain('--fail-on');
  });

  it('info fails only with --fail-on info (check and simulate: the example has 5 notes)', () => {
    expect(runCli(['check']).status).toBe(0);
    expect(runCli(['check', '--fail-on', 'info']).status).toBe(1);
    expect(runCli(['simulate', ...example]).status).toBe(0);
    expect(runCli(['simulate', ...example, '--fail-on', 'info']).status).toBe(1);
    expect(runCli(['simulate', ...example, '--fail-on', 'none']).status).toBe(2);
  });

  it('apply: a warning fails with --fail-on warning; a failed apply passes with --fail-on never', () => {
    const arity = [example[0], 'fixtures/overlay/iommus-arity.dtso', '-o', path.join(work, 'a.dtb')];
    expect(runCli(['apply', ...arity]).status).toBe(0);
    expect(runCli(['apply', ...arity, '--fail-on', 'warning']).status).toBe(1);
    const missingLabel = [example[0], 'fixtures/check/missing-label.dtso', '-o', path.join(work, 'b.dtb')];
    expect(runCli(['apply', ...missingLabel]).status).toBe(1);
    expect(runCli(['apply', ...missingLabel, '--fail-on', 'never']).status).toBe(0);
  });

  it('validate: binding errors fail unless --fail-on never', () => {
    const bad = ['validate', 'fixtures/schema/bad-values.dts', '--bindings', bindings];
    expect(runCli(bad).status).toBe(1);
    expect(runCli([...bad, '--fail-on', 'never']).status).toBe(0);
  });
});

describe('input errors: exit 2, one line, no stack', () => {
  const missing = 'fixtures/cli/no-such-file.dts';
  const cases: [string, string[], RegExp][] = [
    ['apply: a missing input', ['apply', missing, 'fixtures/check/empty.dtso'], /no-such-file\.dts cannot be read/],
    ['simulate: a missing input', ['simulate', missing], /no-such-file\.dts cannot be read/],
    ['simulate: a missing --rsc-table', ['simulate', example[0], '--rsc-table', 'nope.yaml'], /--rsc-table nope\.yaml: no such file/],
    ['validate: a missing input', ['validate', missing, '--bindings', bindings], /no-such-file\.dts cannot be read/],
    ['validate: a missing --bindings folder', ['validate', example[0], '--bindings', 'nope'], /--bindings nope: no such file or folder/],
    ['validate: --core-schemas that is a file', ['validate', example[0], '--bindings', bindings, '--core-schemas', 'README.md'], /--core-schemas README\.md: not a folder/],
    ['validate-bindings: a missing folder', ['validate-bindings', 'nope'], /validate-bindings: nope: no such file or folder/],
    ['check: a missing --bindings folder', ['check', example[0], '--bindings', 'nope'], /--bindings nope: no such file or folder/],
    ['check: an unreadable --config', ['check', '--config', 'nope.yaml'], /nope\.yaml: cannot be read/],
    ['diff: a missing input', ['diff', missing, example[0]], /no-such-file\.dts: no such file/],
    ['kernel: a folder that is no Linux tree', ['kernel', '--tree', 'fixtures'], /not a Linux tree/],
    ['kernel: a bad --jobs', ['kernel', '--tree', 'fixtures', '--jobs', 'x'], /--jobs x: expected a positive number/],
    ['review: a missing patch', ['review', 'nope.patch', '--tree', '.'], /review: nope\.patch: no such file/],
    ['hook: a bad --jobs', ['hook', '--jobs', 'x', 'fixtures/check/warns.dts'], /--jobs x: expected a positive number/],
    ['a bad option value', ['simulate', example[0], '--fail-on', 'loud'], /argument 'loud' is invalid/],
  ];
  it('check: a missing input is in the report (stdout), and exits 2', () => {
    const r = runCli(['check', missing]);
    expect(r.stdout).toMatch(/no-such-file\.dts: no such file \[input\/read\]/);
    expect(r.status).toBe(2);
  });
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = runCli(args);
      expect(r.stderr).toMatch(message);
      expect(isInputError(r), `${r.status} ${r.stderr}`).toBe(true);
    });
  }
});
