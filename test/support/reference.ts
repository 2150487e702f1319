/**
 * The oracle of every differential test: the bundled WebAssembly dtc / fdtoverlay 1.7.2.
 * No native dtc is needed on the machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTool, type BundledTool } from '../../src/dtc-wasm/index.js';

export interface ReferenceOptions {
  /** Folder to run in. Default: a fresh temporary folder holding `files`. */
  cwd?: string;
  /** Files to create (relative names) in a fresh temporary folder, which becomes the cwd unless `cwd` is given. */
  files?: Record<string, string | Uint8Array>;
  stdin?: string | Uint8Array;
}

export interface ReferenceResult {
  status: number;
  stdout: string;
  stderr: string;
  /** Files the run created or changed in the temporary folder, by relative name. */
  outputs: Record<string, Uint8Array>;
}

function runReference(tool: BundledTool, args: string[], opts: ReferenceOptions = {}): ReferenceResult {
  const useTemp = opts.files !== undefined || opts.cwd === undefined;
  const temp = useTemp ? fs.mkdtempSync(path.join(os.tmpdir(), `ref-${tool}-`)) : undefined;
  try {
    const before = new Map<string, string>();
    if (temp) {
      for (const [name, content] of Object.entries(opts.files ?? {})) {
        const file = path.join(temp, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
        before.set(name, digest(fs.readFileSync(file)));
      }
    }
    const result = runTool(tool, args, { cwd: opts.cwd ?? temp, stdin: opts.stdin });
    const outputs: Record<string, Uint8Array> = {};
    if (temp) {
      for (const name of listFiles(temp)) {
        const bytes = fs.readFileSync(path.join(temp, name));
        if (before.get(name) !== digest(bytes)) outputs[name] = new Uint8Array(bytes);
      }
    }
    return {
      status: result.status,
      stdout: result.stdout.toString('latin1'),
      stderr: result.stderr.toString('utf8'),
      outputs,
    };
  } finally {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }
}

function digest(bytes: Buffer): string {
  return bytes.toString('base64');
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out;
}

/** Runs the reference `dtc` with `args`. */
export function referenceDtc(args: string[], opts?: ReferenceOptions): ReferenceResult {
  return runReference('dtc', args, opts);
}

/** Runs the reference `fdtoverlay` with `args`. */
export function referenceFdtoverlay(args: string[], opts?: ReferenceOptions): ReferenceResult {
  return runReference('fdtoverlay', args, opts);
}
