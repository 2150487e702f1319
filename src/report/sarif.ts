/**
 * `--format sarif`: SARIF 2.1.0, as GitHub code scanning reads it. One run; `tool.driver.rules`
 * holds every rule that has a result (with its help text); results carry physical locations with
 * paths relative to the working folder (`%SRCROOT%`), so annotations land on the diff.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, Severity, Span } from '../diagnostics.js';
import { diagnosticSubject } from './text.js';
import { ruleInfo } from './rules.js';
import type { Report } from './types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const rel = path.isAbsolute(file) ? path.relative(cwd, file) : file;
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(path.resolve(cwd, file)).href };
}

function region(span: Span): Record<string, number> {
  const r: Record<string, number> = { startLine: span.line, startColumn: Math.max(1, span.column) };
  if (span.endLine !== undefined && span.endLine >= span.line) {
    r.endLine = span.endLine;
    // SARIF's endColumn is exclusive; ours is inclusive.
    if (span.endColumn !== undefined) r.endColumn = span.endColumn + 1;
  }
  return r;
}

function location(span: Span, cwd: string, message?: string): Record<string, unknown> {
  const loc: Record<string, unknown> = { physicalLocation: { artifactLocation: artifactLocation(span.file, cwd), region: region(span) } };
  if (message) loc.message = { text: message };
  return loc;
}

export function formatSarif(report: Report, cwd = process.cwd()): string {
  const ruleIds = [...new Set(report.diagnostics.map((d) => d.rule))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const info = ruleInfo(id);
    return {
      id,
      name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')),
      shortDescription: { text: info.summary },
      fullDescription: { text: info.help },
      help: { text: `${info.summary}\n\n${info.help}`, markdown: `**${info.summary}**\n\n${info.help}` },
      defaultConfiguration: { level: LEVEL[info.defaultSeverity] },
    };
  });
  const results = report.diagnostics.map((d: Diagnostic) => {
    const result: Record<string, unknown> = {
      ruleId: d.rule,
      ruleIndex: ruleIndex.get(d.rule),
      level: LEVEL[d.severity],
      message: { text: `${diagnosticSubject(d)}${d.message}` },
    };
    if (d.span) result.locations = [location(d.span, cwd)];
    if (d.path) {
      const logical = { fullyQualifiedName: d.property ? `${d.path}:${d.property}` : d.path, kind: 'object' };
      if (d.span) (result.locations as Record<string, unknown>[])[0].logicalLocations = [logical];
      else result.locations = [{ logicalLocations: [logical] }];
    }
    if (d.related?.length) result.relatedLocations = d.related.map((r, i) => ({ id: i + 1, ...location(r.span, cwd, r.message) }));
    // A stable key, so code scanning follows a finding across commits.
    result.partialFingerprints = { primaryLocationLineHash: fingerprint(d) };
    return result;
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'dtoverlay-check', version: report.tool.version, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd + path.sep).href } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: report.stages.filter((s) => s.status !== 'ran').map((s) => ({ level: 'note', message: { text: `${s.name} ${s.status}${s.note ? `: ${s.note}` : ''}` } })) }],
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

/** FNV-1a over rule, node path and message: independent of line numbers that shift with edits. */
function fingerprint(d: Diagnostic): string {
  let h = 0x811c9dc5;
  const s = `${d.rule}|${d.path ?? ''}|${d.property ?? ''}|${d.message}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
