/**
 * `npm run mutate -- [--seed N] [--max N] [--tests a.test.ts,…] [--json FILE] [--resume FILE] [--list] PATH…`: a small
 * seeded mutation check. For each source file under the PATHs (files or folders of src/), it plants
 * one change at a time — an operator (+/-, ===/!==, ==/!=, &&/||), a boundary (< ↔ <=, > ↔ >=), a
 * numeric literal (n → n±1) or a dropped call statement — runs the tests that cover the file,
 * restores it, and reports per file and per folder how many mutants the tests killed, with every
 * survivor. Not in CI: each mutant is one vitest run (and vitest's global setup rebuilds
 * dist/cli.js, so CLI tests see the mutant too).
 *
 * Tests of a file: the test files beside it (test/<its folder>/, as src/overlay/apply.ts has
 * test/overlay/) that import it, directly or through a test helper, plus the COVERING table below
 * for modules reached only through a pipeline; `--tests` overrides both. Suites far away that also
 * reach the file (a PAS test through the overlay code) are left out: they would make each mutant
 * cost minutes.
 * `--max N` (default 20) bounds the mutants per file, drawn with the seed (default 1) from all its
 * candidates; `--list` prints the tests and the draw without running anything.
 * `--resume FILE` (an earlier `--json`): a mutant that run killed by a failing test, in a file whose
 * text has not changed since (the JSON keeps each file's hash), is not run again: tests added since
 * cannot make it pass. It is counted as killed and marked as carried over; survivors, equivalents and
 * timeouts are run again.
 *
 * Time: each mutant run has its own budget, 3× the file's unmutated run plus 30 s. A mutant that
 * runs past it is not trusted on that alone (the machine may just be busy): the unmutated tests
 * are timed again and the mutant re-run with 3× that plus 30 s plus vitest's own test timeout, so
 * that a test stuck awaiting the mutant fails by itself. Only a mutant still running then counts
 * as a timeout: killed (a suite that never ends fails CI), and counted apart in the report.
 *
 * Survivors that EQUIVALENT (scripts/mutation-equivalents.ts) names, with the reason no test can
 * tell them apart, are counted as equivalent: listed, and left out of the rate's denominator.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { seededRandom } from '../test/support/random.js';
import { EQUIVALENT, type Equivalent } from './mutation-equivalents.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Modules whose tests reach them through a pipeline rather than an import: path prefix → test files. */
const COVERING: [string, string[]][] = [
  ['src/sandbox.ts', ['test/compile/sandbox.test.ts']],
  ['src/kernel/makefile.ts', ['test/kernel/makefile.test.ts']],
  [
    'src/overlay/',
    [
      'test/overlay/apply.test.ts',
      'test/overlay/apply-cli.test.ts',
      'test/overlay/apply-edges.test.ts',
      'test/overlay/arity.test.ts',
      'test/overlay/blob.test.ts',
      'test/overlay/errors.test.ts',
      'test/overlay/inputs.test.ts',
      'test/overlay/strings.test.ts',
      'test/overlay/structure.test.ts',
    ],
  ],
  ['src/review/', ['test/review/review.test.ts', 'test/pipeline/hook.test.ts']],
  ['src/pas/smr.ts', ['test/pas/smr.test.ts']],
  ['src/schema/decode.ts', ['test/schema/decode.test.ts']],
];

type Kind = 'operator' | 'boundary' | 'literal' | 'call';

interface Mutant {
  file: string;
  kind: Kind;
  start: number;
  end: number;
  replacement: string;
  line: number;
  column: number;
  original: string;
}

interface Outcome extends Mutant {
  killed: boolean;
  how: 'failed' | 'timeout' | 'survived' | 'equivalent';
  /** The first test vitest reported failing, when it failed. */
  failedTest?: string;
  /** Why the mutant cannot change behaviour, when EQUIVALENT names it. */
  reason?: string;
  /** Killed in the run `--resume` named, on the same file text; not run again. */
  carried?: boolean;
}

