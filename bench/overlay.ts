/** Issue 4: applying overlays, against fdtoverlay (and the whole cpp|dtc + fdtoverlay path). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOverlays } from '../src/overlay/apply.js';
import { appliedBlob, readBlobForOverlay } from '../src/overlay/blob.js';
import { runTool } from '../src/dtc-wasm/index.js';
import { preprocessWithCpp } from './dtc-wasm.js';
import { cli, nativeDtc, nativeFdtoverlay, sharedDir, timeIt, timeProcess, type Row } from './lib.js';

const qcom = 'arch/arm64/boot/dts/qcom';

export async function benchOverlay(): Promise<Row[]> {
  const rows: Row[] = [];
  const section = 'overlay apply (#4)';
  const linux = path.join(sharedDir, 'corpus/linux');
  if (!fs.existsSync(linux)) return rows;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-overlay-'));
  try {
    const basePre = preprocessWithCpp(`${qcom}/lemans-evk.dts`, work);
    const overlayPre = preprocessWithCpp(`${qcom}/lemans-el2.dtso`, work);
    if (!basePre || !overlayPre) return rows;
    const base = path.join(work, 'base.dtb');
    const overlay = path.join(work, 'el2.dtbo');
    runTool('dtc', ['-@', '-b', '0', '-O', 'dtb', '-o', base, basePre]);
    runTool('dtc', ['-@', '-b', '0', '-O', 'dtb', '-o', overlay, overlayPre]);
    const baseBytes = fs.readFileSync(base);
    const overlayBytes = fs.readFileSync(overlay);

    const fdtoverlayArgs = ['-i', base, '-o', path.join(work, 'ref.dtb'), overlay];
    rows.push({
      section,
      case: 'lemans-evk + lemans-el2, blob to blob, in-process',
      ours: timeIt(() => {
        appliedBlob(applyOverlays(readBlobForOverlay(baseBytes), [{ tree: readBlobForOverlay(overlayBytes), name: 'el2' }]));
      }, 9),
      reference: nativeFdtoverlay ? timeProcess(nativeFdtoverlay, fdtoverlayArgs, { runs: 9 }) : undefined,
      referenceLabel: 'native fdtoverlay process',
    });
    rows.push({
      section,
      case: 'same, wasm fdtoverlay in-process (for scale)',
      ours: timeIt(() => runTool('fdtoverlay', fdtoverlayArgs), 9),
      reference: nativeFdtoverlay ? timeProcess(nativeFdtoverlay, fdtoverlayArgs, { runs: 9 }) : undefined,
      referenceLabel: 'native fdtoverlay process',
    });

    // Whole path from sources: our one process vs cpp|dtc (twice) + fdtoverlay as the kernel runs them.
    const ours = spawnSync(process.execPath, [cli, 'apply', '--cpp', '-i', 'include', '-i', qcom, `${qcom}/lemans-evk.dts`, `${qcom}/lemans-el2.dtso`, '-o', path.join(work, 'ours.dtb')], { cwd: linux });
    const cppFlags = ['-nostdinc', '-I', 'include', '-I', qcom, '-undef', '-D__DTS__', '-x', 'assembler-with-cpp'];
    const referencePath = () => {
      for (const [src, out] of [[`${qcom}/lemans-evk.dts`, 'b.dtb'], [`${qcom}/lemans-el2.dtso`, 'o.dtbo']]) {
        const pre = spawnSync('cpp', [...cppFlags, src], { cwd: linux, maxBuffer: 1 << 28 });
        const dtc = spawnSync(nativeDtc!, ['-@', '-b', '0', '-q', '-o', path.join(work, out), '-'], { input: pre.stdout });
        if (dtc.status !== 0) throw new Error('dtc failed');
      }
      spawnSync(nativeFdtoverlay!, ['-i', path.join(work, 'b.dtb'), '-o', path.join(work, 'r.dtb'), path.join(work, 'o.dtbo')]);
    };
    rows.push({
      section,
      case: 'lemans-evk + lemans-el2 from sources (cpp, compile, apply), CLI',
      ours:
        ours.status === 0
          ? timeProcess(process.execPath, [cli, 'apply', '--cpp', '-q', '-i', 'include', '-i', qcom, `${qcom}/lemans-evk.dts`, `${qcom}/lemans-el2.dtso`, '-o', path.join(work, 'ours.dtb')], { cwd: linux })
          : undefined,
      reference: nativeDtc && nativeFdtoverlay ? timeIt(referencePath, 5) : undefined,
      referenceLabel: 'cpp|dtc ×2 + fdtoverlay processes',
      note: ours.status === 0 ? "goal ≤ 1.5×; Node's start included" : `apply --cpp failed: ${ours.stderr.toString().split('\n')[0]}`,
    });
    // The same work in a process whose JIT is warm: what the cold CLI row pays is start-up, not the path.
    const { loadTree } = await import('../src/overlay/inputs.js');
    const sourceOptions = { cpp: true, includeDirs: [path.join(linux, 'include'), path.join(linux, qcom)], defines: [] };
    const sourcePath = async (): Promise<void> => {
      const base = await loadTree(path.join(linux, qcom, 'lemans-evk.dts'), sourceOptions);
      const overlay = await loadTree(path.join(linux, qcom, 'lemans-el2.dtso'), sourceOptions);
      appliedBlob(applyOverlays(base.tree, [{ tree: overlay.tree, name: 'lemans-el2.dtso' }]));
    };
    for (let i = 0; i < 8; i++) await sourcePath();
    const samples: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = process.hrtime.bigint();
      await sourcePath();
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push({
      section,
      case: '  the same path in-process, JIT warm (no Node start)',
      ours: samples.sort((a, b) => a - b)[4],
      reference: nativeDtc && nativeFdtoverlay ? timeIt(referencePath, 5) : undefined,
      referenceLabel: 'cpp|dtc ×2 + fdtoverlay processes',
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
