/**
 * Go to definition (labels, `#include` files, macros), find references (labels across the files
 * the runs read and the open buffers), symbols (the outline of nodes and overlay fragments from the
 * parsed source; labels across the workspace), completion (labels after `&`) and the code action
 * that replaces a misspelt label with a close one (overlay/errors.ts `suggestSimilar`).
 */
import * as path from 'node:path';
import {
  CodeActionKind,
  CompletionItemKind,
  SymbolKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Location,
  type Position,
  type SymbolInformation,
} from 'vscode-languageserver';
import type { ChildItem, NodeBody, PropItem } from '../dts/ast.js';
import type { Span } from '../diagnostics.js';
import { suggestSimilar } from '../overlay/errors.js';
import { basesOf, findLabel, labelsOf, treesOf, type FileContext } from './context.js';
import { findDefine } from './macros.js';
import { compatibleStrings, nodeAt, propertyNames } from './bindings.js';
import { labelSpan, pathToUri, spanRange, wordAt } from './text.js';
import type { TargetRun } from '../workspace/workspace.js';

function location(span: Span, ctx: FileContext): Location {
  const line = ctx.textOf(span.file)?.split('\n')[span.line - 1];
  return { uri: pathToUri(span.file), range: spanRange(span, line) };
}

const INCLUDE = /^\s*(?:#\s*include\s*[<"]([^>"]+)[>"]|\/include\/\s*"([^"]+)")/;

export function definition(ctx: FileContext, pos: Position): Location[] {
  const lineText = ctx.lines[pos.line] ?? '';
  const include = INCLUDE.exec(lineText);
  if (include) {
    const name = include[1] ?? include[2]!;
    const deps = new Set(ctx.runs.flatMap(({ run }) => run.dependencies));
    const file = [...deps].find((d) => d === name || d.endsWith(`/${name}`));
    return file ? [{ uri: pathToUri(path.resolve(file)), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : [];
  }
  const word = wordAt(lineText, pos.character);
  if (!word) return [];
  const label = word.word.replace(/^&/, '');
  const found = findLabel(ctx.runs, label);
  if (found) {
    const span = labelSpan(found.node, label, ctx.textOf);
    if (span) return [location(span, ctx)];
  }
  const define = findDefine(ctx, word.word);
  if (define) return [location({ file: define.file, line: define.line, column: define.column, endLine: define.line, endColumn: define.column + word.word.length - 1 }, ctx)];
  return [];
}

/** Every `&label` and `label:` in the source files the runs read (headers aside) and in the open file. */
export function references(ctx: FileContext, pos: Position, includeDeclaration: boolean): Location[] {
  const word = wordAt(ctx.lines[pos.line] ?? '', pos.character);
  if (!word) return [];
  const label = word.word.replace(/^&/, '');
  if (!/^[A-Za-z_][\w]*$/.test(label)) return [];
  const files = new Set([ctx.file, ...ctx.runs.flatMap(({ run }) => run.dependencies.filter((d) => /\.dts[io]?$/.test(d)).map((d) => path.resolve(d)))]);
  const ref = new RegExp(`&${label}\\b|(?<![\\w&])${label}\\s*:(?!=)`, 'g');
  const out: Location[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const text = file === ctx.file ? ctx.text : ctx.textOf(file);
    if (text === undefined) continue;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      for (const m of lines[i]!.matchAll(ref)) {
        const isDeclaration = !m[0].startsWith('&');
        if (isDeclaration && !includeDeclaration) continue;
        const start = m.index! + (isDeclaration ? 0 : 1);
        const key = `${file}:${i}:${start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ uri: pathToUri(file), range: { start: { line: i, character: start }, end: { line: i, character: start + label.length } } });
      }
    }
  }
  return out;
}

/**
 * The outline of the open file from the parsed source of the run input it belongs to (or that
 * includes it): `&label { … }` fragments (named `fragment@N` as dtc numbers them), nodes, properties.
 */
export function documentSymbols(ctx: FileContext): DocumentSymbol[] {
  for (const { run } of ctx.runs) {
    for (const input of run.inputs) {
      const source = input.source;
      if (!source) continue;
      const symbols: DocumentSymbol[] = [];
      let fragment = 0;
      for (const item of source.items) {
        if (item.kind === 'extend') {
          const n = fragment++;
          if (!ctx.isFile(item.ref.span.file)) continue;
          const range = spanRange({ ...item.body.span, line: item.ref.span.line, column: item.ref.span.column });
          const name = item.ref.kind === 'label' ? `&${item.ref.text}` : `&{${item.ref.text}}`;
          symbols.push({ name, detail: source.plugin ? `fragment@${n}` : undefined, kind: SymbolKind.Namespace, range, selectionRange: spanRange(item.ref.span), children: bodySymbols(item.body, ctx) });
        } else if (item.kind === 'root') {
          if (ctx.isFile(item.body.span.file)) symbols.push({ name: '/', kind: SymbolKind.Namespace, range: spanRange(item.body.span), selectionRange: spanRange({ ...item.body.span, endLine: undefined, endColumn: undefined }), children: bodySymbols(item.body, ctx) });
          else symbols.push(...bodySymbols(item.body, ctx));
        }
      }
      if (symbols.length) return symbols;
    }
  }
  return [];
}

function bodySymbols(body: NodeBody, ctx: FileContext): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const prop of body.props) {
    if (prop.kind !== 'property' || !ctx.isFile(prop.span.file)) continue;
    out.push(propertySymbol(prop));
  }
  for (const child of body.children) {
    if (child.kind !== 'node') continue;
    out.push(...childSymbols(child, ctx));
  }
  return out;
}

function propertySymbol(prop: Extract<PropItem, { kind: 'property' }>): DocumentSymbol {
  const range = spanRange(prop.span);
  return { name: prop.name, kind: SymbolKind.Property, range, selectionRange: { start: range.start, end: { line: range.start.line, character: range.start.character + prop.name.length } } };
}

/** A node written in this file becomes a symbol; one written elsewhere passes on its children written here (a `.dtsi` inside a board's tree). */
function childSymbols(child: Extract<ChildItem, { kind: 'node' }>, ctx: FileContext): DocumentSymbol[] {
  const children = bodySymbols(child.body, ctx);
  if (!ctx.isFile(child.nameSpan.file)) return children;
  const range = spanRange({ ...child.body.span, line: child.nameSpan.line, column: child.nameSpan.column });
  const selection = spanRange({ ...child.nameSpan, endLine: child.nameSpan.line, endColumn: child.nameSpan.column + child.name.length - 1 });
  return [{ name: child.name, detail: child.labels.length ? child.labels.map((l) => `${l}:`).join(' ') : undefined, kind: SymbolKind.Object, range, selectionRange: selection, children }];
}

/** Labels of every tree the open files were last checked on, filtered by the query (a substring). */
export function workspaceSymbols(runs: TargetRun[], query: string, ctx: Pick<FileContext, 'textOf'>): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const seen = new Set<string>();
  const q = query.toLowerCase();
  for (const tree of treesOf(runs)) {
    for (const [label, node] of labelsOf(tree)) {
      if (seen.has(label) || !label.toLowerCase().includes(q)) continue;
      seen.add(label);
      const span = labelSpan(node, label, ctx.textOf);
      if (!span) continue;
      out.push({ name: label, kind: SymbolKind.Constant, containerName: node.path, location: { uri: pathToUri(path.resolve(span.file)), range: spanRange(span) } });
      if (out.length >= 1000) return out;
    }
  }
  return out;
}

/** After `&`: the labels of the base trees (what an overlay can refer to), with each node's path. */
export async function completion(ctx: FileContext, pos: Position): Promise<CompletionItem[]> {
  const before = (ctx.lines[pos.line] ?? '').slice(0, pos.character);
  const m = /&([\w]*)$/.exec(before);
  if (!m) return bindingCompletion(ctx, pos, before);
  const items = new Map<string, CompletionItem>();
  const trees = basesOf(ctx.runs);
  for (const tree of trees.length ? trees : treesOf(ctx.runs)) {
    for (const [label, node] of labelsOf(tree)) {
      if (!items.has(label)) items.set(label, { label, kind: CompletionItemKind.Reference, detail: node.path });
    }
  }
  return [...items.values()];
}

/** With bindings: compatible strings inside `compatible = "…`, else at the start of a line the property names of the node's binding. */
async function bindingCompletion(ctx: FileContext, pos: Position, before: string): Promise<CompletionItem[]> {
  const inCompatible = /^\s*compatible\s*=\s*(?:"[^"]*"\s*,\s*)*"[^"]*$/.test(before);
  if (!inCompatible && !/^\s*[\w,#-]*$/.test(before)) return [];
  const set = await ctx.schemaSet?.();
  if (!set) return [];
  if (inCompatible) return compatibleStrings(set).map((c) => ({ label: c, kind: CompletionItemKind.Value }));
  const node = nodeAt(ctx, pos);
  return node ? propertyNames(set, node).map((name) => ({ label: name, kind: CompletionItemKind.Property })) : [];
}

/** The did-you-mean fix: a reference to a label no base has, replaced by each close label. */
export function codeActions(ctx: FileContext, diagnostics: LspDiagnostic[], uri: string): CodeAction[] {
  const actions: CodeAction[] = [];
  const known = new Set<string>();
  for (const tree of basesOf(ctx.runs)) for (const label of labelsOf(tree).keys()) known.add(label);
  if (!known.size) return actions;
  for (const d of diagnostics) {
    if (d.source !== 'dtoverlay-check') continue;
    for (let line = d.range.start.line; line <= d.range.end.line; line++) {
      const text = ctx.lines[line] ?? '';
      for (const m of text.matchAll(/&([A-Za-z_]\w*)/g)) {
        const label = m[1]!;
        if (known.has(label)) continue;
        for (const fix of suggestSimilar(label, [...known])) {
          const range = { start: { line, character: m.index! + 1 }, end: { line, character: m.index! + 1 + label.length } };
          actions.push({ title: `Change '${label}' to '${fix}'`, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: actions.length === 0, edit: { changes: { [uri]: [{ range, newText: fix }] } } });
        }
      }
    }
  }
  return actions;
}
