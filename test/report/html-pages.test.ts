/**
 * The pages a reviewer looks at, rendered in headless Chromium at 1,400 px (test/support/chromium.ts)
 * as issue 19 asks: check's HTML report of the Lemans SID collision (cdsp1 given cdsp0's stream ID
 * on top of lemans-el2.dtso) and review's HTML page of a patch making that change in a Linux-layout
 * tree built from ../shared/kernel-dt. Each page: the conflict is shown and visible, every
 * element showing it carries data-conflict="true", finding cards and SMR rows link to each other,
 * every in-page link resolves to a unique id, nothing loads from outside, no console error, no
 * horizontal overflow. Screenshots stay in test-artifacts/ (printed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/pipeline/run.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import { sidMapView } from '../../src/pipeline/engines.js';
import { formatReport, relativeToCwd } from '../../src/report/index.js';
import { runReview } from '../../src/review/review.js';
import { artifactsDir, Browser, findChromium, type Page } from '../support/chromium.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { git, kernelDt, linkedKernelTree } from '../kernel/tree.js';

const chromium = findChromium();
if (!chromium) console.warn("skipping the HTML page tests: no chromium on PATH (.ci/run installs Debian's chromium)");
const hasShared = sharedOrExplain('HTML pages of the Lemans SID collision');
const QCOM = 'arch/arm64/boot/dts/qcom';
const WIDTH = 1400;

interface Contract {
  duplicateIds: string[];
  brokenLinks: string[];
  external: string[];
  resources: string[];
  overflow: number;
  conflicts: { tag: string; id: string; cls: string; visible: boolean; href: string | null }[];
}

/** The page contract, read in the browser. */
function contract(page: Page): Promise<Contract> {
  return page.evaluate<Contract>(`(() => {
    const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
    const links = [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href').slice(1));
    const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('[hidden]'); };
    return {
      duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
      brokenLinks: links.filter((id) => !document.getElementById(id)),
      external: [...document.querySelectorAll('[src],link[href],a[href]:not([href^="#"])')].map((el) => el.getAttribute('src') || el.getAttribute('href')),
      resources: performance.getEntriesByType('resource').map((r) => r.name),
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      conflicts: [...document.querySelectorAll('[data-conflict="true"]')].map((el) => ({ tag: el.tagName.toLowerCase(), id: el.id, cls: el.getAttribute('class') || '', visible: visible(el), href: el.getAttribute('href') })),
    };
  })()`);
}

/** From the conflict's finding card: where its links go, and whether those rows and marks link back. */
function cardLinks(page: Page, cardSelector: string): Promise<{ card: string; targets: { id: string; tag: string; conflict: boolean; linksBack: boolean }[] }> {
  return page.evaluate(`(() => {
    const card = document.querySelector(${JSON.stringify(cardSelector)});
    const targets = [...card.querySelectorAll('.links a')].map((a) => document.getElementById(a.getAttribute('href').slice(1)));
    return {
      card: card.id,
      targets: targets.map((t) => ({
        id: t.id,
        tag: t.tagName.toLowerCase(),
        conflict: t.getAttribute('data-conflict') === 'true',
        linksBack: t.matches('a[href="#' + card.id + '"]') || !!t.querySelector('a[href="#' + card.id + '"]'),
      })),
    };
  })()`);
}

async function render(browser: Browser, html: string, name: string): Promise<{ page: Page; shot: string }> {
  const dir = artifactsDir(repoRoot);
  const file = path.join(dir, `${name}.html`);
  fs.writeFileSync(file, html);
  const page = await browser.open(file, WIDTH);
  const shot = path.join(dir, `${name}.png`);
  await page.screenshot(shot);
  console.log(`screenshot: ${shot}`);
  return { page, shot };
}

function expectContract(c: Contract): void {
  expect(c.duplicateIds).toEqual([]);
  expect(c.brokenLinks).toEqual([]);
  expect(c.external).toEqual([]);
  expect(c.resources).toEqual([]);
  expect(c.overflow).toBe(0);
}

