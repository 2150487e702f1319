/**
 * The real dtc and fdtoverlay 1.7.2, built to WebAssembly (vendor/dtc-wasm/, see SOURCE.md there),
 * run in-process: arguments in, files and captured output out.
 *
 * Each module is compiled once per process; every run gets a fresh instance, because a reused
 * instance keeps the exited program's libc state and silently writes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WasiHost } from './wasi-host.js';

export type BundledTool = 'dtc' | 'fdtoverlay';

export interface ToolRunOptions {
  /** Working directory of the program (default: process.cwd()). */
  cwd?: string;
  /** Bytes on the program's stdin, or 'inherit' for the host's stdin. */
  stdin?: Uint8Array | string | 'inherit';
  /** Pass output straight through to this process's stdout/stderr instead of only capturing it. */
  echo?: boolean;
}

export interface ToolRunResult {
  /** Exit status; 134 when the program aborted or trapped inside WebAssembly. */
  status: number;
  stdout: Buffer;
  stderr: Buffer;
}

const modules = new Map<BundledTool, WebAssembly.Module>();

/** The folder holding the .wasm files: found upward from this module (works from src/ and dist/). */
export function wasmDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'vendor', 'dtc-wasm');
    if (fs.existsSync(path.join(candidate, 'dtc.wasm'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('bundled dtc WebAssembly modules not found (vendor/dtc-wasm/dtc.wasm)');
    dir = parent;
  }
}

function moduleFor(tool: BundledTool): WebAssembly.Module {
  let mod = modules.get(tool);
  if (!mod) {
    mod = new WebAssembly.Module(fs.readFileSync(path.join(wasmDir(), `${tool}.wasm`)));
    modules.set(tool, mod);
  }
  return mod;
}

/** Runs the bundled `tool` with `args` (argv[0] is added) and returns its status and output. */
export function runTool(tool: BundledTool, args: string[], opts: ToolRunOptions = {}): ToolRunResult {
  let mod: WebAssembly.Module;
  try {
    mod = moduleFor(tool);
  } catch (err) {
    return failure(`${tool}: cannot load the bundled WebAssembly module: ${(err as Error).message}\n`);
  }
  return runModule(mod, tool, args, opts);
}

/** Runs any WASI command module as program `name`; exposed for tests of the crash handling. */
export function runModule(mod: WebAssembly.Module, tool: string, args: string[], opts: ToolRunOptions = {}): ToolRunResult {
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const stdin = typeof opts.stdin === 'string' && opts.stdin !== 'inherit' ? Buffer.from(opts.stdin) : opts.stdin;
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  if (!isDirectory(cwd)) {
    return failure(`${tool}: working directory ${cwd} is not a readable folder\n`);
  }
  const host = new WasiHost({
    args: [tool, ...args],
    cwd,
    stdin: stdin as Uint8Array | 'inherit' | undefined,
    onStdout: (chunk) => {
      stdout.push(chunk);
      if (opts.echo) fs.writeSync(1, chunk);
    },
    onStderr: (chunk) => {
      stderr.push(chunk);
      if (opts.echo) fs.writeSync(2, chunk);
    },
  });
  let status: number;
  try {
    const instance = new WebAssembly.Instance(mod, host.imports());
    status = host.start(instance);
  } catch (err) {
    // abort(), an out-of-bounds access or a stack overflow inside the program: report it, like a
    // native crash would be reported by the shell, but as a message rather than a Node stack.
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const message = Buffer.from(`${tool}: internal error: the program crashed inside WebAssembly (${what})\n`);
    stderr.push(message);
    if (opts.echo) fs.writeSync(2, message);
    status = 134;
  }
  return { status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function failure(message: string): ToolRunResult {
  return { status: 1, stdout: Buffer.alloc(0), stderr: Buffer.from(message) };
}

export const runDtc = (args: string[], opts?: ToolRunOptions): ToolRunResult => runTool('dtc', args, opts);
export const runFdtoverlay = (args: string[], opts?: ToolRunOptions): ToolRunResult => runTool('fdtoverlay', args, opts);
