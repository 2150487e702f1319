/**
 * `-I dts -O dts`: the parser and tree builder feed printDts; the text must equal the reference
 * dtc's on every source of dtc's test suite (and both must reject the same sources).
 */
import { describe, expect, it } from 'vitest';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { referenceDtc } from '../support/reference.js';
import { sharedOrExplain } from '../support/shared.js';
import { dtcTestSources, dtcTestsDir, includeArgsFor } from './reference-blobs.js';

describe.runIf(sharedOrExplain('dtc-tests -I dts -O dts differential'))('-I dts -O dts vs the reference dtc on dtc-tests', () => {
  const sources = dtcTestSources();

  for (const [label, extra] of [
    ['-O dts', []],
    ['-@ -O dts', ['-@']],
  ] as const) {
    it(`prints every test source like dtc (${label})`, async () => {
      const cwd = process.cwd();
      // dtc resolves -i folders and the input against its working directory
      process.chdir(dtcTestsDir);
      const mismatches: string[] = [];
      let identical = 0;
      let rejectedByBoth = 0;
      try {
        for (const file of sources) {
          const args = ['-q', ...includeArgsFor(file), ...extra, '-I', 'dts', '-O', 'dts'];
          const reference = referenceDtc([...args, file], { cwd: dtcTestsDir });
          const ours = await compile({ file }, parseCompileArgs([...args, '-o', '-', file]));
          if ((reference.status === 0) !== (ours.exitCode === 0)) {
            mismatches.push(`${file}: dtc exits ${reference.status}, we exit ${ours.exitCode}`);
          } else if (reference.status !== 0) {
            rejectedByBoth++;
          } else if (Buffer.from(ours.output ?? []).toString('latin1') !== reference.stdout) {
            mismatches.push(`${file}: different text`);
          } else identical++;
        }
      } finally {
        process.chdir(cwd);
      }
      console.log(`dtc-tests -I dts ${label}: ${identical} identical, ${rejectedByBoth} rejected by both, ${mismatches.length} mismatches`);
      expect(mismatches).toEqual([]);
      expect(identical).toBeGreaterThan(70);
    });
  }
});
