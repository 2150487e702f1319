/** loadTree and withCppHint (src/overlay/inputs.ts): what apply, check and simulate make of the files they are given. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiagnosticError, type Diagnostic } from '../../src/diagnostics.js';
import { loadTree, withCppHint, type SourceOptions } from '../../src/overlay/inputs.js';
import { referenceBlob, tempDir } from './support.js';

const work = tempDir('overlay-inputs-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const options: SourceOptions = { cpp: false, includeDirs: [], defines: [] };
const file = (name: string, content: string | Uint8Array) => {
  const full = path.join(work, name);
  fs.writeFileSync(full, content);
  return full;
};

/** The diagnostic loadTree fails with. */
async function failure(name: string, opts: SourceOptions = options): Promise<Diagnostic> {
  try {
    await loadTree(name, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(DiagnosticError);
    return (e as DiagnosticError).diagnostic;
  }
  throw new Error(`${name} loaded`);
}

describe('loadTree', () => {
  const source = '/dts-v1/;\n/ { l: n { p = <1>; }; };\n';

  it('a source is compiled with symbols; a blob is read as it is', async () => {
    const dts = file('a.dts', source);
    const fromSource = await loadTree(dts, options);
    expect(fromSource.fromSource).toBe(true);
    expect(fromSource.tree.root.getChild('n')?.getProperty('p')?.span?.line).toBe(2);
    expect(fromSource.tree.root.getChild('__symbols__')?.getProperty('l')).toBeDefined();
    const blob = referenceBlob('a.dts', work, ['-q'])!;
    const fromBlob = await loadTree(file('a.dtb', blob), options);
    expect(fromBlob.fromSource).toBe(false);
    expect(Buffer.from(fromBlob.tree.root.getChild('n')!.getProperty('p')!.value.bytes).toString('hex')).toBe('00000001');
  });

  it('the magic alone makes a blob (a truncated one); three of its bytes are a source', async () => {
    expect((await failure(file('magic.dtb', new Uint8Array([0xd0, 0x0d, 0xfe, 0xed])))).rule).toMatch(/^dtb\//);
    expect((await failure(file('three.dtb', new Uint8Array([0xd0, 0x0d, 0xfe])))).rule).not.toMatch(/^dtb\//);
  });

  it('a file over the larger of the two size limits names that limit, at the file', async () => {
    const big = file('big.dts', source);
    const size = fs.statSync(big).size;
    expect(await failure(big, { ...options, limits: { 'dtb-bytes': 10, 'input-bytes': 20 } })).toEqual({
      rule: 'limit/input-bytes',
      severity: 'error',
      message: `${big} is ${size} bytes, which exceeds the limit of 20 (--limit input-bytes=N to change it)`,
      span: { file: big, line: 1, column: 1 },
    });
    expect(await failure(big, { ...options, limits: { 'dtb-bytes': 20, 'input-bytes': 10 } })).toMatchObject({ rule: 'limit/dtb-bytes', span: { file: big, line: 1, column: 1 } });
  });

  it('a blob over dtb-bytes is refused even when input-bytes would take it', async () => {
    const blob = file('b.dtb', referenceBlob('a.dts', work, ['-q'])!);
    const size = fs.statSync(blob).size;
    expect(await failure(blob, { ...options, limits: { 'dtb-bytes': size - 1, 'input-bytes': size } })).toEqual({
      rule: 'limit/dtb-bytes',
      severity: 'error',
      message: `${blob} is ${size} bytes, which exceeds the limit of ${size - 1} (--limit dtb-bytes=N to change it)`,
      span: { file: blob, line: 1, column: 1 },
    });
    expect((await loadTree(blob, { ...options, limits: { 'dtb-bytes': size, 'input-bytes': 1 } })).fromSource).toBe(false);
  });

  it('a folder, a missing file and a FIFO each say what they are', async () => {
    expect(await failure(work)).toEqual({ rule: 'input/read', severity: 'error', message: `${work} is a folder` });
    expect(await failure(path.join(work, 'absent.dts'))).toEqual({ rule: 'input/read', severity: 'error', message: `${path.join(work, 'absent.dts')} cannot be read` });
    const fifo = path.join(work, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(await failure(fifo)).toMatchObject({ rule: 'input/not-regular', span: { file: fifo, line: 1, column: 1 } });
  });

  it("a source that does not compile fails with the compiler's first error", async () => {
    const bad = file('bad.dts', '/dts-v1/;\n/ { n { p = <1> }; };\n');
    expect(await failure(bad)).toMatchObject({ rule: 'parse/syntax', severity: 'error', span: { file: bad, line: 2 } });
  });

  it('a source that parses but fails a check that is an error (a label used twice) is refused too', async () => {
    const twice = file('twice.dts', '/dts-v1/;\n/ { l: a { }; l: b { }; };\n');
    expect(await failure(twice)).toMatchObject({ severity: 'error', message: expect.stringContaining("Duplicate label 'l'") });
  });

  it('an #include without the preprocessor: the syntax error says --cpp', async () => {
    const inc = file('inc.dts', '/dts-v1/;\n#include "x.h"\n/ { };\n');
    expect((await failure(inc)).message).toMatch(/\(#include needs the C preprocessor: preprocess it with --cpp\)$/);
  });
});

describe('withCppHint', () => {
  const text = file('hint.dts', '/dts-v1/;\n  #include <dt-bindings/x.h>\n/ { };\n');
  const syntax = (line: number, rule = 'parse/syntax', f = text): Diagnostic => ({ rule, severity: 'error', message: 'syntax error', span: { file: f, line, column: 3 } });

  it('adds the hint only to a syntax error on an #include line, without cpp', () => {
    expect(withCppHint(syntax(2), false).message).toBe('syntax error (#include needs the C preprocessor: preprocess it with --cpp)');
    for (const unchanged of [withCppHint(syntax(2), true), withCppHint(syntax(1), false), withCppHint(syntax(3), false), withCppHint(syntax(2, 'parse/other'), false)]) {
      expect(unchanged.message).toBe('syntax error');
    }
    expect(withCppHint(syntax(2, 'parse/syntax', path.join(work, 'gone.dts')), false).message).toBe('syntax error');
    const noSpan: Diagnostic = { rule: 'parse/syntax', severity: 'error', message: 'syntax error' };
    expect(withCppHint(noSpan, false)).toBe(noSpan);
  });
});
