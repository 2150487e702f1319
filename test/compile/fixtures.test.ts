/**
 * Our fixtures (fixtures/dts/, one case a file) against the bundled dtc in several modes: the
 * accepted ones give identical bytes; the `bad-*` ones fail with dtc's status, dtc's messages
 * (or, with `--diagnostics=gcc`, a `file:line:col: error:` message) and no output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';
import { compileWith } from './support.js';

const dir = path.join(repoRoot, 'fixtures/dts');
const sources = fs.readdirSync(dir).filter((f) => f.endsWith('.dts')).sort();
const good = sources.filter((f) => !f.startsWith('bad-'));
const bad = sources.filter((f) => f.startsWith('bad-'));

const MODES = [
  ['-O', 'dtb'],
  ['-@', '-O', 'dtb'],
  ['-A', '-O', 'dtb'],
  ['-s', '-@', '-O', 'dtb'],
  ['-H', 'both', '-O', 'dtb'],
  ['-H', 'legacy', '-@', '-O', 'dtb'],
  ['-L', '-O', 'dtb'],
  ['-O', 'dts'],
];

describe('compile vs dtc on fixtures/dts', () => {
  for (const file of good) {
    it(`${file}: identical in ${MODES.length} modes`, async () => {
      for (const mode of MODES) {
        const args = ['-q', '-I', 'dts', ...mode];
        const ref = referenceDtc([...args, '-o', '-', file], { cwd: dir });
        const ours = await compileWith(args, file, dir);
        expect(ours.exitCode, `${mode.join(' ')}: ${ours.messages.join('\n')}`).toBe(ref.status);
        expect(ref.status, ref.stderr).toBe(0);
        expect(Buffer.from(ours.output!).toString('latin1'), mode.join(' ')).toBe(ref.stdout);
      }
    });
  }

  for (const file of bad) {
    it(`${file}: rejected like dtc, with dtc's messages (or a gcc-style position)`, async () => {
      const ref = referenceDtc(['-q', '-I', 'dts', '-O', 'dtb', '-o', 'out.dtb', file], { cwd: dir });
      const ours = await compileWith(['-q', '-I', 'dts', '-O', 'dtb', '-o', 'out.dtb'], file, dir);
      expect(ref.status).not.toBe(0);
      expect(ours.exitCode).toBe(ref.status);
      expect(ours.output).toBeUndefined();
      expect(ours.stderr).toBe(ref.stderr);
      const gcc = await compileWith(['-q', '--diagnostics=gcc', '-I', 'dts', '-O', 'dtb'], file, dir);
      // check findings keep dtc's format in both styles
      expect(gcc.messages[0]).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}:\\d+(:\\d+: error: |\\.\\d+.*: ERROR \\()`));
      fs.rmSync(path.join(dir, 'out.dtb'), { force: true });
    });
  }
});
