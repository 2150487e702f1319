/**
 * A language client for the tests, as an editor runs one: the server spawned with a command line,
 * JSON-RPC over its stdin/stdout (vscode-jsonrpc's stream reader and writer), the LSP requests and
 * notifications by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { repoRoot } from '../support/shared.js';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity?: number; code?: string; message: string; source?: string }[];
}

export class TestClient {
  readonly connection: MessageConnection;
  private readonly published: PublishedDiagnostics[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';

  constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.published.push(p);
      for (const w of this.waiters.splice(0)) w();
    });
    // the server's own log (a failed run) is reported with the stderr, so a test that times out says why
    this.connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.stderr += `${p.message}\n`;
    });
    this.connection.listen();
  }

  /** Spawns `command args` with pipes, as vscode-languageclient's stdio transport does. */
  static spawn(command: string, args: string[], cwd = repoRoot): TestClient {
    return new TestClient(spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  async initialize(root: string, initializationOptions: object = {}): Promise<{ capabilities: Record<string, unknown> }> {
    const uri = pathToFileURL(root).href;
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'tree' }],
      capabilities: {},
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(file: string, text = fs.readFileSync(file, 'utf8')): string {
    const uri = pathToFileURL(file).href;
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dts', version: 1, text } });
    return uri;
  }

  change(uri: string, version: number, text: string): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** The next diagnostics published for `uri` that satisfy `accept` (those already published count). */
  async diagnostics(uri: string, accept: (p: PublishedDiagnostics) => boolean = () => true, timeoutMs = 120_000): Promise<PublishedDiagnostics> {
    const deadline = Date.now() + timeoutMs;
    for (let seen = 0; ; ) {
      for (; seen < this.published.length; seen++) {
        const p = this.published[seen]!;
        if (p.uri === uri && accept(p)) return p;
      }
      if (Date.now() > deadline) throw new Error(`no matching diagnostics for ${uri}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  request<T>(method: string, params: object): Promise<T> {
    return this.connection.sendRequest<T>(method, params);
  }

  async close(): Promise<number | null> {
    await this.connection.sendRequest('shutdown');
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