const SWAPS = new Map<ts.SyntaxKind, [string, Kind]>([
  [ts.SyntaxKind.PlusToken, ['-', 'operator']],
  [ts.SyntaxKind.MinusToken, ['+', 'operator']],
  [ts.SyntaxKind.EqualsEqualsEqualsToken, ['!==', 'operator']],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken, ['===', 'operator']],
  [ts.SyntaxKind.EqualsEqualsToken, ['!=', 'operator']],
  [ts.SyntaxKind.ExclamationEqualsToken, ['==', 'operator']],
  [ts.SyntaxKind.AmpersandAmpersandToken, ['||', 'operator']],
  [ts.SyntaxKind.BarBarToken, ['&&', 'operator']],
  [ts.SyntaxKind.LessThanToken, ['<=', 'boundary']],
  [ts.SyntaxKind.LessThanEqualsToken, ['<', 'boundary']],
  [ts.SyntaxKind.GreaterThanToken, ['>=', 'boundary']],
  [ts.SyntaxKind.GreaterThanEqualsToken, ['>', 'boundary']],
]);

/** Every mutant the file offers, in source order. */
export function mutantsOf(file: string, text: string): Mutant[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Mutant[] = [];
  const add = (kind: Kind, start: number, end: number, replacement: string) => {
    const { line, character } = source.getLineAndCharacterOfPosition(start);
    out.push({ file, kind, start, end, replacement, line: line + 1, column: character + 1, original: text.slice(start, end) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isEnumDeclaration(node)) return;
    if (ts.isBinaryExpression(node)) {
      const swap = SWAPS.get(node.operatorToken.kind);
      if (swap) add(swap[1], node.operatorToken.getStart(source), node.operatorToken.end, swap[0]);
    } else if (ts.isNumericLiteral(node) && !(ts.isPropertyAssignment(node.parent) && node.parent.name === node)) {
      const value = Number(node.text);
      const hex = /^0x/i.test(node.getText(source));
      const show = (n: number) => (hex && n >= 0 ? `0x${n.toString(16)}` : String(n));
      add('literal', node.getStart(source), node.end, show(value + 1));
      if (value > 0) add('literal', node.getStart(source), node.end, show(value - 1));
    } else if (ts.isExpressionStatement(node)) {
      const call = ts.isAwaitExpression(node.expression) ? node.expression.expression : node.expression;
      if (ts.isCallExpression(call) && !/^(console\.|super\b)/.test(call.expression.getText(source))) add('call', node.getStart(source), node.end, ';');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out.sort((a, b) => a.start - b.start);
}

function hashOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Up to `max` of `all`, drawn with `seed` (and the file name, so files do not share a draw), in source order. */
export function sample(all: Mutant[], max: number, seed: number): Mutant[] {
  const next = seededRandom(seed ^ hashOf(all[0]?.file ?? ''));
  const order = all.map((m) => ({ m, key: next() }));
  order.sort((a, b) => a.key - b.key);
  return order.slice(0, max).map((x) => x.m).sort((a, b) => a.start - b.start || a.replacement.localeCompare(b.replacement));
}

function listTs(p: string): string[] {
  const abs = path.resolve(repoRoot, p);
  if (fs.statSync(abs).isFile()) return [path.relative(repoRoot, abs)];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.relative(repoRoot, path.join(abs, f)))
    .sort();
}

/** Relative imports of a TypeScript file, resolved to repository paths (`./x.js` → `x.ts`). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
    const target = path.join(path.dirname(file), m[1]!).replace(/\.js$/, '.ts');
    if (fs.existsSync(path.join(repoRoot, target))) out.push(target);
  }
  return out;
}

/** Test file → the src modules it imports directly or through test helpers (test/**, not other tests). */
function testImports(): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const test of listTs('test').filter((f) => f.endsWith('.test.ts'))) {
    const reached = new Set<string>();
    const seen = new Set<string>([test]);
    const queue = [test];
    while (queue.length) {
      for (const dep of importsOf(queue.pop()!)) {
        if (dep.startsWith('src/')) reached.add(dep);
        else if (dep.startsWith('test/') && !dep.endsWith('.test.ts') && !seen.has(dep)) {
          seen.add(dep);
          queue.push(dep);
        }
      }
    }
    map.set(test, reached);
  }
  return map;
}

