/**
 * The bundled wasm dtc/fdtoverlay against a native 1.7.2 built from the same tarball
 * (`bash scripts/build-dtc-wasm.sh --native .cache/dtc-native`, which .ci/run does).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../../src/dtc-wasm/index.js';
import { explainSkip, repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

const nativeDir = process.env.DTC_NATIVE_DIR ?? path.join(repoRoot, '.cache/dtc-native');
const hasNative = fs.existsSync(path.join(nativeDir, 'dtc')) && fs.existsSync(path.join(nativeDir, 'fdtoverlay'));
const testsDir = path.join(sharedDir, 'dtc-tests');

const hasShared = sharedOrExplain('native parity');
if (hasShared && !hasNative) explainSkip('native parity', `no native dtc 1.7.2 in ${nativeDir} (build it: bash scripts/build-dtc-wasm.sh --native ${nativeDir})`);

/** dtc's own search-path tests need their include folders. */
export function includeArgsFor(file: string): string[] {
  if (file.startsWith('search_paths_b')) return ['-i', 'search_dir_b', '-i', 'search_dir'];
  if (file.startsWith('search_paths')) return ['-i', 'search_dir'];
  return [];
}

/**
 * Native x86 dtc prints a string byte >= 0x80 in -O dts as a sign-extended escape ("\xffffffff"
 * for 0xff): a bug of native builds where char is signed. The wasm output ("\xff") is right.
 */
function undoSignExtension(dtsText: string): string {
  return dtsText.replace(/\\xffffff([89a-f][0-9a-f])/g, '\\x$1');
}

describe.runIf(hasShared && hasNative)('wasm dtc vs native dtc 1.7.2 on dtc-tests', () => {
  const inputs = hasShared ? fs.readdirSync(testsDir).filter((f) => f.endsWith('.dts')).sort() : [];
  const modes: [string, string[]][] = [
    ['-O dtb', ['-O', 'dtb']],
    ['-@ -O dtb', ['-@', '-O', 'dtb']],
    ['-O dts', ['-O', 'dts']],
  ];

  it('covers every input file', () => {
    expect(inputs.length).toBeGreaterThan(90);
  });

  for (const [label, mode] of modes) {
    it(`same status, stdout and stderr for every input in mode ${label}`, () => {
      const mismatches: string[] = [];
      let signExtended = 0;
      for (const file of inputs) {
        const args = ['-I', 'dts', ...mode, ...includeArgsFor(file), '-o', '-', file];
        const native = spawnSync(path.join(nativeDir, 'dtc'), args, { cwd: testsDir });
        const wasm = runTool('dtc', args, { cwd: testsDir });
        let nativeOut = native.stdout.toString('latin1');
        const wasmOut = wasm.stdout.toString('latin1');
        if (label === '-O dts' && nativeOut !== wasmOut && undoSignExtension(nativeOut) === wasmOut) {
          signExtended++;
          nativeOut = wasmOut;
        }
        if (native.status !== wasm.status || nativeOut !== wasmOut || native.stderr.toString() !== wasm.stderr.toString()) {
          mismatches.push(`${file}: status ${native.status} vs ${wasm.status}`);
        }
      }
      expect(mismatches).toEqual([]);
      // test01.dts holds the one string with a byte >= 0x80 in the suite (only -O dts prints it).
      expect(signExtended).toBe(label === '-O dts' ? 1 : 0);
    });
  }

  it('fdtoverlay applies each overlay_overlay*.dts onto overlay_base.dts with the same bytes', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fdtoverlay-parity-'));
    try {
      const compile = (src: string, out: string) => {
        const r = runTool('dtc', ['-@', '-I', 'dts', '-O', 'dtb', '-o', path.join(work, out), src], { cwd: testsDir });
        expect(r.status, r.stderr.toString()).toBe(0);
      };
      compile('overlay_base.dts', 'base.dtb');
      const overlays = fs.readdirSync(testsDir).filter((f) => /^overlay_overlay.*\.dts$/.test(f)).sort();
      expect(overlays.length).toBeGreaterThan(5);
      const mismatches: string[] = [];
      for (const overlay of overlays) {
        compile(overlay, `${overlay}.dtbo`);
        const args = (out: string) => ['-i', 'base.dtb', '-o', out, `${overlay}.dtbo`];
        const native = spawnSync(path.join(nativeDir, 'fdtoverlay'), args('native.dtb'), { cwd: work });
        const wasm = runTool('fdtoverlay', args('wasm.dtb'), { cwd: work });
        const nativeBytes = native.status === 0 ? fs.readFileSync(path.join(work, 'native.dtb')) : undefined;
        const wasmBytes = wasm.status === 0 ? fs.readFileSync(path.join(work, 'wasm.dtb')) : undefined;
        if (native.status !== wasm.status || (nativeBytes && wasmBytes && Buffer.compare(nativeBytes, wasmBytes) !== 0)) {
          mismatches.push(overlay);
        }
        fs.rmSync(path.join(work, 'native.dtb'), { force: true });
        fs.rmSync(path.join(work, 'wasm.dtb'), { force: true });
      }
      expect(mismatches).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
