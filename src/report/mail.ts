/**
 * review's `--format mail`: a reply to the patch as reviewers write them on linux-arm-msm and the
 * other kernel lists. The attribution line, then the patch quoted with `> ` (its `diff --git`
 * header and the `@@` line of each hunk that has a finding), each finding as plain text right under
 * the quoted line it is about, with the boards it is on; hunks and lines far from any finding are
 * cut to `[...]`. Findings on lines the patch does not show come after the quote, with the line
 * they are about (from the patched tree); a one-paragraph summary ends the reply. Prose is
 * wrapped at 72 columns; quoted lines never are.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { SourceCache } from './excerpt.js';
import { diagnosticSubject } from './text.js';
import type { Report } from './types.js';
import { changeRuns, findingsBelow, placeFindings } from './diff-placement.js';

const WIDTH = 72;
/** Quoted lines kept above a finding: enough to see the node it is in. */
const CONTEXT = 6;
const CUT = '[...]';

export function wrap(text: string, width = WIDTH): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** A finding in prose: paths in the tree as the list writes them, relative to its top. */
function findingParagraph(d: Diagnostic, fixed: boolean, tree: string | undefined): string[] {
  const message = tree ? d.message.split(tree + path.sep).join('') : d.message;
  const lines = wrap(`${fixed ? 'Fixed ' : ''}${d.severity}: ${diagnosticSubject(d)}${message} [${d.rule}]`);
  if (d.boards?.length) lines.push(...wrap(`${fixed ? 'Was on' : 'On'} ${listed(d.boards)}.`));
  return lines;
}

/** Blocks of the reply: quoted runs and prose paragraphs, a blank line between any two. */
class Reply {
  readonly blocks: string[][] = [];
  private quoting = false;

  quote(line: string): void {
    if (!this.quoting) this.blocks.push([]);
    this.quoting = true;
    this.blocks[this.blocks.length - 1].push(line === '' ? '>' : `> ${line}`);
  }

  prose(lines: string[]): void {
    this.quoting = false;
    this.blocks.push(lines);
  }

  cut(): void {
    const last = this.blocks[this.blocks.length - 1];
    if (last?.length === 1 && last[0] === CUT) return;
    this.prose([CUT]);
  }
}

export function formatMail(report: Report): string {
  const review = report.review;
  const { files, at, elsewhere } = placeFindings(report);

  const reply = new Reply();
  // Nothing to put under a quoted line: the reply still shows which files it is about.
  if (!at.size) for (const file of files) file.header.forEach((l) => reply.quote(l));
  for (const file of files) {
    const hunks = file.hunks.filter((h) => h.lines.some((l) => at.has(l)));
    if (!hunks.length) {
      reply.cut();
      continue;
    }
    for (const line of file.header) reply.quote(line);
    for (const hunk of file.hunks) {
      if (!hunks.includes(hunk)) {
        reply.cut();
        continue;
      }
      reply.quote(hunk.header);
      // A finding on a - or + line is written after the whole run of - and + lines it is in, so
      // the reader sees the old and the new text above it.
      const runs = changeRuns(hunk.lines);
      const below = findingsBelow(hunk, at);
      const keep = (i: number) => [...below.keys()].some((m) => i <= m && i >= runs[m].start - CONTEXT);
      hunk.lines.forEach((line, i) => {
        if (!keep(i)) return reply.cut();
        reply.quote(line.text);
        for (const p of below.get(i) ?? []) reply.prose(findingParagraph(p.d, p.fixed, review?.tree));
      });
    }
  }
  if (elsewhere.length) {
    reply.prose(wrap('On lines the patch does not show:'));
    const sources = new SourceCache(report.sourceTexts);
    for (const p of elsewhere) {
      const lines: string[] = [];
      if (p.d.span) {
        const file = review ? path.relative(review.tree, path.resolve(p.d.span.file)) : p.d.span.file;
        lines.push(`${file}:${p.d.span.line}:`);
        // Fixed findings are about the text before the patch, which the report does not keep.
        const ex = p.fixed ? undefined : sources.excerpt(p.d.span);
        if (ex) lines.push(`${String(ex.line).padStart(5)} | ${ex.text}`);
      }
      reply.prose([...lines, ...findingParagraph(p.d, p.fixed, review?.tree)]);
    }
  }
  reply.prose(wrap(summary(report)));
  const body = reply.blocks.map((b) => b.join('\n')).join('\n\n');
  // The attribution sits right above the quote, as mail clients put it.
  return `${review?.attribution ? `${review.attribution}\n` : ''}${body}\n`;
}

function count(n: number, what: string): string {
  return `${n === 0 ? 'no' : n} ${what}${n === 1 ? '' : 's'}`;
}

function summary(report: Report): string {
  const boards = (report.diff ?? []).map((b) => b.board);
  const tool = `dtoverlay-check ${report.tool.version}`;
  if (!boards.length) return `${tool}: the patch affects no board or composition.`;
  const s = report.summary;
  const fixed = report.fixed?.length ?? 0;
  return `${tool} built ${listed(boards)} with and without the patch: ${count(s.errors, 'new error')}, ${count(s.warnings, 'new warning')}, ${fixed ? `${fixed} fixed` : 'nothing fixed'}.`;
}
