/**
 * What the language server needs from source text and spans: file URIs, our 1-based spans as
 * LSP's 0-based ranges, the word under the cursor, and where a label is written (the tree keeps
 * nodes' spans, not their labels' spans: the label is found on the lines that define the node).
 */
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Range } from 'vscode-languageserver';
import type { Span } from '../diagnostics.js';
import type { Node } from '../tree/model.js';
import { walkLive } from '../tree/walk.js';

export function uriToPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

/** A span as a range: to its end when it has one, else to the end of the word it starts. */
export function spanRange(span: Span, lineText?: string): Range {
  const line = span.line - 1;
  const start = Math.max(0, span.column - 1);
  if (span.endLine !== undefined && span.endColumn !== undefined && !span.endFile) {
    return { start: { line, character: start }, end: { line: span.endLine - 1, character: span.endColumn } };
  }
  let end = start + 1;
  if (lineText !== undefined) {
    end = start;
    while (end < lineText.length && /[\w,.#@&+-]/.test(lineText[end]!)) end++;
    if (end === start) end = lineText.length;
  }
  return { start: { line, character: start }, end: { line, character: end } };
}

/** The word (label, property or macro name, number) at a character of a line, with `&` kept when it precedes a label. */
export function wordAt(lineText: string, character: number): { word: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[\w,.#+-]/.test(c);
  let start = character;
  let end = character;
  while (start > 0 && isWord(lineText[start - 1])) start--;
  while (end < lineText.length && isWord(lineText[end])) end++;
  if (start === end) return undefined;
  if (lineText[start - 1] === '&') start--;
  return { word: lineText.slice(start, end), start, end };
}

/** Reads files for the server: an open buffer's text first, else the disk (cached per request by the caller). */
export type TextOf = (file: string) => string | undefined;

export function diskText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every node with a label, by label (a tree's labels are unique once it is built). */
export function labelIndex(root: Node): Map<string, Node> {
  const byLabel = new Map<string, Node>();
  walkLive(root, (node) => {
    for (const label of node.labels) if (!byLabel.has(label)) byLabel.set(label, node);
  });
  return byLabel;
}

/** Where `label:` is written: the node's defining lines searched for it, else the node's first span. */
export function labelSpan(node: Node, label: string, textOf: TextOf): Span | undefined {
  const written = new RegExp(`(^|[^\\w&])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`);
  for (const span of node.spans) {
    const text = textOf(span.file);
    const line = text?.split('\n')[span.line - 1];
    const m = line === undefined ? null : written.exec(line);
    if (m) {
      const column = m.index + m[1]!.length + 1;
      return { file: span.file, line: span.line, column, endLine: span.line, endColumn: column + label.length - 1 };
    }
  }
  return node.span;
}
