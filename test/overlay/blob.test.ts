/**
 * Overlay inputs as blobs (src/overlay/blob.ts): the header versions fdtoverlay takes, and bad blobs
 * named. (fdtoverlay refuses bases of version 2 and 3 with FDT_ERR_BADVERSION; we still read them.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlobForOverlay } from '../../src/overlay/blob.js';
import { ourApply, referenceApply, referenceBlob, tempDir } from './support.js';

const work = tempDir('overlay-blob-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
fs.writeFileSync(path.join(work, 'base.dts'), '/dts-v1/;\n/ { compatible = "board"; l: dev { status = "disabled"; }; };\n');
fs.writeFileSync(path.join(work, 'o.dtso'), '/dts-v1/;\n/plugin/;\n&l { status = "okay"; added = <1>; };\n');

describe('readBlobForOverlay', () => {
  // The strings block is taken as the blob has it (libfdt appends to it).
  for (const version of ['16', '17']) {
    it(`a base of version ${version}: fdtoverlay's bytes`, () => {
      const base = referenceBlob('base.dts', work, ['-q', '-@', '-V', version])!;
      expect(new DataView(base.buffer, base.byteOffset).getUint32(20)).toBe(Number(version));
      const overlay = referenceBlob('o.dtso', work, ['-q', '-@'])!;
      const ref = referenceApply(base, [overlay]);
      const ours = ourApply(base, [overlay]);
      expect(ref.blob, ref.stderr).toBeDefined();
      expect(Buffer.from(ours.blob!).toString('hex')).toBe(Buffer.from(ref.blob!).toString('hex'));
    });
  }

  it("a base with a boot CPU (dtc -b 3): fdtoverlay's bytes, boot_cpuid_phys kept", () => {
    const base = referenceBlob('base.dts', work, ['-q', '-@', '-b', '3'])!;
    const overlay = referenceBlob('o.dtso', work, ['-q', '-@'])!;
    const ours = ourApply(base, [overlay]);
    expect(Buffer.from(ours.blob!).readUInt32BE(28)).toBe(3);
    expect(Buffer.from(ours.blob!).toString('hex')).toBe(Buffer.from(referenceApply(base, [overlay]).blob!).toString('hex'));
  });

  it('a broken blob is named in the error', () => {
    const base = referenceBlob('base.dts', work, ['-q', '-@'])!;
    expect(() => readBlobForOverlay(base.subarray(0, 60), 'board.dtb')).toThrow(/board\.dtb/);
  });
});
