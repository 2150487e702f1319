/**
 * Fresh and cached validators give the same verdicts (src/schema/compile.ts). Fresh ones are
 * compiled by ajv in this process; cached ones are ajv's standalone code read back from the cache
 * folder. Both run in strict mode, and the validator code itself must not depend on which it is.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTree } from '../../src/overlay/inputs.js';
import { loadSchemaSet, persistSchemaSet, validate } from '../../src/schema/index.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

const source = { cpp: false, includeDirs: [], defines: [] };
const caches: string[] = [];
afterEach(() => {
  for (const dir of caches.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Validates `board` against `bindings` with an empty cache, then again from the cache it filled. */
async function coldThenWarm(board: string, bindings: string[]): Promise<{ cold: string[]; warm: string[] }> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-cache-'));
  caches.push(cacheDir);
  const { tree } = await loadTree(board, source);
  const run = (expectFromCache: boolean): string[] => {
    const set = loadSchemaSet({ bindings, cacheDir });
    expect(set.fromCache).toBe(expectFromCache);
    const findings = validate(tree, set).diagnostics.map((d) => `${d.rule} ${d.path} ${d.message}`);
    persistSchemaSet(set);
    return findings;
  };
  const cold = run(false);
  expect(fs.readdirSync(path.join(cacheDir, 'validators')).length).toBeGreaterThan(0);
  return { cold, warm: run(true) };
}

describe('fresh and cached validators', () => {
  it('agree when a $ref evaluates every property and patternProperties follows (ajv writes to a `true`)', async () => {
    const dir = path.join(repoRoot, 'fixtures/schema/evaluated-true');
    const { cold, warm } = await coldThenWarm(path.join(dir, 'board.dts'), [path.join(dir, 'bindings')]);
    expect(cold).toEqual([]);
    expect(warm).toEqual(cold);
  });

  it('agree on names every plain object inherits (a cached set is read back from JSON)', async () => {
    const board = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'inherited-names-')), 'board.dts');
    caches.push(path.dirname(board));
    fs.writeFileSync(
      board,
      '/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tcompatible = "acme,board";\n\tmodel = "Acme";\n' +
        '\todd@50000000 {\n\t\tcompatible = "constructor", "toString";\n\t\treg = <0x50000000 0x10>;\n\t\tconstructor = <1>;\n\t\thasOwnProperty = "x";\n\t};\n};\n',
    );
    const { cold, warm } = await coldThenWarm(board, [path.join(repoRoot, 'fixtures/schema/bindings')]);
    expect(warm).toEqual(cold);
  });

  it.runIf(sharedOrExplain('uniphier-dwc3 cold and warm'))(
    'agree on a socionext,uniphier-dwc3 node with pinctrl-0 (usb/socionext,uniphier-dwc3.yaml)',
    async () => {
      const { cold, warm } = await coldThenWarm(path.join(repoRoot, 'fixtures/schema/uniphier-dwc3.dts'), [path.join(sharedDir, 'kernel-dt/Bindings')]);
      expect(cold).toEqual([]);
      expect(warm).toEqual(cold);
    },
    300_000,
  );
});
