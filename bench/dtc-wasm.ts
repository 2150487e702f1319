/** Issue 2: the bundled wasm dtc against a native dtc 1.7.2 built from the same source. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTool } from '../src/dtc-wasm/index.js';
import { cli, nativeDtc, sharedDir, timeIt, timeProcess, type Row } from './lib.js';

export function generatedTree(count: number): string {
  const lines = ['/dts-v1/;', '/ {', '\t#address-cells = <1>;', '\t#size-cells = <0>;'];
  for (let g = 0; g * 200 < count; g++) {
    lines.push(`\tgroup@${g.toString(16)} {`, '\t\t#address-cells = <1>;', '\t\t#size-cells = <0>;', `\t\treg = <${g}>;`);
    for (let i = 0; i < 200 && g * 200 + i < count; i++) lines.push(`\t\tnode@${i.toString(16)} { reg = <${i}>; name-${i % 7} = "n${g}-${i}"; };`);
    lines.push('\t};');
  }
  return lines.concat(['};', '']).join('\n');
}

/** GNU cpp output of a corpus board, as the kernel build preprocesses it. */
export function preprocessWithCpp(board: string, work: string): string | undefined {
  const linux = path.join(sharedDir, 'corpus/linux');
  const out = path.join(work, `${path.basename(board)}.tmp`);
  try {
    execFileSync('cpp', ['-nostdinc', '-I', 'include', '-I', 'arch/arm64/boot/dts/qcom', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-o', out, board], { cwd: linux, stdio: 'ignore' });
    return out;
  } catch {
    return undefined;
  }
}

export function benchDtcWasm(): Row[] {
  const rows: Row[] = [];
  const section = 'wasm dtc (#2)';
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dtc-'));
  try {
    const small = path.join(work, 'small.dts');
    fs.writeFileSync(small, '/dts-v1/;\n/ { compatible = "x"; node@1 { reg = <1>; }; };\n');
    rows.push({
      section,
      case: 'cold CLI, small file (-O dtb)',
      ours: timeProcess(process.execPath, [cli, 'dtc', '-O', 'dtb', '-o', '/dev/null', small], { runs: 7 }),
      reference: nativeDtc ? timeProcess(nativeDtc, ['-O', 'dtb', '-o', '/dev/null', small], { runs: 7 }) : undefined,
      referenceLabel: 'native dtc process',
      note: "Node's start included",
    });
    for (const board of ['lemans-evk', 'qcs9100-ride', 'qcs9100-ride-r3']) {
      const pre = preprocessWithCpp(`arch/arm64/boot/dts/qcom/${board}.dts`, work);
      if (!pre) continue;
      const args = ['-@', '-b', '0', '-O', 'dtb', '-o', '/dev/null', pre];
      rows.push({
        section,
        case: `${board} (preprocessed), in-process`,
        ours: timeIt(() => runTool('dtc', args), 5),
        reference: nativeDtc ? timeProcess(nativeDtc, args) : undefined,
        referenceLabel: 'native dtc process',
      });
    }
    const big = path.join(work, 'big.dts');
    fs.writeFileSync(big, generatedTree(20_000));
    const bigArgs = ['-O', 'dtb', '-o', '/dev/null', big];
    rows.push({
      section,
      case: 'generated 20,000-node tree, in-process',
      ours: timeIt(() => runTool('dtc', bigArgs), 3),
      reference: nativeDtc ? timeProcess(nativeDtc, bigArgs, { runs: 3 }) : undefined,
      referenceLabel: 'native dtc process',
    });
    rows.push({
      section,
      case: 'generated 20,000-node tree, CLI',
      ours: timeProcess(process.execPath, [cli, 'dtc', ...bigArgs], { runs: 3 }),
      reference: nativeDtc ? timeProcess(nativeDtc, bigArgs, { runs: 3 }) : undefined,
      referenceLabel: 'native dtc process',
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
