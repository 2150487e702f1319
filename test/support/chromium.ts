/**
 * Headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe` (fds 3 and 4,
 * NUL-terminated JSON), with no npm package: open a page at a given width, collect console errors
 * and uncaught exceptions, evaluate expressions in it, and take a full-page screenshot.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

/** Where the tests leave their screenshots: test-artifacts/ (git-ignored), or $DTOC_ARTIFACTS. */
export function artifactsDir(root: string): string {
  const dir = process.env.DTOC_ARTIFACTS ?? path.join(root, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

export class Browser {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((m: Message) => void)[] = [];
  private buffer = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const input = child.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const m = JSON.parse(this.buffer.slice(0, end)) as Message;
        this.buffer = this.buffer.slice(end + 1);
        if (m.id !== undefined && this.pending.has(m.id)) {
          const p = this.pending.get(m.id)!;
          this.pending.delete(m.id);
          if (m.error) p.reject(new Error(m.error.message));
          else p.resolve(m.result ?? {});
        } else this.listeners.forEach((l) => l(m));
      }
    });
  }

  static launch(executable: string): Browser {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-chromium-'));
    const child = spawn(
      executable,
      ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new Browser(child, profile);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.next++;
    const out = this.child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      out.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  }

  on(listener: (m: Message) => void): void {
    this.listeners.push(listener);
  }

  /** Opens `file` at `width` px; resolves once it has loaded. */
  async open(file: string, width: number): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, sessionId);
    this.on((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Runtime.consoleAPICalled' && (m.params as { type: string }).type === 'error') page.errors.push(`console.error: ${JSON.stringify((m.params as { args: unknown[] }).args)}`);
      if (m.method === 'Runtime.exceptionThrown') page.errors.push(`exception: ${JSON.stringify((m.params as { exceptionDetails: unknown }).exceptionDetails)}`);
      if (m.method === 'Log.entryAdded' && (m.params as { entry: { level: string } }).entry.level === 'error') page.errors.push(`log: ${JSON.stringify((m.params as { entry: unknown }).entry)}`);
    });
    await Promise.all(['Runtime.enable', 'Log.enable', 'Page.enable'].map((m) => this.send(m, {}, sessionId)));
    await this.send('Emulation.setDeviceMetricsOverride', { width, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    const loaded = new Promise<void>((resolve) => this.on((m) => m.sessionId === sessionId && m.method === 'Page.loadEventFired' && resolve()));
    await this.send('Page.navigate', { url: pathToFileURL(file).href }, sessionId);
    await loaded;
    return page;
  }

  async close(): Promise<void> {
    await this.send('Browser.close').catch(() => undefined);
    await new Promise((resolve) => (this.child.exitCode === null ? this.child.once('exit', resolve) : resolve(undefined)));
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  /** Console errors, uncaught exceptions and error-level log entries (failed loads among them). */
  readonly errors: string[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
  ) {}

  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.browser.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.sessionId)) as { result: { value: T }; exceptionDetails?: unknown };
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  /** The whole page as PNG, at its layout width. */
  async screenshot(file: string): Promise<void> {
    const { width, height } = await this.evaluate<{ width: number; height: number }>('({ width: document.documentElement.clientWidth, height: document.documentElement.scrollHeight })');
    const r = (await this.browser.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width, height: Math.min(height, 16000), scale: 1 } }, this.sessionId)) as { data: string };
    fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
  }
}
