/**
 * The include sandbox (docs/security.md): `#include`, `/include/` and `/incbin/` read only under
 * the input's folder and the -i folders; absolute paths, `..` escapes and symlinks out are
 * refused with file:line:col, unless --allow-outside-includes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared.js';
import { compileWith } from './support.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-sandbox-'));
const board = path.join(root, 'board');
const outside = path.join(root, 'outside');
fs.mkdirSync(board);
fs.mkdirSync(outside);
fs.mkdirSync(path.join(root, 'inc'));
fs.writeFileSync(path.join(outside, 'secret.dtsi'), '/ { secret = "x"; };\n');
fs.writeFileSync(path.join(outside, 'secret.h'), '#define SECRET 1\n');
fs.writeFileSync(path.join(outside, 'secret.bin'), 'key');
fs.writeFileSync(path.join(root, 'inc', 'ok.h'), '#define OK 2\n');
fs.writeFileSync(path.join(board, 'inside.dtsi'), '/ { inside; };\n');
fs.symlinkSync(outside, path.join(board, 'link'));
// A sibling whose name starts with the root's: `…/board-evil` is not under `…/board`.
const evil = path.join(root, 'board-evil');
fs.mkdirSync(evil);
fs.writeFileSync(path.join(evil, 'x.dtsi'), '/ { evil = "x"; };\n');
fs.writeFileSync(path.join(evil, 'x.h'), '#define EVIL 1\n');
fs.writeFileSync(path.join(evil, 'x.bin'), 'key');
fs.symlinkSync(evil, path.join(board, 'evil-link'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const head = '/dts-v1/;\n/ { };\n';
const CASES: [string, string, string[]][] = [
  ['/include/ of an absolute path', `${head}/include/ "${outside}/secret.dtsi"\n`, []],
  ["/include/ with a '..' escape", `${head}/include/ "../outside/secret.dtsi"\n`, []],
  ['/include/ through a symlink out', `${head}/include/ "link/secret.dtsi"\n`, []],
  ['/incbin/ of an absolute path', `/dts-v1/;\n/ { p = /incbin/("${outside}/secret.bin"); };\n`, []],
  ["/incbin/ with a '..' escape", `/dts-v1/;\n/ { p = /incbin/("../outside/secret.bin"); };\n`, []],
  ['/incbin/ through a symlink out', `/dts-v1/;\n/ { p = /incbin/("link/secret.bin"); };\n`, []],
  ['#include of an absolute path', `#include "${outside}/secret.h"\n${head}`, ['--cpp']],
  ["#include with a '..' escape", `#include "../outside/secret.h"\n${head}`, ['--cpp']],
  ['#include through a symlink out', `#include "link/secret.h"\n${head}`, ['--cpp']],
  ['/include/ of a prefix sibling by absolute path', `${head}/include/ "${evil}/x.dtsi"\n`, []],
  ["/include/ of a prefix sibling by '..'", `${head}/include/ "../board-evil/x.dtsi"\n`, []],
  ['/include/ of a prefix sibling through a symlink', `${head}/include/ "evil-link/x.dtsi"\n`, []],
  ['/incbin/ of a prefix sibling by absolute path', `/dts-v1/;\n/ { p = /incbin/("${evil}/x.bin"); };\n`, []],
  ["/incbin/ of a prefix sibling by '..'", `/dts-v1/;\n/ { p = /incbin/("../board-evil/x.bin"); };\n`, []],
  ['/incbin/ of a prefix sibling through a symlink', `/dts-v1/;\n/ { p = /incbin/("evil-link/x.bin"); };\n`, []],
  ['#include of a prefix sibling by absolute path', `#include "${evil}/x.h"\n${head}`, ['--cpp']],
  ["#include of a prefix sibling by '..'", `#include "../board-evil/x.h"\n${head}`, ['--cpp']],
  ['#include of a prefix sibling through a symlink', `#include "evil-link/x.h"\n${head}`, ['--cpp']],
];

describe('include sandbox', () => {
  for (const [name, text, args] of CASES) {
    it(`refuses ${name} with file:line:col`, async () => {
      const file = `${name.replace(/\W+/g, '-')}.dts`;
      fs.writeFileSync(path.join(board, file), text);
      const refused = await compileWith(['-q', '--diagnostics=gcc', ...args], file, board);
      expect(refused.exitCode).toBe(1);
      expect(refused.messages[0]).toMatch(new RegExp(`^${file}:[123]:\\d+: error: refusing to read .*--allow-outside-includes`));
      // compile's default, dtc's style: the position stays (dtc has no such error to copy); an
      // #include is the preprocessor's, which prints as cpp does (gcc style) either way.
      const dtcStyle = await compileWith(['-q', ...args], file, board);
      const dtcLine = args.includes('--cpp') ? `^${file}:[123]:\\d+: error: refusing to read ` : `^FATAL ERROR: ${file}:[123]\\.\\d+(-\\d+)?: refusing to read `;
      expect(dtcStyle.messages[0]).toMatch(new RegExp(dtcLine));
      expect(refused.diagnostics[0]!.rule).toMatch(/sandbox/);
      const allowed = await compileWith(['-q', '--allow-outside-includes', ...args], file, board);
      expect(allowed.exitCode, allowed.stderr).toBe(0);
    });
  }

  it('allows the input folder, -i folders and links that stay inside', async () => {
    fs.symlinkSync(path.join(board, 'inside.dtsi'), path.join(board, 'inner-link.dtsi'));
    fs.writeFileSync(path.join(board, 'ok.dts'), `#include <ok.h>\n${head}/include/ "inside.dtsi"\n/include/ "inner-link.dtsi"\n/include/ "../board/inside.dtsi"\n`);
    const r = await compileWith(['-q', '--cpp', '-i', '../inc'], 'ok.dts', board);
    expect(r.exitCode, r.stderr).toBe(0);
  });
});

describe('every command that compiles sources takes --allow-outside-includes', () => {
  const cli = path.join(repoRoot, 'dist/cli.js');
  const escape = '/dts-v1/;\n/ { compatible = "test,board"; };\n/include/ "../outside/secret.dtsi"\n';
  const commands: [string, string[]][] = [
    ['apply', ['apply', 'escape.dts', 'plugin.dtso', '-o', path.join(root, 'merged.dtb')]],
    ['check', ['check', 'escape.dts', '--no-cpp']],
    ['validate', ['validate', 'escape.dts', '--bindings', path.join(root, 'inc')]],
    ['simulate', ['simulate', 'escape.dts']],
  ];
  for (const [name, args] of commands) {
    it(name, () => {
      fs.writeFileSync(path.join(board, 'escape.dts'), escape);
      fs.writeFileSync(path.join(board, 'plugin.dtso'), '/dts-v1/;\n/plugin/;\n&{/} { x = <1>; };\n');
      const refused = spawnSync(process.execPath, [cli, ...args], { cwd: board, encoding: 'utf8' });
      expect(refused.stdout + refused.stderr).toMatch(/escape\.dts:3:\d+: error: refusing to read "\.\.\/outside\/secret\.dtsi"/);
      expect(refused.status).not.toBe(0);
      const allowed = spawnSync(process.execPath, [cli, ...args, '--allow-outside-includes'], { cwd: board, encoding: 'utf8' });
      expect(allowed.stdout + allowed.stderr).not.toMatch(/refusing to read/);
      expect(allowed.status, allowed.stderr).not.toBe(2);
    });
  }
});
