/**
 * Kernel-layout trees for the kernel-mode tests, assembled in a temporary folder:
 *  - `linkedKernelTree`: ../shared/kernel-dt as a kernel tree (src/arm64/qcom as
 *    arch/arm64/boot/dts/qcom, src/arm as arch/arm/boot/dts, include/ copied; Bindings linked as
 *    Documentation/devicetree/bindings), plus the qcom Makefile of ../shared/corpus/linux;
 *  - `gitCorpusCopy`: a real copy of ../shared/corpus/linux committed to a fresh git repository.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedDir } from '../support/shared.js';

export const kernelDt = path.join(sharedDir, 'kernel-dt');
export const corpusLinux = path.join(sharedDir, 'corpus/linux');
export const qcomMakefile = path.join(corpusLinux, 'arch/arm64/boot/dts/qcom/Makefile');

export function linkedKernelTree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-kernel-'));
  const qcom = path.join(root, 'arch/arm64/boot/dts/qcom');
  fs.mkdirSync(qcom, { recursive: true });
  // Copies, not links: the include sandbox lets includes read only inside the tree (real paths).
  fs.cpSync(path.join(kernelDt, 'src/arm64/qcom'), qcom, { recursive: true });
  fs.copyFileSync(qcomMakefile, path.join(qcom, 'Makefile'));
  fs.cpSync(path.join(kernelDt, 'include'), path.join(root, 'include'), { recursive: true });
  // arm64 boards include <arm/cros-ec-keyboard.dtsi>: arch/arm/boot/dts is src/arm.
  fs.cpSync(path.join(kernelDt, 'src/arm'), path.join(root, 'arch/arm/boot/dts'), { recursive: true });
  fs.mkdirSync(path.join(root, 'Documentation/devicetree'), { recursive: true });
  fs.symlinkSync(path.join(kernelDt, 'Bindings'), path.join(root, 'Documentation/devicetree/bindings'));
  return root;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=dtoverlay-check tests', '-c', 'user.email=tests@invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A git repository holding a copy of corpus/linux; `omit` paths are left out of the first commit. */
export function gitCorpusCopy(omit: string[] = []): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-corpus-'));
  fs.cpSync(corpusLinux, root, { recursive: true });
  for (const rel of omit) fs.rmSync(path.join(root, rel), { force: true });
  for (const f of walk(root)) fs.chmodSync(f, 0o644);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'corpus');
  return root;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
