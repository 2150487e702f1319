/**
 * One input of a `compile` run as a job a worker thread can take (src/workers/pool.ts): plain data
 * in, plain data out, so it crosses postMessage. The worker keeps one session for all its jobs, so
 * the headers every board includes are read and tokenised once per worker.
 */
import { compile, newSession, type CompileSession } from './compile.js';
import type { CompileOptions } from './options.js';

export interface CompileJob {
  /** The input's name as given (or `<stdin>`), and its text when it was read from stdin. */
  file: string;
  text?: string;
  options: CompileOptions;
}

export interface CompileJobResult {
  exitCode: number;
  /** dtc's stderr for this input, exactly. */
  stderr: string;
  output?: Uint8Array;
  dependencies: string[];
}

let workerSession: CompileSession | undefined;

export async function runCompileJob(job: CompileJob, session?: CompileSession): Promise<CompileJobResult> {
  session ??= workerSession ??= newSession();
  const r = await compile({ file: job.file, text: job.text }, job.options, session);
  return { exitCode: r.exitCode, stderr: r.stderr, output: r.output, dependencies: r.dependencies };
}
