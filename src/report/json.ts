/**
 * `--format json`: the Report object as it is (docs/output.schema.json), spans reduced to
 * {file, line, column[, endLine, endColumn]} as DESIGN.md says.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Report } from './types.js';

function plainSpan(span: Span): Span {
  const out: Span = { file: span.file, line: span.line, column: span.column };
  if (span.endLine !== undefined) out.endLine = span.endLine;
  if (span.endColumn !== undefined) out.endColumn = span.endColumn;
  return out;
}

export function plainDiagnostic(d: Diagnostic): Diagnostic {
  const out: Diagnostic = { rule: d.rule, severity: d.severity, message: d.message };
  if (d.path !== undefined) out.path = d.path;
  if (d.property !== undefined) out.property = d.property;
  if (d.span) out.span = plainSpan(d.span);
  if (d.boards) out.boards = d.boards;
  if (d.related?.length) out.related = d.related.map((r) => ({ message: r.message, span: plainSpan(r.span) }));
  return out;
}

export function formatJson(report: Report): string {
  const out: Record<string, unknown> = {
    tool: report.tool,
    command: report.command,
    inputs: report.inputs,
    stages: report.stages,
    summary: report.summary,
    diagnostics: report.diagnostics.map(plainDiagnostic),
  };
  if (report.sidMap) out.sidMap = report.sidMap;
  if (report.boards) out.boards = report.boards;
  if (report.diff !== undefined) out.diff = report.diff.map((b) => ({ ...b, introduced: b.introduced.map(plainDiagnostic), fixed: b.fixed.map(plainDiagnostic) }));
  if (report.fixed !== undefined) out.fixed = report.fixed.map(plainDiagnostic);
  if (report.simulation !== undefined) out.simulation = report.simulation;
  return JSON.stringify(out, null, 2) + '\n';
}
