/**
 * Output amplification (docs/security.md): an error on a 5 MB line prints a short excerpt cut
 * around the column, not the line (twice: text and caret), and the text report lists a bounded
 * number of findings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { excerpt } from '../../src/compile/excerpt.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { SourceCache } from '../../src/report/excerpt.js';
import { formatText, MAX_TEXT_DIAGNOSTICS } from '../../src/report/text.js';
import { compileWith } from '../compile/support.js';
import { sampleReport } from './sample.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amplify-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// One 5 MB line with a syntax error (the `x`) near its end.
const longLine = `/ { p = <${'1 '.repeat(2_500_000)} x>; };`;
const column = longLine.indexOf(' x>') + 2;
fs.writeFileSync(path.join(dir, 'long.dts'), `/dts-v1/;\n${longLine}\n`);

describe('excerpts of long lines', () => {
  it('compile: a syntax error on a 5 MB line prints a few hundred bytes, the caret under the token', async () => {
    // dtc's format (compile's default) has no excerpt; ours (--diagnostics=gcc) cuts it.
    const dtcStyle = await compileWith(['-O', 'dts'], 'long.dts', dir);
    expect(dtcStyle.stderr).toBe(`Error: long.dts:2.${column}-${column + 1} syntax error\nFATAL ERROR: Unable to parse input tree\n`);
    const r = await compileWith(['--diagnostics=gcc', '-O', 'dts'], 'long.dts', dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.length).toBeLessThan(600);
    const [head, text, caret] = r.messages[0]!.split('\n');
    expect(head).toBe(`long.dts:2:${column}: error: syntax error`);
    expect(text).toMatch(/^ {4}2 \| …( 1)+  x>; };$/);
    // the caret sits under the `x` of the cut line
    expect(text![caret!.indexOf('^')]).toBe('x');
  });

  it('compile: the cut keeps both ends marked when the column is in the middle', () => {
    const line = `${'a'.repeat(1000)}X${'b'.repeat(1000)}`;
    const [text, caret] = excerpt({ file: 'm.dts', line: 1, column: 1001 }, () => line);
    expect(text).toMatch(/^ {4}1 \| …a+Xb+…$/);
    expect(text!.length).toBeLessThan(180);
    expect(text![caret!.indexOf('^')]).toBe('X');
  });

  it('report: the same cut, and short lines unchanged', () => {
    const cache = new SourceCache();
    const ex = cache.excerpt({ file: path.join(dir, 'long.dts'), line: 2, column, endLine: 2, endColumn: column })!;
    expect(ex.text.length).toBeLessThan(170);
    expect(ex.text.startsWith('…')).toBe(true);
    expect(ex.text[ex.marker.indexOf('^')]).toBe('x');
    fs.writeFileSync(path.join(dir, 'short.dts'), '/ { p = <1>; };\n');
    expect(cache.excerpt({ file: path.join(dir, 'short.dts'), line: 1, column: 10 })).toEqual({ line: 1, text: '/ { p = <1>; };', marker: '         ^' });
  });
});

describe('bounded finding lists', () => {
  it(`the text report lists ${MAX_TEXT_DIAGNOSTICS} findings and counts the rest`, () => {
    const many: Diagnostic[] = Array.from({ length: MAX_TEXT_DIAGNOSTICS + 500 }, (_, i) => ({ rule: 'dtc/x', severity: 'error', message: `finding ${i}` }));
    const text = formatText(sampleReport(many), { color: false });
    expect(text).toContain(`finding ${MAX_TEXT_DIAGNOSTICS - 1} `);
    expect(text).not.toContain(`finding ${MAX_TEXT_DIAGNOSTICS} `);
    expect(text).toContain(`note: 500 more findings not listed (the first ${MAX_TEXT_DIAGNOSTICS} are; --format json lists all)`);
    expect(text).toMatch(/1500 errors/);
  });
});
