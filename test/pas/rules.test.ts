/**
 * One mutated overlay per PAS rule (fixtures/pas/<rule>.dtso), applied on lemans-evk + lemans-el2
 * (or on the fixture base it names). The header of each fixture says what must be found:
 *   // rule: pas/<name>        the rule id
 *   // node: /path             the node the finding is on
 *   // severity: error         its severity
 *   // el: 1                   optional --el
 *   // profile: FILE           optional profile (fixtures/pas/FILE), e.g. a small SMR count
 *   // rsc-table: FILE         optional resource-table fixture
 *   // bindings: DIR           optional bindings folder
 *   // base: FILE              optional base in fixtures/pas instead of Lemans
 *   // span: FILE:LINE         where the finding points, when it is not the line marked `// <-`
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTree } from '../../src/overlay/inputs.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import { loadComposition } from '../../src/pas/inputs.js';
import { loadProfile, loadProfileFile, loadResourceTables, PAS_RULES, simulate } from '../../src/pas/index.js';
import { sharedOrExplain } from '../support/shared.js';
import { corpusLinux, el2Overlay, fixtures, kernelTree, qcomDir } from './support.js';

interface Expectation {
  file: string;
  rule: string;
  node?: string;
  severity: string;
  el?: 1 | 2;
  profile?: string;
  rscTable?: string;
  bindings?: string;
  base?: string;
  spanFile: string;
  spanLine?: number;
}

function readExpectation(file: string): Expectation {
  const text = fs.readFileSync(file, 'utf8');
  const header = new Map<string, string>();
  for (const m of text.matchAll(/^\/\/ ([a-z-]+): (.*)$/gm)) if (!header.has(m[1])) header.set(m[1], m[2].trim());
  const marked = text.split('\n').findIndex((l) => l.includes('// <-'));
  const span = header.get('span');
  return {
    file,
    rule: header.get('rule')!,
    node: header.get('node'),
    severity: header.get('severity')!,
    el: header.get('el') === '1' ? 1 : header.get('el') === '2' ? 2 : undefined,
    profile: header.get('profile'),
    rscTable: header.get('rsc-table'),
    bindings: header.get('bindings'),
    base: header.get('base'),
    spanFile: span ? span.split(':')[0] : path.basename(file),
    spanLine: span ? Number(span.split(':')[1]) : marked >= 0 ? marked + 1 : undefined,
  };
}

const plain = { cpp: false, includeDirs: [], defines: [] };
const fixtureFiles = fs.existsSync(fixtures) ? fs.readdirSync(fixtures).filter((f) => f.endsWith('.dtso')).sort() : [];

describe.runIf(sharedOrExplain('PAS rule fixtures'))('PAS rules on mutated overlays', () => {
  const lemans = path.join(qcomDir, 'lemans-evk.dts');

  it('has a fixture for every rule except cross-smmu-duplicate and el2-remoteproc-missing-iommus (tested on the corpus)', () => {
    const covered = new Set(fixtureFiles.map((f) => readExpectation(path.join(fixtures, f)).rule));
    const missing = PAS_RULES.map((r) => r.id).filter((id) => !covered.has(id));
    expect(missing.sort()).toEqual(['pas/cross-smmu-duplicate', 'pas/el2-remoteproc-missing-iommus']);
  });

  for (const name of fixtureFiles) {
    const x = readExpectation(path.join(fixtures, name));
    it(`${name}: ${x.rule} (${x.severity}) on ${x.node ?? 'the overlay'} at ${x.spanFile}:${x.spanLine ?? '-'}`, async () => {
      let diagnostics;
      if (x.rule === 'pas/overlay-labels-exist') {
        // Application itself fails: through the same path the CLI takes.
        const composition = await loadComposition(lemans, [x.file], { cpp: true, includeDirs: [path.join(corpusLinux, 'include'), qcomDir], defines: [] });
        expect(composition.tree).toBeUndefined();
        diagnostics = composition.diagnostics;
        expect(diagnostics[0].message).toContain("'gpu_zap_shadr'");
      } else {
        const profile = x.profile ? await loadProfileFile(path.join(fixtures, x.profile)) : x.base ? undefined : await loadProfile('sa8775p');
        let tree;
        let changed;
        if (x.base) {
          const base = await loadTree(path.join(fixtures, x.base), plain);
          const overlay = await loadTree(x.file, plain);
          const applied = applyOverlays(base.tree, [{ tree: overlay.tree, name: x.file }]);
          tree = applied.tree;
          changed = applied.touched;
        } else {
          const m = await mergedWithFixture(lemans, x.file);
          tree = m.tree;
          changed = m.changed;
        }
        const resourceTables = x.rscTable ? await loadResourceTables(path.join(fixtures, x.rscTable)) : undefined;
        diagnostics = simulate(tree, profile, { el: x.el, changed, overlays: ['lemans-el2.dtso'], resourceTables, bindingsDir: x.bindings ? path.join(fixtures, x.bindings) : undefined }).diagnostics;
      }
      const hits = diagnostics.filter((d) => d.rule === x.rule && (x.node === undefined || d.path === x.node));
      expect(hits.map((d) => `${d.rule} ${d.path}`), diagnostics.map((d) => `${d.rule} ${d.path} ${d.message}`).join('\n')).not.toEqual([]);
      const hit = hits.find((d) => d.severity === x.severity) ?? hits[0];
      expect(hit.severity).toBe(x.severity);
      expect(hit.message.length).toBeGreaterThan(20);
      expect(x.spanLine, 'the fixture needs a `// span:` header or a `// <-` mark').toBeDefined();
      expect(path.basename(hit.span?.file ?? '')).toBe(x.spanFile);
      expect(hit.span?.line).toBe(x.spanLine);
    });
  }
});

/** lemans-evk + lemans-el2 + the fixture overlay (compiled without cpp), applied as one stack. */
async function mergedWithFixture(base: string, fixture: string) {
  const [b, el2, overlay] = await Promise.all([kernelTree(base), kernelTree(el2Overlay), loadTree(fixture, plain)]);
  const applied = applyOverlays(b.tree, [
    { tree: el2.tree, name: el2Overlay },
    { tree: overlay.tree, name: fixture },
  ]);
  return { tree: applied.tree, changed: applied.touched };
}
