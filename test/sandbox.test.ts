/**
 * sandboxRefusal itself (src/sandbox.ts): names that do not exist yet are judged by their real
 * folder, and the refusal says how the name got out. The compile-level cases, with #include,
 * /include/ and /incbin/, are in test/compile/sandbox.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSandbox, sandboxRefusal } from '../src/sandbox.js';

const top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-unit-')));
const board = path.join(top, 'board');
const outside = path.join(top, 'outside');
fs.mkdirSync(board);
fs.mkdirSync(outside);
fs.symlinkSync(outside, path.join(board, 'out-link'));
fs.symlinkSync(board, path.join(top, 'board-link'));
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe('sandboxRefusal', () => {
  const sandbox = makeSandbox([board]);

  it('judges a name that does not exist yet by its real folder', () => {
    expect(sandboxRefusal(sandbox, path.join(board, 'out-link/missing.dtsi'), 'out-link/missing.dtsi')).toMatch(/a symbolic link outside/);
    expect(sandboxRefusal(makeSandbox([path.join(top, 'board-link')]), path.join(board, 'new.dtsi'))).toBeUndefined();
    expect(sandboxRefusal(sandbox, path.join(top, 'board-link/new.dtsi'))).toBeUndefined();
  });

  it('says how the name got out: an absolute path, a .. escape, a symbolic link', () => {
    const secret = path.join(outside, 'secret.dtsi');
    expect(sandboxRefusal(sandbox, secret)).toBe(
      `refusing to read "${secret}": an absolute path outside the input's folder and the include folders (${secret}); pass --allow-outside-includes to allow it`,
    );
    expect(sandboxRefusal(sandbox, path.join(board, '../outside/secret.dtsi'), '../outside/secret.dtsi')).toMatch(/^refusing to read "\.\.\/outside\/secret\.dtsi": a '\.\.' escape outside/);
    expect(sandboxRefusal(sandbox, path.join(board, 'out-link/secret.dtsi'), 'out-link/secret.dtsi')).toMatch(/: a symbolic link outside .*\(.*outside\/secret\.dtsi\)/);
  });

  it('allows the root itself and what lies under it; the filesystem root allows everything', () => {
    expect(sandboxRefusal(sandbox, board)).toBeUndefined();
    expect(sandboxRefusal(sandbox, path.join(board, 'a/b.dtsi'))).toBeUndefined();
    expect(sandboxRefusal(sandbox, `${board}-evil/x.dtsi`)).toMatch(/an absolute path outside/);
    expect(sandboxRefusal(makeSandbox(['/']), path.join(outside, 'secret.dtsi'))).toBeUndefined();
  });
});
