/**
 * A workspace run's findings as LSP diagnostics for one open file: those whose span is in the file
 * (or whose include/macro chain passes through it), at the lines `check` prints. A finding every
 * target shares is published once, naming the targets when the file is checked on more than one.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic, Span } from '../diagnostics.js';
import { pathToUri, spanRange, type TextOf } from './text.js';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** The span itself when it is in `file`, else the first place of its include/macro chain that is. */
export function spanIn(span: Span | undefined, isFile: (f: string) => boolean): Span | undefined {
  if (!span) return undefined;
  if (isFile(span.file)) return span;
  const via = span.via?.find((v) => isFile(v.file));
  return via && { file: via.file, line: via.line, column: via.column };
}

export function toLspDiagnostics(
  perTarget: { target: string; diagnostics: Diagnostic[] }[],
  isFile: (f: string) => boolean,
  textOf: TextOf,
): LspDiagnostic[] {
  const byKey = new Map<string, { d: LspDiagnostic; targets: string[] }>();
  const lines = new Map<string, string[]>();
  const lineOf = (span: Span) => {
    let l = lines.get(span.file);
    if (!l) lines.set(span.file, (l = (textOf(span.file) ?? '').split('\n')));
    return l[span.line - 1];
  };
  for (const { target, diagnostics } of perTarget) {
    for (const d of diagnostics) {
      const span = spanIn(d.span, isFile);
      if (!span) continue;
      const range = spanRange(span, lineOf(span));
      const key = JSON.stringify([d.rule, d.message.replace(/'[^']*\.dtso?'/g, ''), range]);
      const seen = byKey.get(key);
      if (seen) {
        seen.targets.push(target);
        continue;
      }
      const lsp: LspDiagnostic = { range, severity: SEVERITY[d.severity], source: 'dtoverlay-check', code: d.rule, message: d.path && !d.message.includes(d.path) ? `${d.message} (${d.path})` : d.message };
      if (d.related?.length) {
        lsp.relatedInformation = d.related.map((r) => ({ location: { uri: pathToUri(r.span.file), range: spanRange(r.span, lineOf(r.span)) }, message: r.message }));
      }
      byKey.set(key, { d: lsp, targets: [target] });
    }
  }
  const multi = perTarget.length > 1;
  return [...byKey.values()].map(({ d, targets }) => (multi ? { ...d, message: `${d.message} [${targets.join(', ')}]` } : d));
}
