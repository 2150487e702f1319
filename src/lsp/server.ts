/**
 * `dtoverlay-check lsp --stdio`: the language server, on the maintained LSP libraries
 * (vscode-languageserver over JSON-RPC on stdio). It owns one Workspace (src/workspace/): open
 * buffers are laid over the disk, a change is checked after a pause in typing (`debounceMs`), runs
 * one at a time, and the findings of every run that checks a file are published for it.
 * Settings come as initializationOptions: `{ bindings?: string[] | true, soc?, el?, debounceMs? }`.
 */
import * as path from 'node:path';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type Connection, type InitializeParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Workspace, type TargetRun, type WorkspaceSettings } from '../workspace/workspace.js';
import type { FileContext } from './context.js';
import { toLspDiagnostics } from './diagnostics.js';
import { bindingHover, hover } from './hover.js';
import { codeActions, completion, definition, documentSymbols, references, workspaceSymbols } from './navigation.js';
import { diskText, pathToUri, uriToPath } from './text.js';

interface ServerSettings extends Omit<WorkspaceSettings, 'bindings'> {
  /** Binding folders, or true for the Linux tree's own (Documentation/devicetree/bindings). */
  bindings?: string[] | true;
  debounceMs?: number;
}

export async function runLanguageServer(): Promise<number> {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  // stdout carries the protocol: anything the engine logs goes to stderr
  console.log = console.error;
  new LanguageServer(connection).listen();
  return new Promise<number>((resolve) => connection.onExit(() => resolve(0)));
}

class LanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private workspace?: Promise<Workspace>;
  private settings: ServerSettings = {};
  /** Last runs per open file (kept while a later run is pending, so navigation never goes blank). */
  private readonly runs = new Map<string, TargetRun[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Runs go one at a time: they share the workspace's caches. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params: InitializeParams) => {
      this.settings = (params.initializationOptions ?? {}) as ServerSettings;
      const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
      this.workspace = this.openWorkspace(root ? uriToPath(root) : process.cwd());
      return {
        capabilities: {
          textDocumentSync: TextDocumentSyncKind.Incremental,
          hoverProvider: true,
          definitionProvider: true,
          referencesProvider: true,
          documentSymbolProvider: true,
          workspaceSymbolProvider: true,
          completionProvider: { triggerCharacters: ['&'] },
          codeActionProvider: { codeActionKinds: ['quickfix'] },
        },
        serverInfo: { name: 'dtoverlay-check' },
      };
    });
    this.documents.onDidOpen((e) => this.schedule(e.document, 0));
    this.documents.onDidChangeContent((e) => this.schedule(e.document, this.settings.debounceMs ?? 150));
    this.documents.onDidClose((e) => {
      const file = uriToPath(e.document.uri);
      clearTimeout(this.timers.get(file));
      this.runs.delete(file);
      void this.workspace?.then((ws) => ws.closeBuffer(file));
      void c.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    c.onDidChangeWatchedFiles((e) => {
      void this.workspace?.then((ws) => ws.changed(e.changes.map((ch) => uriToPath(ch.uri))));
    });
    c.onHover((p) => this.withContext(p.textDocument.uri, async (ctx) => hover(ctx, p.position) ?? (await bindingHover(ctx, p.position)) ?? null));
    c.onDefinition((p) => this.withContext(p.textDocument.uri, (ctx) => definition(ctx, p.position)));
    c.onReferences((p) => this.withContext(p.textDocument.uri, (ctx) => references(ctx, p.position, p.context.includeDeclaration)));
    c.onDocumentSymbol((p) => this.withContext(p.textDocument.uri, (ctx) => documentSymbols(ctx)));
    c.onCompletion((p) => this.withContext(p.textDocument.uri, (ctx) => completion(ctx, p.position)));
    c.onCodeAction((p) => this.withContext(p.textDocument.uri, (ctx) => codeActions(ctx, p.context.diagnostics, p.textDocument.uri)));
    c.onWorkspaceSymbol((p) => workspaceSymbols([...this.runs.values()].flat(), p.query, { textOf: (f) => this.textOf(f) }));
    this.documents.listen(c);
    c.listen();
  }

  private async openWorkspace(root: string): Promise<Workspace> {
    const { bindings, debounceMs: _, ...rest } = this.settings;
    const ws = await Workspace.open(root, { ...rest, ...(bindings === true ? { treeBindings: true } : bindings ? { bindings } : {}) });
    this.connection.onShutdown(() => ws.dispose());
    return ws;
  }

  /** An open buffer's text, else the disk. */
  private textOf(file: string): string | undefined {
    const doc = this.documents.get(pathToUri(path.resolve(file)));
    return doc ? doc.getText() : diskText(file);
  }

  private async withContext<T>(uri: string, answer: (ctx: FileContext) => T | Promise<T>): Promise<T | null> {
    const doc = this.documents.get(uri);
    if (!doc) return null;
    // wait for the pending run of this file, so an answer reflects the text the editor shows
    await this.queue;
    const ws = await this.workspace;
    const file = uriToPath(uri);
    const real = ws?.realpath(file) ?? file;
    const text = doc.getText();
    const ctx: FileContext = {
      file,
      text,
      lines: text.split('\n'),
      runs: this.runs.get(file) ?? [],
      textOf: (f) => this.textOf(f),
      isFile: (f) => f === file || (ws?.realpath(f) ?? f) === real,
      schemaSet: async () => {
        const target = ctx.runs[0]?.target;
        const options = target && ws ? await ws.optionsFor(target) : undefined;
        if (!options?.bindings.length) return undefined;
        const { schemaSetFor } = await import('../pipeline/engines.js');
        return (await schemaSetFor(options)).set;
      },
    };
    return await answer(ctx);
  }

  private schedule(doc: TextDocument, delay: number): void {
    const file = uriToPath(doc.uri);
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        this.queue = this.queue.then(() => this.check(doc.uri)).catch((err) => this.connection.console.error(`dtoverlay-check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
      }, delay),
    );
  }

  private async check(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    const ws = await this.workspace;
    if (!doc || !ws) return;
    const file = uriToPath(uri);
    const version = doc.version;
    ws.setBuffer(file, doc.getText());
    const runs = await ws.check(file);
    // a newer change is waiting: publish only for the text the editor still shows
    if (this.documents.get(uri)?.version !== version) return;
    this.runs.set(file, runs);
    const real = ws.realpath(file);
    const perTarget = await Promise.all(runs.map(async ({ target, run }) => ({ target: target.name, diagnostics: await ws.configured(run.report.diagnostics) })));
    const diagnostics = toLspDiagnostics(perTarget, (f) => f === file || ws.realpath(f) === real, (f) => this.textOf(f));
    await this.connection.sendDiagnostics({ uri, version, diagnostics });
  }
}
