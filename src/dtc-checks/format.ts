/**
 * dtc's stderr format for check messages (checks.c check_msg + srcpos.c srcpos_string):
 *
 *   FILE:LINE.COL-ENDCOL: Warning (NAME): /path:prop: message
 *   FILE:LINE.COL-ENDLINE.ENDCOL: ERROR (NAME): /path: message
 *     also defined at FILE:LINE.COL-ENDLINE.ENDCOL
 *   <stdout>: Warning (NAME): Failed prerequisite 'other'
 *
 * dtc's end column is one past the last character; our Span's endColumn is inclusive.
 */
import type { Diagnostic, Span } from '../diagnostics.js';

/** `srcpos_string`: the position as dtc prints it. */
export function dtcPosition(span: Span): string {
  const file = span.endFile ?? span.file; // a #line directive may name ""
  const endLine = span.endLine ?? span.line;
  const endColumn = span.endColumn === undefined ? span.column : span.endColumn + 1;
  if (endLine !== span.line) return `${file}:${span.line}.${span.column}-${endLine}.${endColumn}`;
  if (endColumn !== span.column) return `${file}:${span.line}.${span.column}-${endColumn}`;
  return `${file}:${span.line}.${span.column}`;
}

/** Messages that dtc words with a trailing "\n" of their own (so a blank line follows). */
const TRAILING_NEWLINE = /^Reference to non-existent node or label "/;

export interface DtcFormatOptions {
  /** dtc's `-o` argument; names messages that have no source position. Default `-` (stdout). */
  outname?: string;
}

/**
 * The text dtc writes to stderr for one check finding, newline(s) included; the "also defined at"
 * lines come from `related`.
 */
export function formatDtcDiagnostic(d: Diagnostic, options: DtcFormatOptions = {}): string {
  const name = d.rule.startsWith('dtc/') ? d.rule.slice(4) : d.rule;
  const outname = options.outname ?? '-';
  let text = d.span ? dtcPosition(d.span) : outname === '-' ? '<stdout>' : outname;
  text += `: ${d.severity === 'error' ? 'ERROR' : 'Warning'} (${name}): `;
  if (d.path !== undefined) text += d.property !== undefined ? `${d.path}:${d.property}: ` : `${d.path}: `;
  text += d.message;
  if (TRAILING_NEWLINE.test(d.message) && (name === 'phandle_references' || name === 'path_references')) {
    text += '\n';
  }
  text += '\n';
  if (d.property === undefined && d.span) {
    for (const r of d.related ?? []) {
      if (r.message === 'also defined at') text += `  also defined at ${dtcPosition(r.span)}\n`;
    }
  }
  return text;
}

/** Rules whose errors dtc stops on with `die()`: it prints the message alone, without a position. */
const DIES_WITHOUT_POSITION = /^(parse\/input|input\/read|dtb\/)/;

/**
 * An input error as dtc prints it (srcpos_error, lexical_error, die):
 *
 *   Error: FILE:LINE.COL-ENDCOL message          (parser and tree-building errors)
 *   Lexical error: FILE:LINE.COL-ENDCOL message  (scanner errors)
 *   FATAL ERROR: message                         (errors that stop the run)
 *
 * `fatal` is true for an error that stopped the run (a thrown DiagnosticError). Errors of ours
 * that dtc does not have (limits, the include sandbox) keep their position after "FATAL ERROR:".
 * `dtcMessage` is dtc's own wording where ours differs (blob header errors).
 */
export function formatDtcInputError(d: Diagnostic, fatal: boolean, dtcMessage?: string): string {
  if (d.rule === 'parse/scanner') return `${d.message}\n`; // flex's own fatal error
  if (fatal) {
    if (dtcMessage !== undefined) return `FATAL ERROR: ${dtcMessage}\n`;
    if (DIES_WITHOUT_POSITION.test(d.rule) || !d.span) return `FATAL ERROR: ${d.message}\n`;
    return `FATAL ERROR: ${dtcPosition(d.span)}: ${d.message}\n`;
  }
  const prefix = d.rule === 'parse/lexical' ? 'Lexical error' : 'Error';
  return d.span ? `${prefix}: ${dtcPosition(d.span)} ${d.message}\n` : `${prefix}: ${d.message}\n`;
}
