/**
 * The done-when suite of `compile`: every `.dts` of dtc's own tests, in the modes
 * `-I dts -O dtb`, `-@ -I dts -O dtb` and `-I dts -O dts`, against the bundled dtc 1.7.2:
 * same exit status, and where dtc succeeds the same bytes; where it fails, no output. Warnings,
 * check findings and input errors on stderr are dtc's text, byte for byte.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newSession } from '../../src/compile/index.js';
import { compileDtcTest, dtcTestSources, dtcTestsDir, includeArgsFor } from '../output/reference-blobs.js';
import { referenceDtc } from '../support/reference.js';
import { sharedOrExplain } from '../support/shared.js';
import { compileWith } from './support.js';

const MODES: { name: string; args: string[] }[] = [
  { name: '-I dts -O dtb', args: ['-I', 'dts', '-O', 'dtb'] },
  { name: '-@ -I dts -O dtb', args: ['-@', '-I', 'dts', '-O', 'dtb'] },
  { name: '-I dts -O dts', args: ['-I', 'dts', '-O', 'dts'] },
];

describe.runIf(sharedOrExplain('compile vs dtc on dtc-tests'))('compile vs dtc 1.7.2 on dtc-tests', () => {
  const files = dtcTestSources();

  for (const mode of MODES) {
    it(`${mode.name}: same status and bytes for all ${files.length} sources`, async () => {
      const session = newSession();
      const problems: string[] = [];
      let identical = 0;
      let rejected = 0;
      for (const file of files) {
        const args = [...includeArgsFor(file), ...mode.args];
        const ref = referenceDtc([...args, '-o', '-', file], { cwd: dtcTestsDir });
        const ours = await compileWith(args, file, dtcTestsDir, session);
        if (ours.exitCode !== ref.status) {
          problems.push(`${file}: status ${ours.exitCode}, dtc ${ref.status}: ${ours.messages.join(' | ')}`);
          continue;
        }
        // warnings, check findings and input errors: dtc's own words and positions
        if (ours.stderr !== ref.stderr) problems.push(`${file}: stderr differs:\n${ours.stderr}---\n${ref.stderr}`);
        if (ref.status !== 0) {
          rejected++;
          if (ours.output !== undefined) problems.push(`${file}: output despite failure`);
          continue;
        }
        const expected = Buffer.from(ref.stdout, 'latin1');
        if (!ours.output || Buffer.compare(Buffer.from(ours.output), expected) !== 0) problems.push(`${file}: bytes differ`);
        else identical++;
      }
      console.log(`${mode.name}: ${identical} identical, ${rejected} rejected like dtc, ${problems.length} differences (of ${files.length})`);
      expect(problems).toEqual([]);
    }, 120_000);
  }

  it('-I dtb -O dtb (dtc\'s blobs read back and rewritten, with -@ and -s): same bytes', async () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-dtb-'));
    const problems: string[] = [];
    let identical = 0;
    try {
      for (const file of files) {
        const blob = compileDtcTest(file);
        if (!blob) continue;
        const name = file.replace(/\.dts$/, '.dtb');
        fs.writeFileSync(path.join(temp, name), blob);
        for (const extra of [[], ['-@', '-s']]) {
          const args = ['-q', ...extra, '-I', 'dtb', '-O', 'dtb'];
          const ref = referenceDtc([...args, '-o', '-', name], { cwd: temp });
          const ours = await compileWith(args, name, temp);
          if (ours.exitCode !== ref.status) problems.push(`${name} ${extra.join(' ')}: status ${ours.exitCode}, dtc ${ref.status}`);
          else if (ref.status === 0 && Buffer.from(ours.output!).toString('latin1') !== ref.stdout) problems.push(`${name} ${extra.join(' ')}: bytes differ`);
          else identical++;
        }
      }
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
    console.log(`-I dtb -O dtb: ${identical} agree with dtc, ${problems.length} differences`);
    expect(problems).toEqual([]);
  }, 120_000);
});
