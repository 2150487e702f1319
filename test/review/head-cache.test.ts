/** The hook's cache of HEAD's findings (src/review/head-cache.ts): what keys an entry, and what it gives back. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { headCache } from '../../src/review/head-cache.js';

const finding = (root: string): Diagnostic => ({
  rule: 'pas/smr-shared-group',
  severity: 'warning',
  message: `shares the stream-match entry of ${root}/arch/soc.dtsi`,
  path: '/soc/crypto',
  property: 'iommus',
  span: { file: `${root}/arch/soc.dtsi`, line: 12, column: 2 },
  related: [{ message: 'the other master', span: { file: `${root}/arch/board.dts`, line: 3, column: 1 } }],
});

describe('headCache', () => {
  let cacheDir = '';
  let work = '';
  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-head-cache-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-head-cache-work-'));
  });
  afterEach(() => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });
  const entries = () => fs.readdirSync(path.join(cacheDir, 'hook'));

  it('gives back what was stored for the same tree, options and run, with paths in the tree where it is read', () => {
    headCache('tree-1', { include: [] }, '/home/a/linux', cacheDir).set('lemans-evk', [finding('/home/a/linux')]);
    // one entry, written whole (no temporary file left), holding no path of the user's tree
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatch(/\.json$/);
    expect(fs.readFileSync(path.join(cacheDir, 'hook', entries()[0]), 'utf8')).not.toContain('/home/a');
    // the same tree checked out elsewhere next time
    expect(headCache('tree-1', { include: [] }, '/srv/b/linux', cacheDir).get('lemans-evk')).toEqual([finding('/srv/b/linux')]);
    expect(headCache('tree-1', { include: [] }, '/srv/b/linux', cacheDir).get('qcs9100-ride')).toBeUndefined();
  });

  it('another tree id or other options miss', () => {
    headCache('tree-1', { include: ['x'] }, work, cacheDir).set('k', [finding(work)]);
    expect(headCache('tree-2', { include: ['x'] }, work, cacheDir).get('k')).toBeUndefined();
    expect(headCache('tree-1', { include: ['y'] }, work, cacheDir).get('k')).toBeUndefined();
    expect(headCache('tree-1', { include: ['x'] }, work, cacheDir).get('k')).toEqual([finding(work)]);
  });

  it('an entry stored under another run key (a name clash) or holding no list is not used', () => {
    const cache = headCache('tree-1', {}, work, cacheDir);
    cache.set('a', [finding(work)]);
    const [a] = entries();
    cache.set('b', []);
    const b = entries().find((e) => e !== a)!;
    // b's file now holds a's entry, key 'a' inside
    fs.copyFileSync(path.join(cacheDir, 'hook', a!), path.join(cacheDir, 'hook', b));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual([finding(work)]);
    fs.writeFileSync(path.join(cacheDir, 'hook', a!), JSON.stringify({ key: 'a', diagnostics: { length: 0 } }));
    expect(cache.get('a')).toBeUndefined();
  });

  it('a folder the options name (bindings, nested in the configuration) keys entries by its modification time', () => {
    const bindings = path.join(work, 'bindings');
    fs.mkdirSync(bindings);
    const options = { include: ['include'], config: { bindings: [bindings], soc: null, el: 2 } };
    headCache('tree-1', options, work, cacheDir).set('k', []);
    expect(headCache('tree-1', options, work, cacheDir).get('k')).toEqual([]);
    fs.utimesSync(bindings, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(headCache('tree-1', options, work, cacheDir).get('k')).toBeUndefined();
  });

  it('a cache folder that cannot be written costs nothing but the entry', () => {
    const blocked = path.join(work, 'file');
    fs.writeFileSync(blocked, 'not a folder');
    const cache = headCache('tree-1', {}, work, blocked);
    expect(() => cache.set('k', [finding(work)])).not.toThrow();
    expect(cache.get('k')).toBeUndefined();
    const off = headCache('tree-1', {}, work, null);
    off.set('k', []);
    expect(off.get('k')).toBeUndefined();
  });
});
