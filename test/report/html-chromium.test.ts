/**
 * The HTML report renders in headless Chromium (Debian's `chromium`, installed by .ci/run): no
 * console messages at error level, and a screenshot that is not blank.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/pipeline/run.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import { formatHtml } from '../../src/report/html.js';
import { sidMapView } from '../../src/pipeline/engines.js';
import { relativeToCwd } from '../../src/report/order.js';
import { repoRoot } from '../support/shared.js';
import { decodePng } from './png.js';

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

const chromium = findChromium();
if (!chromium) console.warn('skipping the HTML rendering test: no chromium on PATH (.ci/run installs Debian\'s chromium)');

/** Renders `file` and returns the screenshot and the console lines Chromium logged. */
function render(file: string, dir: string): { image: ReturnType<typeof decodePng>; console: string[] } {
  const shot = path.join(dir, `${path.basename(file)}.png`);
  const r = spawnSync(
    chromium as string,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--enable-logging=stderr', '--v=0', `--user-data-dir=${path.join(dir, 'profile')}`, '--window-size=1280,1000', `--screenshot=${shot}`, pathToFileURL(file).href],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (!fs.existsSync(shot)) throw new Error(`chromium wrote no screenshot (status ${r.status}): ${r.stderr.slice(-2000)}`);
  const consoleLines = r.stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l));
  return { image: decodePng(fs.readFileSync(shot)), console: consoleLines };
}

function inkFraction(image: ReturnType<typeof decodePng>): { ink: number; colours: number } {
  const colours = new Set<number>();
  let ink = 0;
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [image.pixels[i * 4], image.pixels[i * 4 + 1], image.pixels[i * 4 + 2]];
    if (r < 235 || g < 235 || b < 235) ink++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { ink: ink / n, colours: colours.size };
}

describe.skipIf(!chromium)('HTML report in headless Chromium', () => {
  it('renders the bundled example (findings, excerpts, SID map) without console errors, not blank', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-html-'));
    try {
      const { report } = await runCheck(defaultCheckOptions(path.join(repoRoot, 'fixtures/example/lemans-mini.dts'), [path.join(repoRoot, 'fixtures/check/bad-iommus-arity.dtso')]));
      report.diagnostics = relativeToCwd(report.diagnostics, repoRoot);
      const cwd = process.cwd();
      process.chdir(repoRoot);
      let html: string;
      try {
        html = formatHtml(report, { sidMap: await sidMapView(report) });
      } finally {
        process.chdir(cwd);
      }
      expect(html).toMatch(/<pre>\s+6 \| /);
      expect(html).not.toMatch(/<script[^>]*src=|<link|src="http/);
      const file = path.join(dir, 'report.html');
      fs.writeFileSync(file, html);

      // The harness itself: a page with a console error and an exception is caught.
      const control = path.join(dir, 'control.html');
      fs.writeFileSync(control, '<!DOCTYPE html><html><body><p>x</p><script>console.error("control-error"); missingFunction();</script></body></html>');
      const controlRun = render(control, dir);
      expect(controlRun.console.join('\n')).toMatch(/control-error/);
      expect(controlRun.console.join('\n')).toMatch(/Uncaught ReferenceError/);

      const { image, console: consoleLines } = render(file, dir);
      expect(consoleLines).toEqual([]);
      expect(image.width).toBe(1280);
      const { ink, colours } = inkFraction(image);
      expect(ink).toBeGreaterThan(0.05);
      expect(colours).toBeGreaterThan(20);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
