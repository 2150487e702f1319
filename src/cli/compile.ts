/**
 * `dtoverlay-check compile …`: dtc's command line, several inputs in one process with
 * `--out-dir`, outputs written to a temporary file and renamed into place only on success.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputError, writeOutput } from './output.js';
import { EXIT_INPUT_ERROR, guessOutputFormat, newSession } from '../compile/compile.js';
import { runCompileJob, type CompileJob, type CompileJobResult } from '../compile/job.js';
import { defaultWorkerCount } from '../workers/pool.js';
import { parseCompileArgs, UsageError, type CompileOptions } from '../compile/options.js';
import { expectLongRun } from '../tiering.js';
import { reportFailure } from './failure.js';

/** From this many inputs on, `--out-dir` runs use worker threads unless `--jobs` says otherwise. */
const PARALLEL_FROM = 8;

const USAGE = `Usage: dtoverlay-check compile [options] <input file>...

Options (as dtc 1.7.2):
  -I, --in-format <dts|dtb|fs>  input format (guessed from the file; a folder is fs)
  -O, --out-format <dtb|dts|json|asm>
  -o, --out <file>              output file (default stdout)
  -V, --out-version <n>         blob version (default 17)
  -d, --out-dependency <file>   write a make dependency file
  -R, --reserve <n>             extra memory reservation slots
  -S, --space <n>               minimum blob size
  -p, --pad <n>                 padding after the blob
  -a, --align <n>               align the blob size
  -b, --boot-cpu <n>            boot CPU id in the header
  -i, --include <dir>           search folder for /include/, /incbin/ and #include
  -H, --phandle <legacy|epapr|both>
  -s, --sort                    sort nodes and properties
  -W, --warning [no-]<check>    enable/disable a check as warning
  -E, --error [no-]<check>      enable/disable a check as error
  -@, --symbols                 generate __symbols__
  -L, --local-fixups            generate __fixups__/__local_fixups__
  -A, --auto-alias              generate aliases from labels
  -T, --annotate                annotate -O dts output with source positions (-TT: more)
  -f, --force                   write output even when checks fail
  -q, --quiet                   fewer messages (repeat for fewer)
  -v, --version                 print the version and exit
  -h, --help                    print this help and exit

Options of our own:
      --out-dir <dir>           one output per input in <dir>
      --jobs <n>                worker threads for several inputs (default: one per CPU,
                                as memory allows, from ${PARALLEL_FROM} inputs on; 1 = none)
      --cpp                     run the C preprocessor first (kernel style)
  -D, --define <NAME[=V]>       preprocessor definition
      --limit <name=value>      change a resource limit, e.g. node-depth=8192
                                (repeatable; docs/security.md)
      --allow-outside-includes  let #include, /include/ and /incbin/ read outside
                                the input folders and -i folders
      --diagnostics <dtc|gcc>   input errors as dtc prints them (default: "Error: f.dts:3.1-9 …",
                                "FATAL ERROR: …"), or gcc-style "f.dts:3:1: error: …" with the
                                source line under it
`;


function outputNameFor(input: string, outDir: string, format: 'dtb' | 'dts' | 'json' | 'asm'): string {
  const base = path.basename(input);
  const stem = base.replace(/\.(dtso|dts|dtsi|dtbo|dtb|tmp)$/i, '');
  const overlay = /\.dtso$/i.test(base) || /\.dtbo$/i.test(base);
  const ext = format === 'dtb' ? (overlay ? '.dtbo' : '.dtb') : format === 'dts' ? (overlay ? '.dtso' : '.dts') : format === 'asm' ? '.S' : '.json';
  return path.join(outDir, stem + ext);
}

/** `compile ARGS`: its exit status, any failure reported in one line (never a stack trace). */
export async function compileCommand(args: string[]): Promise<number> {
  try {
    return await runCompileCli(args);
  } catch (err) {
    return reportFailure(err);
  }
}

