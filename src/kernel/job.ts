/** One kernel target checked: what a worker thread does for each job. */
import { newSession, type CompileSession } from '../compile/index.js';
import type { Diagnostic } from '../diagnostics.js';
import type { StageResult } from '../report/types.js';
import { defaultCheckOptions } from '../pipeline/options.js';
import type { KernelTarget } from './targets.js';

export interface KernelJob {
  target: KernelTarget;
  includeDirs: string[];
  /** The tree's root: its include-prefix links point into it (include sandbox). */
  sandboxRoots: string[];
  bindings: string[];
  coreSchemas?: string;
  soc?: string;
  el?: 1 | 2;
}

export interface KernelJobResult {
  name: string;
  diagnostics: Diagnostic[];
  stages: StageResult[];
  ms: number;
  dependencies: string[];
}

let session: CompileSession | undefined;

export async function runKernelJob(job: KernelJob): Promise<KernelJobResult> {
  const start = performance.now();
  const { runCheck } = await import('../pipeline/run.js');
  const [base, ...overlays] = job.target.sources;
  const options = defaultCheckOptions(base, overlays);
  options.cpp = true;
  options.includeDirs = job.includeDirs;
  options.sandboxRoots = job.sandboxRoots;
  options.checkFlags = job.target.checkFlags;
  options.bindings = job.bindings;
  options.coreSchemas = job.coreSchemas;
  options.soc = job.soc;
  options.el = job.el;
  // One session per thread: shared headers (dt-bindings, the SoC .dtsi) are read and preprocessed once.
  session ??= newSession();
  options.session = session;
  const { report, dependencies } = await runCheck(options);
  return { name: job.target.name, diagnostics: report.diagnostics, stages: report.stages, ms: Math.round(performance.now() - start), dependencies };
}
