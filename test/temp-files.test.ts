/**
 * Cache entries are written through a pid-named temporary (src/temp-files.ts): one left by a run
 * that was killed during the write (SIGKILL, or a signal during these synchronous writes) is
 * removed by the next run writing the same entry; a live run's is left alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceFileSync } from '../src/temp-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('replaceFileSync', () => {
  it("replaces the file, removes a dead run's temporary of it, keeps a live run's and other files'", () => {
    const file = path.join(dir, 'entry.json');
    fs.writeFileSync(file, 'old');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const sleeper = spawn('sleep', ['30']);
    try {
      const stale = `.entry.json.dtoc-${dead}-abc123.tmp`;
      const live = `.entry.json.dtoc-${sleeper.pid}-def456.tmp`;
      const other = `.other.json.dtoc-${dead}-abc123.tmp`;
      for (const t of [stale, live, other]) fs.writeFileSync(path.join(dir, t), 'partial');
      replaceFileSync(file, '{"new": true}');
      expect(fs.readFileSync(file, 'utf8')).toBe('{"new": true}');
      expect(fs.readdirSync(dir).sort()).toEqual([live, other, 'entry.json'].sort());
    } finally {
      sleeper.kill();
    }
  });

  it('a failed write leaves no temporary (the target is a folder)', () => {
    const folder = path.join(dir, 'a-folder');
    fs.mkdirSync(folder);
    expect(() => replaceFileSync(folder, 'x')).toThrow();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.a-folder.'))).toEqual([]);
  });
});