function testsFor(file: string, imports: Map<string, Set<string>>, override: string[] | undefined): string[] {
  if (override) return override;
  const tests = new Set<string>();
  const beside = path.join('test', path.relative('src', path.dirname(file)));
  for (const [test, reached] of imports) if (reached.has(file) && path.dirname(test) === beside) tests.add(test);
  for (const [prefix, covering] of COVERING) if (file.startsWith(prefix)) covering.forEach((t) => tests.add(t));
  return [...tests].sort();
}

const vitestBin = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');

/** vitest.config.ts's testTimeout: a test awaiting a hung mutant fails by itself after this long. */
const VITEST_TEST_TIMEOUT_MS = 120_000;
/** Added to 3× the unmutated run: start-up noise (the global setup's build) is not proportional. */
const SLACK_MS = 30_000;

interface Run {
  status: 'passed' | 'failed' | 'timeout';
  ms: number;
  failedTest?: string;
}

/** One vitest run (asynchronous, so that Ctrl-C reaches the handler that restores the file). */
function runTests(tests: string[], timeoutMs: number): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [vitestBin, 'run', ...tests, '--bail=1', '--reporter=dot'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: a timeout ends vitest and its workers together
    // a test that skips tests less: with ../shared absent, fail rather than skip (test/support/shared.ts)
    env: { ...process.env, NO_COLOR: '1', REQUIRE_SHARED: '1' },
  });
  running = child.pid;
  let output = '';
  const keep = (chunk: Buffer) => {
    if (output.length < 1_000_000) output += chunk.toString('utf8');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      running = undefined;
      const status = timedOut ? 'timeout' : code === 0 ? 'passed' : 'failed';
      resolve({ status, ms: Date.now() - started, failedTest: status === 'failed' ? firstFailure(output) : undefined });
    });
  });
}

/** vitest's `FAIL  test/x.test.ts > suite > name` line, so a kill shows which test made it. */
function firstFailure(output: string): string {
  const m = /^\s*FAIL\s+(.+)$/m.exec(output) ?? /^(Error: .+)$/m.exec(output);
  return m ? m[1]!.trim().slice(0, 300) : '(vitest failed; no FAIL line)';
}

/** The budget of one mutant run against an unmutated run of `baselineMs`. */
export function budgetMs(baselineMs: number): number {
  return 3 * baselineMs + SLACK_MS;
}

/**
 * Runs a mutant; a run past its budget is repeated once, against a fresh unmutated timing, with
 * room for vitest's own test timeout (see the header): only a mutant that outlasts that too is a timeout.
 */
async function judge(tests: string[], baselineMs: number): Promise<Run> {
  const first = await runTests(tests, budgetMs(baselineMs));
  if (first.status !== 'timeout') return first;
  restoreCurrent?.();
  const fresh = await runTests(tests, 30 * 60_000);
  applyCurrent?.();
  const freshMs = fresh.status === 'passed' ? fresh.ms : baselineMs;
  return runTests(tests, budgetMs(Math.max(baselineMs, freshMs)) + VITEST_TEST_TIMEOUT_MS);
}

let restoreCurrent: (() => void) | undefined;
let applyCurrent: (() => void) | undefined;

let running: number | undefined;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

interface Options {
  seed: number;
  max: number;
  tests?: string[];
  json?: string;
  resume?: string;
  list: boolean;
  paths: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seed: 1, max: 20, list: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v!;
    };
    if (a === '--seed') o.seed = Number(value());
    else if (a === '--max') o.max = Number(value());
    else if (a === '--tests') o.tests = value().split(',');
    else if (a === '--json') o.json = value();
    else if (a === '--resume') o.resume = value();
    else if (a === '--list') o.list = true;
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else o.paths.push(a);
  }
  if (!o.paths.length) usage('name the src files or folders to mutate');
  if (!Number.isInteger(o.seed) || !Number.isInteger(o.max) || o.max < 1) usage('--seed and --max take integers (--max at least 1)');
  for (const p of o.paths) if (!fs.existsSync(path.resolve(repoRoot, p))) usage(`no such file or folder: ${p}`);
  return o;
}

