/**
 * The short source excerpt under an error message, gcc style:
 *
 *   board.dts:12:9: error: syntax error
 *      12 |     reg = <0x1000 0x10>
 *         |         ^~~~
 */
import { excerptWindow, type Span } from '../diagnostics.js';

/** Two lines (source line, caret line) for a span, or [] when the line cannot be read. */
export function excerpt(span: Span, readText: (file: string) => string | undefined): string[] {
  const text = readText(span.file);
  if (text === undefined) return [];
  let start = 0;
  for (let line = 1; line < span.line; line++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return [];
    start = nl + 1;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  const source = text.slice(start, end).replace(/\r$/, '');
  if (span.column < 1 || span.column > source.length + 1) return [];
  const gutter = String(span.line).padStart(5);
  // a long line is cut around the column, and marked with … where it is cut
  const cut = excerptWindow(source.length, span.column);
  const before = cut.start > 0 ? '…' : '';
  const after = cut.end < source.length ? '…' : '';
  const shown = source.slice(cut.start, cut.end);
  const column = span.column - cut.start;
  // keep tabs under tabs so the caret lines up however the terminal expands them
  const lead = (before ? ' ' : '') + display(shown.slice(0, column - 1)).replace(/[^\t]/g, ' ');
  const width = span.endLine === undefined || span.endLine === span.line ? Math.max(1, (span.endColumn ?? span.column) - span.column + 1) : 1;
  const marks = '^' + '~'.repeat(Math.max(0, Math.min(width, shown.length - column + 1) - 1));
  return [`${gutter} | ${before}${display(shown)}${after}`, `${' '.repeat(gutter.length)} | ${lead}${marks}`];
}

/** A line of source bytes (one char per byte) as text for a terminal: UTF-8 decoded, controls shown as '?'. */
function display(bytes: string): string {
  // eslint-disable-next-line no-control-regex
  return Buffer.from(bytes, 'latin1').toString('utf8').replace(/[\x00-\x08\x0a-\x1f\x7f\ufffd]/g, '?');
}
