/**
 * `compile -O asm` against the reference dtc: dtc's assembler text for every dtc-tests source (blob
 * versions 17, 16 and 1) and for our fixtures under -R, -S, -p, -a, -b, -s and -@.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { DiagnosticError } from '../../src/diagnostics.js';
import { treeToAsm } from '../../src/output/asm.js';
import { Node, Property } from '../../src/tree/model.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

async function asmOf(args: string[], cwd: string): Promise<string | undefined> {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const options = parseCompileArgs(args);
    const r = await compile({ file: options.inputs[0]! }, options);
    return r.exitCode === 0 && r.output ? Buffer.from(r.output).toString('latin1') : undefined;
  } finally {
    process.chdir(previous);
  }
}

/**
 * Before v16 nodes carry full paths, and the fixup nodes dtc adds to a plugin have none: dtc prints
 * a NULL pointer there ("(null)"), which is not a format to copy. Such runs are left out.
 */
const printsNullName = (asm: string): boolean => asm.includes('.asciz\t"(null)"');

describe('-O asm', () => {
  it('is what dtc writes for our fixtures, with the blob layout options', async () => {
    const dir = path.join(repoRoot, 'fixtures/dts');
    const mismatches: string[] = [];
    let compared = 0;
    for (const file of ['labels-and-refs.dts', 'names-and-strings.dts', 'deletes.dts', 'phandle-allocation.dts', 'plugin-overlay.dts']) {
      for (const extra of [[], ['-R', '2'], ['-S', '4096'], ['-p', '64'], ['-a', '256'], ['-b', '3', '-@'], ['-V', '2', '-s'], ['-V', '3']]) {
        const args = ['-q', ...extra, '-O', 'asm', file];
        const reference = referenceDtc(args, { cwd: dir });
        if (reference.status !== 0 || printsNullName(reference.stdout)) continue;
        compared++;
        if ((await asmOf(args, dir)) !== reference.stdout) mismatches.push(args.join(' '));
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(30);
  });

  it.runIf(sharedOrExplain('-O asm on dtc-tests'))('is what dtc writes for every dtc-tests source at versions 17, 16 and 1', async () => {
    const dir = path.join(sharedDir, 'dtc-tests');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.dts') && !f.startsWith('search_paths'));
    const mismatches: string[] = [];
    let compared = 0;
    let nullNames = 0;
    for (const file of files) {
      for (const version of [[], ['-V', '16'], ['-V', '1']]) {
        const args = ['-q', ...version, '-O', 'asm', file];
        const reference = referenceDtc(args, { cwd: dir });
        if (reference.status !== 0) continue;
        if (printsNullName(reference.stdout)) {
          nullNames++;
          continue;
        }
        compared++;
        if ((await asmOf(args, dir)) !== reference.stdout) mismatches.push(args.join(' '));
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(200);
    expect(nullNames).toBeLessThanOrEqual(4);
  }, 120_000);

  it('stops with output/too-large rather than building a string V8 cannot hold', () => {
    const root = new Node('');
    root.properties.push(new Property('big', { bytes: new Uint8Array(4096).fill(0xab), markers: [] }));
    const tree = { v1: true, plugin: false, reservations: [], root, bootCpuidPhys: 0 };
    expect(treeToAsm(tree, { maxLength: 200_000 })).toContain('\t.byte\t0xab\n');
    expect(() => treeToAsm(tree, { maxLength: 10_000 })).toThrow(DiagnosticError);
    try {
      treeToAsm(tree, { maxLength: 10_000 });
    } catch (err) {
      expect((err as DiagnosticError).diagnostic.rule).toBe('output/too-large');
    }
  });
});