export async function runCompileCli(args: string[]): Promise<number> {
  let options: CompileOptions;
  try {
    options = parseCompileArgs(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`Error: ${err.message}\n${USAGE}`);
      return EXIT_INPUT_ERROR;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.showVersion) {
    process.stdout.write('Version: DTC 1.7.2 (dtoverlay-check)\n');
    return 0;
  }
  if (options.inputs.length === 0) options.inputs.push('-');
  if (options.inputs.length > 1 && !options.outDir) {
    process.stderr.write(`Error: several inputs need --out-dir\n${USAGE}`);
    return EXIT_INPUT_ERROR;
  }
  if (options.outDir) fs.mkdirSync(options.outDir, { recursive: true });

  let status = 0;
  // One input's messages and outputs, delivered in input order whichever thread compiled it.
  const deliver = async (input: string, result: CompileJobResult): Promise<void> => {
    process.stderr.write(result.stderr);
    if (result.exitCode !== 0 || !result.output) {
      if (status === 0) status = result.exitCode || EXIT_INPUT_ERROR;
      return;
    }
    const inputs = [input, ...result.dependencies];
    // like dtc's die() on an output it cannot open: one line, status 1, and the next input goes on
    const write = async (out: string, bytes: Uint8Array): Promise<void> => {
      try {
        await writeOutput(out, bytes, { inputs });
      } catch (err) {
        if (!(err instanceof OutputError)) throw err;
        process.stderr.write(`FATAL ERROR: ${err.message}\n`);
        if (status === 0) status = EXIT_INPUT_ERROR;
      }
    };
    if (options.depFile && options.inputs.length === 1) {
      const escape = (p: string): string => p.replace(/ /g, '\\ ');
      const line = `${escape(options.outFile)}:${result.dependencies.map((d) => ` ${escape(d)}`).join('')}\n`;
      await write(options.depFile, Buffer.from(line));
    }
    if (options.outDir) {
      const format = options.outputFormat ?? guessOutputFormat(options.outFile, options.inputFormat ?? 'dts');
      await write(outputNameFor(input, options.outDir, format), result.output);
    } else if (options.outFile === '-') {
      process.stdout.write(result.output);
    } else {
      await write(options.outFile, result.output);
    }
  };

  const jobOptions: CompileOptions = { ...options, inputs: [] };
  const jobs: CompileJob[] = options.inputs.map((input) =>
    input === '-' ? { file: '<stdin>', text: fs.readFileSync(0).toString('latin1'), options: jobOptions } : { file: input, options: jobOptions },
  );
  // a batch the size that gets workers: the optimizing compiler pays back. A few boards stay cold:
  // three lemans boards took 0.75 s CPU without TurboFan, 1.17 s with it.
  if (jobs.length >= PARALLEL_FROM) expectLongRun();
  const threads = Math.min(options.jobs ?? (jobs.length >= PARALLEL_FROM ? defaultWorkerCount() : 1), jobs.length);
  if (threads > 1) {
    // results arrive as workers finish; hold them until every earlier input is delivered
    const held = new Map<number, CompileJobResult>();
    let nextToDeliver = 0;
    // one delivery at a time (outputs are written asynchronously), in input order
    let delivered = Promise.resolve();
    const { runPool } = await import('../workers/pool.js');
    await runPool({
      kind: 'compile',
      jobs,
      threads,
      // Each board's tree lives through several young-generation collections at V8's default
      // 16 MB: 64 MB cut the CPU of compiling all 332 qcom boards on two workers by about 15%.
      semiSpaceMb: 64,
      runHere: async () => runCompileJob,
      onDone: (result, index) => {
        held.set(index, result);
        for (let r = held.get(nextToDeliver); r; r = held.get(nextToDeliver)) {
          held.delete(nextToDeliver);
          const input = options.inputs[nextToDeliver]!;
          delivered = delivered.then(() => deliver(input, r));
          nextToDeliver++;
        }
      },
      crashed: (job, why) => ({ exitCode: EXIT_INPUT_ERROR, stderr: `FATAL ERROR: compiling ${job.file} failed: ${why}\n`, dependencies: [] }),
    });
    await delivered;
    return status;
  }
  const session = newSession();
  for (let i = 0; i < jobs.length; i++) {
    const result = await runCompileJob(jobs[i]!, session);
    await deliver(options.inputs[i]!, result);
  }
  return status;
}