function usage(message: string): never {
  console.error(`mutate: ${message}\nusage: npm run mutate -- [--seed N] [--max N] [--tests a.test.ts,…] [--json FILE] [--resume FILE] [--list] PATH…`);
  process.exit(2);
}

/** The source line a mutant sits on, trimmed: what EQUIVALENT entries and the report quote. */
function lineText(text: string, m: Mutant): string {
  return text.split('\n')[m.line - 1]!.trim();
}

/** The EQUIVALENT entry for a mutant: same file, same source line text, same change. */
export function equivalentOf(m: Mutant, text: string, table: readonly Equivalent[] = EQUIVALENT): Equivalent | undefined {
  const here = lineText(text, m);
  return table.find((e) => e.file === m.file && e.line === here && e.original === m.original && e.replacement === m.replacement && (e.column === undefined || e.column === m.column));
}

/** Counts of one group; the rate leaves equivalent mutants out of the denominator. */
export function tally(list: Pick<Outcome, 'how'>[]): { mutants: number; killed: number; survived: number; equivalent: number; timeouts: number; rate: string } {
  const count = (how: Outcome['how']) => list.filter((o) => o.how === how).length;
  const killed = count('failed') + count('timeout');
  const equivalent = count('equivalent');
  const judged = list.length - equivalent;
  return {
    mutants: list.length,
    killed,
    survived: count('survived'),
    equivalent,
    timeouts: count('timeout'),
    rate: judged ? `${((100 * killed) / judged).toFixed(1)}%` : '-',
  };
}

/** One row of the report. On a loaded machine re-check timeouts before trusting them. */
function row(key: string, list: Outcome[]): string {
  const t = tally(list);
  const cells = [t.mutants, t.killed, t.survived, t.equivalent, t.timeouts].map((n) => String(n).padStart(9));
  return `${key.padEnd(32)}${cells.join('')}  ${t.rate.padStart(6)}`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const files = [...new Set(options.paths.flatMap(listTs))];
  const imports = testImports();
  const outcomes: Outcome[] = [];
  const skipped: string[] = [];
  const hashes: Record<string, string> = {};
  const earlier = options.resume ? earlierKills(options.resume) : undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killGroup(running);
      restoreCurrent?.();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }

  for (const file of files) {
    const tests = testsFor(file, imports, options.tests);
    console.log(`${file}: tests ${tests.join(' ') || '(none)'}`);
    const original = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    hashes[file] = sha256(original);
    const all = mutantsOf(file, original);
    const chosen = sample(all, options.max, options.seed);
    if (options.list) {
      console.log(`${file}: ${chosen.length} of ${all.length} mutants`);
      for (const m of chosen) console.log(`  ${m.line}:${m.column} ${m.kind} ${JSON.stringify(m.original)} → ${JSON.stringify(m.replacement)}   ${lineText(original, m)}`);
      continue;
    }
    if (!tests.length || !all.length) {
      console.log(`${file}: ${all.length ? 'no test covers it' : 'nothing to mutate'}; skipped`);
      if (all.length) skipped.push(`${file}: no test covers it`);
      continue;
    }
    const baseline = await runTests(tests, 30 * 60_000);
    if (baseline.status !== 'passed') {
      console.log(`${file}: its tests fail without a mutant (${baseline.failedTest ?? baseline.status}); skipped`);
      skipped.push(`${file}: its tests fail without a mutant`);
      continue;
    }
    console.log(`${file}: ${chosen.length} of ${all.length} mutants (${(baseline.ms / 1000).toFixed(1)} s a run, budget ${(budgetMs(baseline.ms) / 1000).toFixed(0)} s)`);
    const full = path.join(repoRoot, file);
    let planted = original;
    restoreCurrent = () => fs.writeFileSync(full, original);
    applyCurrent = () => fs.writeFileSync(full, planted);
    try {
      for (const m of chosen) {
        const before = earlier?.get(mutantKey(m, hashes[file]!));
        if (before) {
          outcomes.push({ ...m, killed: true, how: 'failed', failedTest: before.failedTest, carried: true });
          process.stdout.write(',');
          continue;
        }
        planted = original.slice(0, m.start) + m.replacement + original.slice(m.end);
        applyCurrent();
        const r = await judge(tests, baseline.ms);
        const equivalent = r.status === 'passed' ? equivalentOf(m, original) : undefined;
        const how = r.status === 'passed' ? (equivalent ? 'equivalent' : 'survived') : r.status;
        outcomes.push({ ...m, killed: how === 'failed' || how === 'timeout', how, failedTest: r.failedTest, reason: equivalent?.reason });
        process.stdout.write({ survived: 'S', equivalent: 'E', timeout: 'T', failed: '.' }[how]);
      }
    } finally {
      restoreCurrent();
      restoreCurrent = applyCurrent = undefined;
      process.stdout.write('\n');
    }
  }
  if (options.list) return;
  report(options, outcomes, skipped, hashes);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A mutant of one file text: where, what, and the text's hash. */
