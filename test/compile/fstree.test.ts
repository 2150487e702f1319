/**
 * `compile -I fs` (and a folder given without -I): a /proc/device-tree-like folder read as dtc's
 * fstree.c reads it, against the reference dtc on the same folder: -O dts text, -O dtb bytes,
 * stderr (position-less check findings) and status.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { referenceDtc } from '../support/reference.js';

let dir: string;
const be32 = (...cells: number[]): Buffer => {
  const b = Buffer.alloc(4 * cells.length);
  cells.forEach((c, i) => b.writeUInt32BE(c >>> 0, 4 * i));
  return b;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fstree-'));
  const put = (file: string, bytes: Buffer | string) => {
    fs.mkdirSync(path.dirname(path.join(dir, 'dt', file)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dt', file), bytes);
  };
  put('compatible', 'acme,board\0acme,soc\0');
  put('model', 'Acme board\0');
  put('#address-cells', be32(1));
  put('#size-cells', be32(1));
  put('cpus/#address-cells', be32(1));
  put('cpus/#size-cells', be32(0));
  put('cpus/cpu@0/device_type', 'cpu\0');
  put('cpus/cpu@0/reg', be32(0));
  put('soc/compatible', 'simple-bus\0');
  put('soc/#address-cells', be32(1));
  put('soc/#size-cells', be32(1));
  put('soc/ranges', '');
  put('soc/intc@1000/compatible', 'acme,intc\0');
  put('soc/intc@1000/reg', be32(0x1000, 0x100));
  put('soc/intc@1000/interrupt-controller', '');
  put('soc/intc@1000/#interrupt-cells', be32(1));
  put('soc/intc@1000/phandle', be32(1));
  put('soc/uart@2000/compatible', 'acme,uart\0');
  put('soc/uart@2000/reg', be32(0x2000, 0x100));
  put('soc/uart@2000/interrupt-parent', be32(1));
  put('soc/uart@2000/interrupts', be32(5));
  put('soc/uart@2000/blob', Buffer.from([1, 2, 3]));
  put('soc/uart@2000/name', 'uart\0');
  put('chosen/bootargs', 'console=ttyS0\0');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ours(args: string[]): Promise<{ status: number; stdout: Buffer; stderr: string }> {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    const options = parseCompileArgs(args);
    const r = await compile({ file: options.inputs[0]! }, options);
    return { status: r.exitCode, stdout: Buffer.from(r.output ?? new Uint8Array()), stderr: r.stderr };
  } finally {
    process.chdir(previous);
  }
}

describe('compile -I fs', () => {
  it.each([
    [['-I', 'fs', '-O', 'dts', 'dt']],
    [['-O', 'dts', 'dt']],
    [['-I', 'fs', '-O', 'dtb', '-o', '-', 'dt']],
    [['-I', 'fs', '-O', 'dts', '-s', 'dt']],
  ])('%j gives what dtc gives', async (args) => {
    const reference = referenceDtc(args, { cwd: dir });
    const mine = await ours(args);
    expect(reference.status).toBe(0);
    expect(mine.status).toBe(reference.status);
    expect(mine.stdout.toString('latin1')).toBe(reference.stdout);
    expect(mine.stderr).toBe(reference.stderr);
    expect(mine.stdout.length).toBeGreaterThan(100);
  });

  it('a folder that is not there is an input error, not a crash', async () => {
    const mine = await ours(['-I', 'fs', '-O', 'dts', 'nowhere']);
    expect(mine.status).not.toBe(0);
    expect(mine.stderr).toMatch(/opendir\(\) "nowhere"/);
  });

  it('a symbolic-link loop ends in an error (ELOOP from the system, or our node-depth limit), not a hang', async () => {
    const loop = path.join(dir, 'loop');
    fs.mkdirSync(loop);
    fs.symlinkSync('.', path.join(loop, 'again'));
    const mine = await ours(['-I', 'fs', '-O', 'dts', '--limit', 'node-depth=64', 'loop']);
    expect(mine.status).not.toBe(0);
    expect(mine.stderr).toMatch(/Too many levels of symbolic links|node-depth/);
  });
});

describe('compile -I fs: entry order', () => {
  it('keeps the order readdir(3) gives (as `ls -U` lists it), not a sorted one, like dtc', async () => {
    const folder = path.join(dir, 'unsorted');
    fs.mkdirSync(folder);
    // created in a shuffled order: whatever the file system's own order is (hash, creation, or
    // newest first), it is not the sorted one
    const names = ['m', 'c', 'x', 'a', 'q', 'f', 'z', 'b', 'k', 'r', 'e', 'w', 'h', 'o', 'd', 't'].map((n) => `p-${n}`);
    for (const name of names) fs.writeFileSync(path.join(folder, name), `${name}\0`);
    const listed = execFileSync('ls', ['-U', folder], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listed).not.toEqual([...listed].sort());
    const mine = await ours(['-I', 'fs', '-O', 'dts', 'unsorted']);
    expect(mine.status).toBe(0);
    const order = [...mine.stdout.toString('latin1').matchAll(/^\t(p-\w) = /gm)].map((m) => m[1]);
    expect(order).toEqual(listed);
  });
});
