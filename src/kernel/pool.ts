/**
 * Running kernel jobs on worker_threads. The worker is this same bundle (dist/cli.js) started with
 * the hidden `__kernel-worker` command, so the package ships one file. When the code runs from
 * TypeScript sources (tests) the built bundle is used if present, else jobs run in this thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelJob, KernelJobResult } from './job.js';

export const WORKER_COMMAND = '__kernel-worker';

interface JobMessage {
  id: number;
  job: KernelJob;
}
type ResultMessage = { id: number; result: KernelJobResult } | { id: number; error: string };

/** The script a worker runs: the bundle we are, or the repository's built bundle. */
export function workerScript(): string | undefined {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.js') && path.basename(self) === 'cli.js') return self;
  const built = path.resolve(path.dirname(self), '../../dist/cli.js');
  return fs.existsSync(built) ? built : undefined;
}

export async function runJobs(
  jobs: KernelJob[],
  threads: number,
  onDone: (result: KernelJobResult, done: number) => void,
): Promise<KernelJobResult[]> {
  const results: KernelJobResult[] = new Array(jobs.length);
  let done = 0;
  const script = workerScript();
  if (threads <= 1 || !script || jobs.length <= 1) {
    const { runKernelJob } = await import('./job.js');
    for (let i = 0; i < jobs.length; i++) {
      results[i] = await runKernelJob(jobs[i]);
      onDone(results[i], ++done);
    }
    return results;
  }
  const { Worker } = await import('node:worker_threads');
  let next = 0;
  const count = Math.min(threads, jobs.length);
  const crashed = (id: number, why: string): KernelJobResult => ({
    name: jobs[id].target.name,
    diagnostics: [{ rule: 'internal/crash', severity: 'error', message: `checking ${jobs[id].target.name} failed: ${why}` }],
    stages: [],
    ms: 0,
    dependencies: [],
  });
  await Promise.all(
    Array.from({ length: count }, () => {
      const worker = new Worker(script, { argv: [WORKER_COMMAND], stdout: false, stderr: false });
      let inFlight = -1;
      return new Promise<void>((resolve) => {
        const feed = () => {
          if (next >= jobs.length) {
            inFlight = -1;
            void worker.terminate().then(() => resolve());
            return;
          }
          inFlight = next++;
          const message: JobMessage = { id: inFlight, job: jobs[inFlight] };
          worker.postMessage(message);
        };
        worker.on('message', (msg: ResultMessage) => {
          results[msg.id] = 'error' in msg ? crashed(msg.id, msg.error) : msg.result;
          onDone(results[msg.id], ++done);
          feed();
        });
        // A worker that dies (out of memory, a bug) fails its job; the other workers go on, and
        // jobs nobody took are run in this thread below.
        worker.on('error', (err) => {
          if (inFlight >= 0 && !results[inFlight]) {
            results[inFlight] = crashed(inFlight, err.message);
            onDone(results[inFlight], ++done);
          }
          inFlight = -1;
          resolve();
        });
        feed();
      });
    }),
  );
  if (results.filter(Boolean).length < jobs.length) {
    const { runKernelJob } = await import('./job.js');
    for (let i = 0; i < jobs.length; i++) {
      if (results[i]) continue;
      results[i] = await runKernelJob(jobs[i]);
      onDone(results[i], ++done);
    }
  }
  return results;
}

/** The worker side: answer jobs until the parent terminates us. */
export async function serveKernelWorker(): Promise<number> {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) {
    process.stderr.write(`dtoverlay-check: ${WORKER_COMMAND} is internal (a worker thread of \`kernel\`)\n`);
    return 2;
  }
  const { runKernelJob } = await import('./job.js');
  const port = parentPort;
  // Jobs arrive one at a time (the parent feeds a worker when it answers), so no queue is needed.
  port.on('message', (msg: JobMessage) => {
    runKernelJob(msg.job).then(
      (result) => port.postMessage({ id: msg.id, result } satisfies ResultMessage),
      (err: unknown) => port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies ResultMessage),
    );
  });
  return new Promise<number>(() => {});
}
