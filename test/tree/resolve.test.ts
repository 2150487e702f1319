/**
 * src/tree/resolve.ts — the reference fixups as plain functions — resolves a tree exactly as the
 * check registry does in a compile: same phandles, same inserted paths, same omitted nodes, so
 * the same blob (fixtures that pass dtc's checks, with and without -@).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDts } from '../../src/dts/parser.js';
import { FileSourceHost } from '../../src/dts/source.js';
import { writeDtb } from '../../src/dtb/write.js';
import { buildTree } from '../../src/tree/build.js';
import { generateFixupsTree, generateLabelTree, generateLocalFixupsTree } from '../../src/tree/generate.js';
import { resolveReferences } from '../../src/tree/resolve.js';
import { compileWith } from '../compile/support.js';
import { repoRoot } from '../support/shared.js';

const dir = path.join(repoRoot, 'fixtures/dts');
const good = fs.readdirSync(dir).filter((f) => f.endsWith('.dts') && !f.startsWith('bad-')).sort();

describe('resolveReferences', () => {
  for (const file of good) {
    it(`${file}: same blob as the compile pipeline`, async () => {
      for (const symbols of [false, true]) {
        const text = fs.readFileSync(path.join(dir, file), 'latin1');
        const parsed = parseDts(text, file, { host: new FileSourceHost({ cwd: dir }) });
        const { tree } = buildTree(parsed.source!);
        const { diagnostics, context } = resolveReferences(tree, { plugin: tree.plugin, symbols, phandleFormat: 'epapr' });
        expect(diagnostics).toEqual([]);
        if (symbols) generateLabelTree(tree.root, '__symbols__', context.phandles);
        if (tree.plugin) {
          generateFixupsTree(tree.root, '__fixups__');
          generateLocalFixupsTree(tree.root, '__local_fixups__');
        }
        const ours = writeDtb(tree).bytes;
        const pipeline = await compileWith(['-q', ...(symbols ? ['-@'] : []), '-O', 'dtb'], file, dir);
        expect(Buffer.from(ours).equals(Buffer.from(pipeline.output!)), `${file} ${symbols ? '-@' : ''}`).toBe(true);
      }
    });
  }
});
