/** Formatting a Report in any of the supported formats. */
import { formatGithub } from './github.js';
import { formatHtml, type HtmlOptions } from './html.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import { formatReviewText } from './review-text.js';
import { formatMail } from './mail.js';
import { formatReviewHtml } from './review-html.js';
import type { Report, ReportFormat } from './types.js';

export * from './types.js';
export { dedupeDiagnostics, sortDiagnostics, relativeToCwd } from './order.js';
export { wantsColor } from './text.js';

export interface FormatOptions {
  color?: boolean;
  html?: HtmlOptions;
  cwd?: string;
}

export function formatReport(report: Report, format: ReportFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'text':
      return report.diff ? formatReviewText(report, { color: !!options.color }) : formatText(report, { color: !!options.color });
    case 'mail':
      return formatMail(report);
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, options.cwd);
    case 'github':
      return formatGithub(report);
    case 'html':
      return report.diff ? formatReviewHtml(report) : formatHtml(report, options.html);
  }
}
