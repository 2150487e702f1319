/**
 * review's text report: the semantic diff of each affected board, a diff shared by several boards
 * printed once under all their names; then the findings the patch introduces, in the gcc style of
 * report/text.ts with the boards they are on, and those it fixes.
 */
import * as path from 'node:path';
import { formatDiffText, isEmptyDiff } from '../diff/diff.js';
import type { Span } from '../diagnostics.js';
import { SourceCache } from './excerpt.js';
import { diagnosticLines, type TextOptions } from './text.js';
import type { Report, ReviewBoard } from './types.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function relative(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}

function diffBody(b: ReviewBoard): string {
  if (b.status === 'removed') return '(removed by the patch)\n';
  if (!b.diff) return b.status === 'failed' ? '(the patched tree cannot be built)\n' : '(nothing to compare with)\n';
  return isEmptyDiff(b.diff) ? '(no change in the merged tree)\n' : formatDiffText(b.diff, (s: Span) => `${relative(s.file)}:${s.line}`);
}

/** Boards with the same status and the same diff, in report order. */
export function groupBoardsByDiff(boards: readonly ReviewBoard[]): { boards: ReviewBoard[]; body: string }[] {
  const groups = new Map<string, { boards: ReviewBoard[]; body: string }>();
  for (const b of boards) {
    const body = diffBody(b);
    const key = `${b.status}\u0000${body}`;
    const group = groups.get(key);
    if (group) group.boards.push(b);
    else groups.set(key, { boards: [b], body });
  }
  return [...groups.values()];
}

/** One line for the group, or one per board when they are compared with different things. */
export function groupHeader(boards: readonly ReviewBoard[]): string {
  const status = boards[0].status;
  if (status === 'removed') return `== ${boards.map((b) => b.board).join(', ')}: removed`;
  if (boards.every((b) => b.comparedWith === boards[0].comparedWith)) {
    const compared = boards.length > 1 && boards[0].comparedWith === 'itself before the patch' ? 'each compared with itself before the patch' : `compared with ${boards[0].comparedWith}`;
    return `== ${boards.map((b) => b.board).join(', ')}: ${status}, ${compared}`;
  }
  return boards.map((b) => `== ${b.board}: ${status}, compared with ${b.comparedWith}`).join('\n');
}

export function formatReviewText(report: Report, options: TextOptions): string {
  const boards = report.diff ?? [];
  const out: string[] = [];
  if (!boards.length) out.push('the patch affects no board or composition');
  for (const group of groupBoardsByDiff(boards)) out.push(groupHeader(group.boards), group.body.replace(/\n$/, ''));
  out.push('');
  const sources = new SourceCache(report.sourceTexts);
  for (const d of report.diagnostics) out.push(...diagnosticLines(d, sources, options));
  // Fixed findings point at the text before the patch: no excerpt.
  for (const d of report.fixed ?? []) out.push(...diagnosticLines(d, sources, { ...options, excerpts: false }, 'fixed: '));
  const s = report.summary;
  const counts = [plural(s.errors, 'new error'), plural(s.warnings, 'new warning'), `${report.fixed?.length ?? 0} fixed`];
  if (s.baselined) counts.push(`${s.baselined} in baseline`);
  const line = `${report.inputs.join(' + ')}: ${counts.join(', ')} on ${plural(boards.length, 'affected board')}`;
  out.push(options.color ? `\x1b[1m${line}\x1b[0m` : line);
  return out.join('\n') + '\n';
}
