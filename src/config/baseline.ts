/**
 * Baseline files: the findings a project has accepted, so that only new ones are reported. An
 * entry is keyed by rule, file, node path, property and message, not by line, so that edits above
 * a finding do not make it "new". Counts are kept: two identical findings need two entries.
 */
import * as fs from 'node:fs';
import type { Diagnostic } from '../diagnostics.js';

export interface BaselineEntry {
  rule: string;
  file?: string;
  path?: string;
  property?: string;
  message: string;
}

export interface BaselineFile {
  version: 1;
  findings: BaselineEntry[];
}

export function baselineEntry(d: Diagnostic): BaselineEntry {
  const e: BaselineEntry = { rule: d.rule, message: d.message };
  if (d.span) e.file = d.span.file;
  if (d.path) e.path = d.path;
  if (d.property) e.property = d.property;
  return e;
}

function key(e: BaselineEntry): string {
  return [e.rule, e.file ?? '', e.path ?? '', e.property ?? '', e.message].join('\u0000');
}

/** The baseline file's text for `diagnostics` (written like any output: src/cli/output.ts). */
export function baselineText(diagnostics: readonly Diagnostic[]): string {
  const findings = diagnostics.map(baselineEntry).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const body: BaselineFile = { version: 1, findings };
  return JSON.stringify(body, null, 2) + '\n';
}

export function readBaseline(file: string): BaselineFile | Error {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return new Error(`baseline ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (create it with --update-baseline)' : `not JSON: ${(err as Error).message}`}`);
  }
  const body = data as Partial<BaselineFile>;
  if (body.version !== 1 || !Array.isArray(body.findings) || !body.findings.every((f) => f && typeof f.rule === 'string' && typeof f.message === 'string')) {
    return new Error(`baseline ${file}: not a dtoverlay-check baseline (expected {"version": 1, "findings": [{rule, message, ...}]})`);
  }
  return body as BaselineFile;
}

/** The findings the baseline does not account for. */
export function filterBaseline(diagnostics: readonly Diagnostic[], baseline: BaselineFile): Diagnostic[] {
  const remaining = new Map<string, number>();
  for (const e of baseline.findings) remaining.set(key(e), (remaining.get(key(e)) ?? 0) + 1);
  return diagnostics.filter((d) => {
    const k = key(baselineEntry(d));
    const n = remaining.get(k) ?? 0;
    if (n > 0) {
      remaining.set(k, n - 1);
      return false;
    }
    return true;
  });
}
