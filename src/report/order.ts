/**
 * One list out of many stages: the same finding reported by two stages (a dtc check on the base
 * compile and again on the merged tree) is kept once, at its highest severity; the list is sorted
 * by file, line and column, findings without a position last.
 */
import * as path from 'node:path';
import type { Diagnostic, Severity } from '../diagnostics.js';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Same rule, node, property, message and position: one finding, whichever stage or board reported it. */
export function diagnosticIdentity(d: Diagnostic): string {
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : '';
  return `${d.rule}\u0000${d.path ?? ''}\u0000${d.property ?? ''}\u0000${d.message}\u0000${where}`;
}

export function dedupeDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const kept = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    const key = diagnosticIdentity(d);
    const seen = kept.get(key);
    if (!seen) kept.set(key, d);
    else if (RANK[d.severity] < RANK[seen.severity]) kept.set(key, { ...seen, severity: d.severity });
  }
  return [...kept.values()];
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.span && !b.span) return -1;
  if (!a.span && b.span) return 1;
  if (a.span && b.span) {
    if (a.span.file !== b.span.file) return a.span.file < b.span.file ? -1 : 1;
    if (a.span.line !== b.span.line) return a.span.line - b.span.line;
    if (a.span.column !== b.span.column) return a.span.column - b.span.column;
  }
  if (RANK[a.severity] !== RANK[b.severity]) return RANK[a.severity] - RANK[b.severity];
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  return (a.path ?? '').localeCompare(b.path ?? '');
}

export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(compareDiagnostics);
}

/** Paths inside `cwd` become relative (what editors and CI annotations expect); others stay absolute. */
export function relativeToCwd(diagnostics: readonly Diagnostic[], cwd = process.cwd()): Diagnostic[] {
  const rel = (file: string): string => {
    if (!path.isAbsolute(file)) return file;
    const r = path.relative(cwd, file);
    return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
  };
  return diagnostics.map((d) => {
    const out: Diagnostic = { ...d };
    if (d.span) out.span = { ...d.span, file: rel(d.span.file) };
    if (d.related) out.related = d.related.map((r) => ({ ...r, span: { ...r.span, file: rel(r.span.file) } }));
    return out;
  });
}
