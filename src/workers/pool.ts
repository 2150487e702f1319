/**
 * Jobs on worker_threads. A worker is the CLI's unsplit bundle (dist/worker.js) started with the
 * hidden `__worker` argument. Each job names its kind; the worker runs the function its entry point
 * registered for that kind (`serveWorker(runners)`, src/cli/main.ts) and posts the result back. The
 * pool itself knows no kinds: the caller names one and gives the function that runs it here, used
 * when no worker runs (one thread, or from TypeScript sources without a built bundle).
 *
 * A worker keeps its caches (preprocessed headers, compiled schemas) from one job to the next, which
 * is why jobs are fed one at a time to whichever worker is free rather than split up front.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKER_ARGUMENT = '__worker';
/** What one worker may hold at its peak (measured: about 500 MB compiling the qcom boards). */
const WORKER_MEMORY_BYTES = 768 * 2 ** 20;

/**
 * Workers to start by default: one per CPU, but no more than the memory available now can hold
 * (a 16-CPU laptop with 8 GB must not start 16), and at least one.
 */
export function defaultWorkerCount(cpus = os.availableParallelism(), freeBytes = os.freemem()): number {
  return Math.max(1, Math.min(cpus, Math.floor(freeBytes / WORKER_MEMORY_BYTES)));
}

/** Runs one job of a kind; loaded lazily, in the worker or in this thread. */
export type JobRunner<J = never, R = unknown> = (job: J) => Promise<R>;
/** The job kinds a worker answers, by name: registered by the entry point that starts workers. */
export type JobRunners = Record<string, () => Promise<JobRunner<never>>>;

interface JobMessage<J> {
  id: number;
  kind: string;
  job: J;
}
type ResultMessage = { id: number; result: unknown } | { id: number; error: string };

/**
 * The script a worker runs: the unsplit bundle dist/worker.js (scripts/build.mjs), beside this
 * module's chunk in dist/, or the repository's built one when running from src/.
 */
export function workerScript(): string | undefined {
  const self = fileURLToPath(import.meta.url);
  const here = path.dirname(self);
  const built = path.basename(here) === 'dist' ? path.join(here, 'worker.js') : path.resolve(here, '../../dist/worker.js');
  return fs.existsSync(built) ? built : undefined;
}

export interface PoolOptions<J, R> {
  /** The kind's name, as registered with `serveWorker` in the worker. */
  kind: string;
  jobs: J[];
  threads: number;
  /** The same kind's function, for jobs run in this thread. */
  runHere: () => Promise<JobRunner<J, R>>;
  /**
   * Each worker's semi-space in MB (V8's default: 16), for jobs whose results live through several
   * young-generation collections at the default size. It costs memory: the young generation is
   * three of them per worker.
   */
  semiSpaceMb?: number;
  /** Called once per job, in the order jobs finish. */
  onDone: (result: R, index: number, done: number) => void;
  /** The result recorded for a job whose worker died (out of memory, a bug). */
  crashed: (job: J, why: string) => R;
}

/** Runs every job, on up to `threads` workers, and returns the results in job order. */
export async function runPool<J, R>(options: PoolOptions<J, R>): Promise<R[]> {
  const { kind, jobs, threads, onDone, crashed } = options;
  type Result = R;
  const results: Result[] = new Array(jobs.length);
  const finished: boolean[] = new Array(jobs.length).fill(false);
  let done = 0;
  const finish = (i: number, r: Result): void => {
    results[i] = r;
    finished[i] = true;
    onDone(r, i, ++done);
  };
  const script = workerScript();
  if (threads > 1 && script && jobs.length > 1) {
    const { Worker } = await import('node:worker_threads');
    // read by each new isolate
    if (options.semiSpaceMb) (await import('node:v8')).setFlagsFromString(`--max-semi-space-size=${options.semiSpaceMb}`);
    let next = 0;
    const count = Math.min(threads, jobs.length);
    await Promise.all(
      Array.from({ length: count }, () => {
        const worker = new Worker(script, { argv: [WORKER_ARGUMENT], stdout: false, stderr: false });
        let inFlight = -1;
        return new Promise<void>((resolve) => {
          const feed = () => {
            if (next >= jobs.length) {
              inFlight = -1;
              void worker.terminate().then(() => resolve());
              return;
            }
            inFlight = next++;
            worker.postMessage({ id: inFlight, kind, job: jobs[inFlight] } satisfies JobMessage<J>);
          };
          worker.on('message', (msg: ResultMessage) => {
            // the worker gets its next job before this thread handles the result (compile writes
            // and fsyncs outputs there): it should not wait idle for that
            feed();
            finish(msg.id, 'error' in msg ? crashed(jobs[msg.id], msg.error) : (msg.result as Result));
          });
          // A worker that dies fails its job; the other workers go on, and jobs nobody took are
          // run in this thread below.
          worker.on('error', (err) => {
            if (inFlight >= 0 && !finished[inFlight]) finish(inFlight, crashed(jobs[inFlight], err.message));
            inFlight = -1;
            resolve();
          });
          feed();
        });
      }),
    );
  }
  if (done < jobs.length) {
    const run = await options.runHere();
    for (let i = 0; i < jobs.length; i++) if (!finished[i]) finish(i, await run(jobs[i]));
  }
  return results;
}

/** The worker side: answer jobs until the parent terminates us. */
export async function serveWorker(runners: JobRunners): Promise<number> {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) {
    process.stderr.write(`dtoverlay-check: ${WORKER_ARGUMENT} is internal (a worker thread of \`kernel\` and \`compile\`)\n`);
    return 2;
  }
  const port = parentPort;
  // Jobs arrive one at a time (the parent feeds a worker when it answers), so no queue is needed.
  port.on('message', (msg: JobMessage<never>) => {
    const load = runners[msg.kind] ?? (() => Promise.reject(new Error(`no job kind ${JSON.stringify(msg.kind)} in this worker`)));
    load()
      .then((run) => run(msg.job))
      .then(
        (result) => port.postMessage({ id: msg.id, result } satisfies ResultMessage),
        (err: unknown) => port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies ResultMessage),
      );
  });
  return new Promise<number>(() => {});
}
