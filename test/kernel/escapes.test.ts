/**
 * Kernel mode reads only inside the tree (docs/security.md): a Makefile part that climbs out
 * (`dtb-y += ../../…/secret.dtb`) or a board source that is a symbolic link pointing out is never
 * read, so its text cannot appear in an excerpt; a folder link loop (`ln -s . l1`) does not hang
 * the Makefile walk.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtsMakefiles, findKernelLayout } from '../../src/kernel/layout.js';
import { discoverTargets } from '../../src/kernel/targets.js';
import { IncludeGraph } from '../../src/kernel/includes.js';
import { repoRoot } from '../support/shared.js';

let top: string;
let tree: string;
let acme: string;
const SECRET = 'TOP-SECRET-LINE';

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-kernel-escape-'));
  tree = path.join(top, 'linux');
  acme = path.join(tree, 'arch/arm64/boot/dts/acme');
  fs.mkdirSync(acme, { recursive: true });
  fs.mkdirSync(path.join(top, 'outside'));
  // a syntax error on the secret line: were it compiled, the excerpt would print it
  for (const name of ['secret.dts', 'linked.dts']) fs.writeFileSync(path.join(top, 'outside', name), `/dts-v1/;\n/ { ${SECRET} };\n`);
  fs.writeFileSync(path.join(top, 'outside', 'secret.dtsi'), `/ { ${SECRET} };\n`);
  fs.writeFileSync(path.join(acme, 'board.dts'), '/dts-v1/;\n/ { model = "acme"; compatible = "acme,board"; #address-cells = <1>; #size-cells = <1>; };\n');
  fs.writeFileSync(path.join(acme, 'probe.dts'), '/dts-v1/;\n/include/ "../../../../../../outside/secret.dtsi"\n');
  fs.symlinkSync(path.join(top, 'outside', 'linked.dts'), path.join(acme, 'link.dts'));
  fs.symlinkSync('.', path.join(acme, 'l1'));
  fs.symlinkSync('..', path.join(acme, 'l2'));
  fs.writeFileSync(path.join(acme, 'Makefile'), 'dtb-y += board.dtb ../../../../../../outside/secret.dtb link.dtb\n');
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe('kernel mode stays inside the tree', () => {
  it('refuses Makefile parts that resolve outside the tree, by real path', () => {
    const layout = findKernelLayout(tree);
    try {
      const targets = discoverTargets(layout);
      const byName = Object.fromEntries(targets.map((t) => [t.name, t]));
      expect(byName['board']!.sources).toEqual([path.join(acme, 'board.dts')]);
      for (const name of ['../../../../../../outside/secret', 'link']) {
        const t = byName[name]!;
        expect(t.sources, name).toEqual([]);
        expect(t.missing, name).toHaveLength(1);
        expect(t.outside[0]!.why, name).toMatch(/outside the tree \(.*outside\/(secret|linked)\.dts\)/);
      }
    } finally {
      layout.dispose();
    }
  });

  it('walks a folder link loop once (ln -s . l1)', () => {
    const makefiles = dtsMakefiles(path.join(tree, 'arch/arm64/boot/dts'), tree);
    expect(makefiles).toEqual([path.join(acme, 'Makefile')]);
  });

  it('does not follow includes out of the tree for --changed', () => {
    const graph = new IncludeGraph([], tree);
    expect([...graph.closure(path.join(acme, 'probe.dts'))]).toEqual([fs.realpathSync(path.join(acme, 'probe.dts'))]);
  });

  it('kernel --list ends, and a kernel run never prints what lies outside', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), 'kernel', '--tree', tree, ...args], { encoding: 'utf8', timeout: 60_000 });
    const list = cli('--list');
    expect(list.error).toBeUndefined(); // no timeout
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/board/);
    const run = cli('-j', '1');
    expect(run.error).toBeUndefined();
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stdout + run.stderr).toMatch(/kernel\/outside-tree/);
    expect(run.stdout + run.stderr).toMatch(/refusing to read "link\.dts": a symbolic link outside the tree/);
  }, 120_000);
});
