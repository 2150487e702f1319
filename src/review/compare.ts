/**
 * The same finding before and after a change: `review` (a patch), `hook` (the staged change) and
 * `check --new-since` (a revision) check two copies of a tree and keep only what the change
 * introduced. A finding is matched by rule, severity, node path, property, message and file
 * relative to its copy's root — not by line, so a finding moved by lines inserted above it is not
 * new. Counts are kept: a second identical finding after the change is new.
 */
import * as path from 'node:path';
import type { Diagnostic, Span } from '../diagnostics.js';

/** A finding as a comparable key: paths inside `root` made relative to it. */
export function findingKey(d: Diagnostic, root: string): string {
  const file = d.span ? path.relative(root, d.span.file) : '';
  return [d.rule, d.severity, d.path ?? '', d.property ?? '', d.message.split(root).join(''), file].join('\u0000');
}

/** A span inside a temporary copy at `from` points at the same file under `to`. */
export function rebaseSpan(span: Span, from: string, to: string): Span {
  return span.file.startsWith(from + path.sep) ? { ...span, file: path.join(to, path.relative(from, span.file)) } : span;
}

/** Spans inside a temporary copy at `from` point at the same file under `to` (what editors open). */
export function rebaseFinding(d: Diagnostic, from: string, to: string): Diagnostic {
  if (from === to) return d;
  return {
    ...d,
    message: d.message.split(from).join(to),
    ...(d.span ? { span: rebaseSpan(d.span, from, to) } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ ...r, span: rebaseSpan(r.span, from, to) })) } : {}),
  };
}

export interface FindingComparison {
  /** After the change and not before: what the change introduced. */
  introduced: Diagnostic[];
  /** After the change and already before it. */
  existing: Diagnostic[];
  /** Before the change and no longer after it. */
  fixed: Diagnostic[];
}

/** Splits the findings after a change (paths under `afterRoot`) by whether they were there before (under `beforeRoot`). */
export function compareFindings(before: readonly Diagnostic[], beforeRoot: string, after: readonly Diagnostic[], afterRoot: string): FindingComparison {
  const remaining = new Map<string, number>();
  for (const d of before) {
    const k = findingKey(d, beforeRoot);
    remaining.set(k, (remaining.get(k) ?? 0) + 1);
  }
  const introduced: Diagnostic[] = [];
  const existing: Diagnostic[] = [];
  for (const d of after) {
    const k = findingKey(d, afterRoot);
    const n = remaining.get(k) ?? 0;
    if (n > 0) {
      remaining.set(k, n - 1);
      existing.push(d);
    } else introduced.push(d);
  }
  // The same count in the other direction: of two identical findings before, one left is one fixed.
  const left = new Map<string, number>();
  for (const d of after) {
    const k = findingKey(d, afterRoot);
    left.set(k, (left.get(k) ?? 0) + 1);
  }
  const fixed: Diagnostic[] = [];
  for (const d of before) {
    const k = findingKey(d, beforeRoot);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else fixed.push(d);
  }
  return { introduced, existing, fixed };
}
