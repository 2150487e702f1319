/** Compiling /plugin/ sources: the same .dtbo bytes as dtc 1.7.2 (bundled wasm). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, defaultCompileOptions } from '../../src/compile/index.js';
import { hasCpp } from '../preprocess/helpers.js';
import { sharedOrExplain } from '../support/shared.js';
import { corpusLinux, dtcTests, kernelCpp, referenceBlob, tempDir } from './support.js';

const hasShared = sharedOrExplain('overlay compile parity');

async function ourBlob(file: string, opts: Partial<ReturnType<typeof defaultCompileOptions>> = {}): Promise<Uint8Array | undefined> {
  const result = await compile({ file }, { ...defaultCompileOptions(), inputs: [file], outputFormat: 'dtb', inputFormat: 'dts', ...opts });
  return result.exitCode === 0 ? result.output : undefined;
}

describe.runIf(hasShared)('overlay sources compile to dtc\'s bytes', () => {
  it('every /plugin/ file of dtc-tests, with and without -@', async () => {
    const plugins = fs.readdirSync(dtcTests).filter((f) => f.endsWith('.dts') && fs.readFileSync(path.join(dtcTests, f), 'latin1').includes('/plugin/'));
    expect(plugins.length).toBeGreaterThanOrEqual(5);
    const cwd = process.cwd();
    process.chdir(dtcTests);
    try {
      for (const file of plugins) {
        for (const symbols of [true, false]) {
          const ref = referenceBlob(file, dtcTests, symbols ? ['-@'] : []);
          const ours = await ourBlob(file, { symbols });
          // both fail, or both give the same bytes
          const hex = (blob: Uint8Array | undefined) => blob && Buffer.from(blob).toString('hex');
          expect(hex(ours), `${file} -@=${symbols}`).toBe(hex(ref));
        }
      }
    } finally {
      process.chdir(cwd);
    }
  });

  it('lemans-el2.dtso through our preprocessor gives the bytes of GNU cpp | dtc -@', async (ctx) => {
    ctx.skip(!hasCpp, 'GNU cpp is not installed');
    const gnu = kernelCpp('arch/arm64/boot/dts/qcom/lemans-el2.dtso');
    expect(gnu, 'GNU cpp failed on lemans-el2.dtso').toBeDefined();
    const work = tempDir('el2-');
    fs.writeFileSync(path.join(work, 'el2.dtso'), gnu!);
    const ref = referenceBlob('el2.dtso', work, ['-@', '-b', '0'])!;
    const ours = await ourBlob(path.join(corpusLinux, 'arch/arm64/boot/dts/qcom/lemans-el2.dtso'), {
      symbols: true,
      bootCpu: 0,
      cpp: true,
      includeDirs: [path.join(corpusLinux, 'include'), path.join(corpusLinux, 'arch/arm64/boot/dts/qcom')],
    });
    expect(ours).toBeDefined();
    expect(Buffer.from(ours!).equals(Buffer.from(ref))).toBe(true);
    fs.rmSync(work, { recursive: true, force: true });
  });
});
