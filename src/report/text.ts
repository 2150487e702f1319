/**
 * The text report in the gcc/dtc convention, so editors, `make` log readers and CI parse it:
 *   lemans-el2.dtso:24:2: error: /soc@0/remoteproc@…:iommus: message [pas/smr-partial-overlap]
 *      24 | 	iommus = <&apps_smmu 0x21c0 0x0400>;
 *         | 	^~~~~~
 * Colour (gcc's palette) only when asked for: the CLI enables it on a TTY unless NO_COLOR is set.
 */
import type { Diagnostic, Severity } from '../diagnostics.js';
import { SourceCache } from './excerpt.js';
import type { Report } from './types.js';

export interface TextOptions {
  color: boolean;
  /** Source excerpts under each finding (default true). */
  excerpts?: boolean;
}

const SGR = { bold: '1', red: '1;31', magenta: '1;35', cyan: '1;36', green: '1;32', dim: '2' } as const;
const SEVERITY_COLOR: Record<Severity, keyof typeof SGR> = { error: 'red', warning: 'magenta', info: 'cyan' };

/** Colour when writing to a terminal, never when NO_COLOR is set (https://no-color.org), always with FORCE_COLOR. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}

export function diagnosticSubject(d: Diagnostic): string {
  if (!d.path) return '';
  return d.property ? `${d.path}:${d.property}: ` : `${d.path}: `;
}

/**
 * Findings the text report lists; the rest are counted (the summary line and `--format json`
 * have them all). Like gcc's -fmax-errors: one hostile line must not print without end.
 */
export const MAX_TEXT_DIAGNOSTICS = 1000;

export function formatText(report: Report, options: TextOptions): string {
  const sources = new SourceCache(report.sourceTexts);
  const out = report.diagnostics.slice(0, MAX_TEXT_DIAGNOSTICS).flatMap((d) => diagnosticLines(d, sources, options));
  const unlisted = report.diagnostics.length - MAX_TEXT_DIAGNOSTICS;
  if (unlisted > 0) out.push(`${painter(options.color)('cyan', 'note:')} ${plural(unlisted, 'more finding')} not listed (the first ${MAX_TEXT_DIAGNOSTICS} are; --format json lists all)`);
  if (report.boards) out.push(...boardTable(report.boards));
  out.push(summaryLine(report, options.color));
  return out.join('\n') + '\n';
}

type Paint = (style: keyof typeof SGR, s: string) => string;

function painter(color: boolean): Paint {
  return (style, s) => (color ? `\x1b[${SGR[style]}m${s}\x1b[0m` : s);
}

/** One finding: the gcc-style line, the source excerpt with its caret, the boards (review), the related notes. */
export function diagnosticLines(d: Diagnostic, sources: SourceCache, options: TextOptions, prefix = ''): string[] {
  const paint = painter(options.color);
  const out: string[] = [];
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : '';
  out.push(`${prefix}${paint('bold', where)}${paint(SEVERITY_COLOR[d.severity], `${d.severity}:`)} ${diagnosticSubject(d)}${d.message} ${paint('dim', `[${d.rule}]`)}`);
  const gutter = '     ';
  if (d.span && options.excerpts !== false) {
    const ex = sources.excerpt(d.span);
    if (ex) {
      out.push(`${String(ex.line).padStart(gutter.length)} | ${ex.text}`);
      out.push(`${gutter} | ${paint('green', ex.marker)}`);
    }
  }
  if (d.boards) out.push(`${gutter} = on ${d.boards.join(', ')}`);
  for (const r of d.related ?? []) out.push(`${paint('bold', `${r.span.file}:${r.span.line}:${r.span.column}:`)} ${paint('cyan', 'note:')} ${r.message}`);
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(report: Report, color = false): string {
  const s = report.summary;
  const counts = [plural(s.errors, 'error'), plural(s.warnings, 'warning')];
  if (s.infos) counts.push(plural(s.infos, 'note'));
  if (s.baselined) counts.push(`${s.baselined} in baseline`);
  // Stages not run for one reason are named together: "not run: apply, pas (x did not compile)".
  const byNote = new Map<string, string[]>();
  for (const st of report.stages) {
    if (st.status === 'ran') continue;
    const why = `${st.status === 'failed' ? 'failed' : 'not run'}${st.note ? ` (${st.note})` : ''}`;
    byNote.set(why, [...(byNote.get(why) ?? []), st.name]);
  }
  const skipped = [...byNote].map(([why, names]) => `${names.join(', ')} ${why}`);
  const text = `${report.inputs.join(' + ') || report.command}: ${counts.join(', ')}${skipped.length ? `; ${skipped.join('; ')}` : ''}`;
  return color ? `\x1b[1m${text}\x1b[0m` : text;
}

/** kernel mode's summary table: one row per target, failures first. */
export function boardTable(boards: readonly import('./types.js').BoardRow[]): string[] {
  const rank = { failed: 0, 'missing-sources': 1, checked: 2 } as const;
  const rows = [...boards].sort((a, b) => rank[a.status] - rank[b.status] || (b.errors ?? 0) - (a.errors ?? 0) || a.name.localeCompare(b.name));
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const lines = [`${'board'.padEnd(width)}  status           errors  warnings  time`];
  for (const r of rows) {
    const note = r.status === 'missing-sources' ? `  missing: ${(r.missing ?? []).join(', ')}` : '';
    lines.push(`${r.name.padEnd(width)}  ${r.status.padEnd(15)}  ${String(r.errors ?? '-').padStart(6)}  ${String(r.warnings ?? '-').padStart(8)}  ${r.ms !== undefined ? `${(r.ms / 1000).toFixed(1)} s` : ''}${note}`);
  }
  return lines;
}