describe.skipIf(!chromium || !hasShared)('the HTML pages of the Lemans SID collision in headless Chromium', () => {
  let browser: Browser;
  beforeAll(() => {
    browser = Browser.launch(chromium!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('check --format html: the collision is the banner, a map mark, SMR 24 and the error card, linked both ways', async () => {
    const qcom = path.join(kernelDt, 'src/arm64/qcom');
    const options = defaultCheckOptions(path.join(qcom, 'lemans-evk.dts'), [path.join(qcom, 'lemans-el2.dtso'), path.join(repoRoot, 'fixtures/report/cdsp1-takes-cdsp0-sid.dtso')]);
    options.includeDirs.push(path.join(kernelDt, 'include'));
    const { report } = await runCheck(options);
    report.diagnostics = relativeToCwd(report.diagnostics, repoRoot);
    const collision = report.diagnostics.filter((d) => d.rule === 'pas/overlay-sid-collision');
    expect(collision.map((d) => d.path)).toEqual(['/soc@0/remoteproc@2a300000']);
    const html = formatReport(report, 'html', { html: { sidMap: await sidMapView(report) } });
    const { page } = await render(browser, html, 'check-lemans-sid-collision');
    expect(page.errors).toEqual([]);
    const c = await contract(page);
    expectContract(c);
    // The banner, the card, the map marks (0x21c0 and 0x25c0, and their names) and SMR 24 of apps_smmu.
    const kinds = c.conflicts.map((x) => `${x.tag}.${x.cls.split(' ')[0]}`);
    expect(kinds).toContain('div.conflict-banner');
    expect(kinds).toContain('article.finding');
    expect(c.conflicts.filter((x) => x.tag === 'a' && x.cls === 'conflict-mark').length).toBeGreaterThanOrEqual(2);
    expect(c.conflicts.filter((x) => x.tag === 'tr').map((x) => x.id)).toEqual(['smmu-apps_smmu-smr-24']);
    expect(c.conflicts.every((x) => x.visible)).toBe(true);
    const links = await cardLinks(page, 'article.finding[data-conflict="true"]');
    expect(links.targets.map((t) => `${t.tag}#${t.id}`)).toEqual(['a#conflict-1', 'tr#smmu-apps_smmu-smr-24']);
    expect(links.targets.every((t) => t.conflict && t.linksBack)).toBe(true);
    // Findings grouped by severity: the error before the note, and the filters hide by severity.
    const order = await page.evaluate<string[]>(`[...document.querySelectorAll('article.finding')].map((a) => a.dataset.severity)`);
    const rank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
    expect(order[0]).toBe('error');
    expect(order).toEqual([...order].sort((a, b) => rank[a] - rank[b]));
    const hidden = await page.evaluate<boolean>(`(() => { const b = document.querySelector('input[data-filter="severity:error"]'); b.click(); const h = document.querySelector('article.error').closest('[hidden]') !== null; b.click(); return h && document.querySelector('article.error').closest('[hidden]') === null; })()`);
    expect(hidden).toBe(true);
    // Each remoteproc has its bring-up table.
    expect(await page.evaluate<number>(`document.querySelectorAll('details.bringup table.steps').length`)).toBe(5);
    expect(page.errors).toEqual([]);
  }, 120_000);

  describe('review --format html of a patch giving cdsp1 cdsp0 stream ID', () => {
    let repo = '';
    let patch = '';
    beforeAll(() => {
      repo = linkedKernelTree();
      git(repo, 'init', '-q', '-b', 'main');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-q', '-m', 'kernel-dt');
      const file = path.join(repo, QCOM, 'lemans-el2.dtso');
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.replace('0x29c0 0x0400', '0x21c0 0x0400'));
      patch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-patch-')), 'cdsp1.patch');
      fs.writeFileSync(patch, git(repo, 'diff'));
      git(repo, 'checkout', '-q', '--', '.');
    }, 120_000);
    afterAll(() => {
      if (repo) fs.rmSync(repo, { recursive: true, force: true });
      if (patch) fs.rmSync(path.dirname(patch), { recursive: true, force: true });
    });

    it('the hunk with the error under its line, the boards, one merged tree diff, SID maps before and after', async () => {
      const { report } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
      const html = formatReport(report, 'html');
      const { page } = await render(browser, html, 'review-lemans-sid-collision');
      expect(page.errors).toEqual([]);
      const c = await contract(page);
      expectContract(c);
      expect(c.conflicts.every((x) => x.visible)).toBe(true);
      const facts = await page.evaluate<{ boards: string[]; cardAfter: string; treeDiffs: number; maps: string[] }>(`(() => ({
        boards: [...document.querySelectorAll('#boards + table tr td:first-child')].map((td) => td.textContent),
        cardAfter: document.querySelector('tr.cards article.finding').closest('tr').previousElementSibling.lastElementChild.textContent,
        treeDiffs: document.querySelectorAll('pre.tree-diff').length,
        maps: [...document.querySelectorAll('.before-after h3[id]')].map((h) => h.id),
      }))()`);
      expect(facts.boards).toEqual(['lemans-evk-el2', 'qcs9100-ride-el2', 'qcs9100-ride-r3-el2']);
      expect(facts.cardAfter).toBe('+\tiommus = <&apps_smmu 0x21c0 0x0400>;');
      // The three boards get the same diff: shown once.
      expect(facts.treeDiffs).toBe(1);
      expect(facts.maps).toEqual(['before', 'after']);
      // Before: no conflict on SMR 24's IDs; after: the card links to the after map's mark and row, and they back.
      expect(c.conflicts.some((x) => x.id.startsWith('before-'))).toBe(false);
      const links = await cardLinks(page, 'tr.cards article.finding[data-conflict="true"]');
      expect(links.targets.map((t) => `${t.tag}#${t.id}`)).toEqual(['a#after-conflict-1', 'tr#after-smmu-apps_smmu-smr-24']);
      expect(links.targets.every((t) => t.conflict && t.linksBack)).toBe(true);
    }, 300_000);
  });
});
