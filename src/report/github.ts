/**
 * `--format github`: GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::msg`),
 * which the runner turns into annotations on the pull request's diff.
 */
import type { Severity } from '../diagnostics.js';
import { summaryLine, diagnosticSubject } from './text.js';
import type { Report } from './types.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Workflow-command escaping: data escapes %, CR, LF; properties also ':' and ','. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(report: Report): string {
  const lines = report.diagnostics.map((d) => {
    const props: string[] = [];
    if (d.span) {
      props.push(`file=${escapeProperty(d.span.file)}`, `line=${d.span.line}`, `col=${d.span.column}`);
      if (d.span.endLine !== undefined) props.push(`endLine=${d.span.endLine}`);
      if (d.span.endLine === d.span.line && d.span.endColumn !== undefined) props.push(`endColumn=${d.span.endColumn}`);
    }
    props.push(`title=${escapeProperty(d.rule)}`);
    return `::${COMMAND[d.severity]} ${props.join(',')}::${escapeData(`${diagnosticSubject(d)}${d.message}`)}`;
  });
  lines.push(summaryLine(report));
  return lines.join('\n') + '\n';
}
