import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffTrees, formatDiffText, isEmptyDiff } from '../../src/diff/diff.js';
import { loadInput } from '../../src/pipeline/load.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import { newSession } from '../../src/compile/index.js';
import { repoRoot } from '../support/shared.js';

const fixture = (name: string) => path.join(repoRoot, 'fixtures/diff', name);

async function tree(file: string) {
  const loaded = await loadInput(file, defaultCheckOptions(file), newSession());
  if (!loaded.tree) throw new Error(`${file} did not compile`);
  return loaded.tree;
}

describe('semantic tree diff', () => {
  it('finds added/removed nodes and added/changed properties, values decoded with references', async () => {
    const diff = diffTrees(await tree(fixture('before.dts')), await tree(fixture('after.dts')));
    expect(diff.nodesAdded).toEqual(['/new@4000']);
    expect(diff.nodesRemoved).toEqual(['/old@3000']);
    const props = diff.properties.map((c) => `${c.change} ${c.path}:${c.property} ${c.before ?? ''} -> ${c.after ?? ''}`);
    expect(props).toContain('changed /remoteproc@2000:status "okay" -> "disabled"');
    expect(props).toContain('added /remoteproc@2000:iommus  -> <&smmu 0x3000 0x00>');
    const iommus = diff.properties.find((c) => c.property === 'iommus');
    expect(iommus?.span).toMatchObject({ file: fixture('after.dts'), line: 16 });
    // phandle values are bookkeeping, not differences
    expect(diff.properties.some((c) => c.property === 'phandle')).toBe(false);
  });

  it('prints + - ~ lines grouped by node', async () => {
    const diff = diffTrees(await tree(fixture('before.dts')), await tree(fixture('after.dts')));
    const text = formatDiffText(diff, (s) => `${path.basename(s.file)}:${s.line}`);
    expect(text.split('\n').filter(Boolean)).toEqual([
      '+ /new@4000',
      '    /new@4000:reg = <0x4000 0x10>  (after.dts:20)',
      '- /old@3000',
      '    /old@3000:reg = <0x3000 0x10>',
      '+ /remoteproc@2000:iommus = <&smmu 0x3000 0x00>  (after.dts:16)',
      '~ /remoteproc@2000:status: "okay" -> "disabled"  (after.dts:15)',
    ]);
  });

  it('a tree compared with itself has no differences', async () => {
    expect(isEmptyDiff(diffTrees(await tree(fixture('before.dts')), await tree(fixture('before.dts'))))).toBe(true);
  });

  it('CLI: exit 1 when different, 0 when same, 2 on bad input; json', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), 'diff', ...args], { cwd: repoRoot, encoding: 'utf8' });
    const differ = cli('fixtures/diff/before.dts', 'fixtures/diff/after.dts', '-f', 'json');
    expect(differ.status).toBe(1);
    expect(JSON.parse(differ.stdout).diff.nodesAdded).toEqual(['/new@4000']);
    expect(cli('fixtures/diff/before.dts', 'fixtures/diff/before.dts').status).toBe(0);
    expect(cli('fixtures/diff/before.dts', 'fixtures/diff/missing.dts').status).toBe(2);
  });
});
