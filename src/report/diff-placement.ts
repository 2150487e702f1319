/**
 * Where review's findings go in the patch (`--format mail` and `--format html`): each introduced
 * finding at the diff line of its position after the patch, each fixed one at its line before it;
 * findings on lines the patch does not show are left over. Under a run of - and + lines, a finding
 * is shown after the whole run, so the reader sees the old and the new text above it.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { Report } from './types.js';
import { parseUnifiedDiff, type DiffFile, type DiffHunk, type DiffLine } from './unified-diff.js';

export interface PlacedFinding {
  d: Diagnostic;
  fixed: boolean;
}

export interface Placement {
  files: DiffFile[];
  at: Map<DiffLine, PlacedFinding[]>;
  /** Findings on lines the patch does not show, introduced first. */
  elsewhere: PlacedFinding[];
}

export function placeFindings(report: Report): Placement {
  const review = report.review;
  const files = review ? parseUnifiedDiff(review.diff) : [];
  const at = new Map<DiffLine, PlacedFinding[]>();
  const elsewhere: PlacedFinding[] = [];
  const place = (d: Diagnostic, fixed: boolean) => {
    const line = review && d.span ? lineOf(files, path.relative(review.tree, path.resolve(d.span.file)), d.span.line, fixed) : undefined;
    if (line) at.set(line, [...(at.get(line) ?? []), { d, fixed }]);
    else elsewhere.push({ d, fixed });
  };
  for (const d of report.diagnostics) place(d, false);
  for (const d of report.fixed ?? []) place(d, true);
  return { files, at, elsewhere };
}

/** By index of the hunk line they are written after: the findings placed on the hunk's lines. */
export function findingsBelow(hunk: DiffHunk, at: ReadonlyMap<DiffLine, PlacedFinding[]>): Map<number, PlacedFinding[]> {
  const runs = changeRuns(hunk.lines);
  const below = new Map<number, PlacedFinding[]>();
  hunk.lines.forEach((l, i) => {
    if (at.has(l)) below.set(runs[i].end, [...(below.get(runs[i].end) ?? []), ...at.get(l)!]);
  });
  return below;
}

/** For each line of a hunk, the first and last index of the run of -/+ lines it is in (itself for context lines). */
export function changeRuns(lines: readonly DiffLine[]): { start: number; end: number }[] {
  const change = (i: number) => i >= 0 && i < lines.length && /^[-+]/.test(lines[i].text);
  return lines.map((_, i) => {
    if (!change(i)) return { start: i, end: i };
    let start = i;
    let end = i;
    while (change(start - 1)) start--;
    while (change(end + 1)) end++;
    return { start, end };
  });
}

function lineOf(files: readonly DiffFile[], file: string, line: number, before: boolean): DiffLine | undefined {
  for (const f of files) {
    if ((before ? f.oldPath : f.newPath) !== file) continue;
    for (const h of f.hunks) {
      const hit = h.lines.find((l) => (before ? l.oldLine : l.newLine) === line);
      if (hit) return hit;
    }
  }
  return undefined;
}