function mutantKey(m: Mutant, hash: string): string {
  return [m.file, hash, m.start, m.end, m.replacement].join('\0');
}

/** The kills by a failing test recorded in an earlier `--json`, by mutantKey. */
function earlierKills(file: string): Map<string, Outcome> {
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as { hashes?: Record<string, string>; outcomes: Outcome[] };
  const out = new Map<string, Outcome>();
  for (const o of run.outcomes) {
    const hash = run.hashes?.[o.file];
    if (hash && o.how === 'failed') out.set(mutantKey(o, hash), o);
  }
  return out;
}

function report(options: Options, outcomes: Outcome[], skipped: string[], hashes: Record<string, string>): void {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    for (const key of [path.dirname(o.file) + '/', o.file]) groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  console.log(`\nmutation check (seed ${options.seed}, at most ${options.max} per file)`);
  console.log(`${''.padEnd(32)}${['mutants', 'killed', 'survived', 'equiv', 'timeouts'].map((h) => h.padStart(9)).join('')}    rate`);
  for (const [key, list] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) console.log(row(key, list));
  console.log(row('total', outcomes));
  for (const s of skipped) console.log(`not measured: ${s}`);
  const texts = new Map<string, string>();
  const quote = (o: Outcome) => {
    if (!texts.has(o.file)) texts.set(o.file, fs.readFileSync(path.join(repoRoot, o.file), 'utf8'));
    return `${o.file}:${o.line}:${o.column} ${o.kind} ${JSON.stringify(o.original)} → ${JSON.stringify(o.replacement)}   ${lineText(texts.get(o.file)!, o)}`;
  };
  const list = (title: string, how: Outcome['how'], extra: (o: Outcome) => string = () => '') => {
    const these = outcomes.filter((o) => o.how === how);
    if (!these.length) return;
    console.log(`\n${title}:`);
    for (const o of these) console.log(`  ${quote(o)}${extra(o)}`);
  };
  list('survivors', 'survived');
  list('equivalent', 'equivalent', (o) => `\n      ${o.reason}`);
  list('timeouts (killed)', 'timeout');
  for (const e of staleEquivalents(outcomes)) console.log(`\nnote: EQUIVALENT names a mutant the tests killed, so it is not equivalent: ${e}`);
  const carried = outcomes.filter((o) => o.carried).length;
  if (carried) console.log(`\n${carried} of the kills carried over from ${options.resume} (same file text, killed by a failing test there)`);
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify({ seed: options.seed, max: options.max, hashes, skipped, outcomes }, null, 1)}\n`);
}

/** EQUIVALENT entries whose mutant was drawn and killed: the table is wrong about them. */
function staleEquivalents(outcomes: Outcome[]): string[] {
  const out: string[] = [];
  for (const o of outcomes) {
    if (!o.killed) continue;
    const text = fs.readFileSync(path.join(repoRoot, o.file), 'utf8');
    if (equivalentOf(o, text)) out.push(`${o.file}:${o.line} ${o.original} → ${o.replacement}`);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
