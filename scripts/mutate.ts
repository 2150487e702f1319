/**
 * `npm run mutate -- [--seed N] [--max N] [--tests a.test.ts,…] [--json FILE] PATH…`: a small seeded
 * mutation check. For each source file under the PATHs (files or folders of src/), it plants one
 * change at a time — an operator (+/-, ===/!==, ==/!=, &&/||), a boundary (< ↔ <=, > ↔ >=), a
 * numeric literal (n → n±1) or a dropped call statement — runs the tests that cover the file,
 * restores it, and reports the share of mutants the tests killed, per file and per folder, with
 * every survivor. Not in CI: each mutant is one vitest run (and vitest's global setup rebuilds
 * dist/cli.js, so CLI tests see the mutant too).
 *
 * Tests of a file: the test files beside it (test/<its folder>/, as src/overlay/apply.ts has
 * test/overlay/) that import it, directly or through a test helper, plus the COVERING table below
 * for modules reached only through a pipeline; `--tests` overrides both. Suites far away that also
 * reach the file (a PAS test through the overlay code) are left out: they would make each mutant
 * cost minutes.
 * `--max N` (default 20) bounds the mutants per file, drawn with the seed (default 1) from all its
 * candidates. A mutant that makes the tests time out counts as killed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { seededRandom } from '../test/support/random.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Modules whose tests reach them through a pipeline rather than an import: path prefix → test files. */
const COVERING: [string, string[]][] = [
  ['src/sandbox.ts', ['test/compile/sandbox.test.ts']],
  ['src/kernel/makefile.ts', ['test/kernel/makefile.test.ts']],
  ['src/overlay/', ['test/overlay/apply.test.ts', 'test/overlay/apply-cli.test.ts']],
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
  how: 'failed' | 'timeout' | 'survived';
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

/** One vitest run (asynchronous, so that Ctrl-C reaches the handler that restores the file). */
function runTests(tests: string[], timeoutMs: number): Promise<{ status: 'passed' | 'failed' | 'timeout'; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [vitestBin, 'run', ...tests, '--bail=1', '--reporter=dot'], {
    cwd: repoRoot,
    stdio: 'ignore',
    detached: true, // its own process group: a timeout ends vitest and its workers together
    env: { ...process.env, NO_COLOR: '1' },
  });
  running = child.pid;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      running = undefined;
      resolve({ status: timedOut ? 'timeout' : code === 0 ? 'passed' : 'failed', ms: Date.now() - started });
    });
  });
}

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
  paths: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seed: 1, max: 20, paths: [] };
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
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else o.paths.push(a);
  }
  if (!o.paths.length) usage('name the src files or folders to mutate');
  if (!Number.isInteger(o.seed) || !Number.isInteger(o.max) || o.max < 1) usage('--seed and --max take integers (--max at least 1)');
  for (const p of o.paths) if (!fs.existsSync(path.resolve(repoRoot, p))) usage(`no such file or folder: ${p}`);
  return o;
}

function usage(message: string): never {
  console.error(`mutate: ${message}\nusage: npm run mutate -- [--seed N] [--max N] [--tests a.test.ts,…] [--json FILE] PATH…`);
  process.exit(2);
}

function percent(killed: number, total: number): string {
  return total ? `${((100 * killed) / total).toFixed(1)}%` : '-';
}

/**
 * One row: killed of all, the rate, and how many of the kills were timeouts. On a loaded machine
 * a timeout may be the load rather than a hang: re-run those mutants before trusting them.
 */
function line(key: string, list: Outcome[]): string {
  const killed = list.filter((o) => o.killed).length;
  const timeouts = list.filter((o) => o.how === 'timeout').length;
  return `${key.padEnd(36)} ${String(killed).padStart(4)}/${String(list.length).padEnd(4)} killed  ${percent(killed, list.length).padStart(6)}${timeouts ? `  (${timeouts} by timeout)` : ''}`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const files = [...new Set(options.paths.flatMap(listTs))];
  const imports = testImports();
  const outcomes: Outcome[] = [];
  let restoreCurrent: (() => void) | undefined;
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
    const all = mutantsOf(file, original);
    if (!tests.length || !all.length) {
      console.log(`${file}: ${all.length ? 'no test covers it' : 'nothing to mutate'}; skipped`);
      continue;
    }
    const baseline = await runTests(tests, 30 * 60_000);
    if (baseline.status !== 'passed') {
      console.log(`${file}: its tests fail without a mutant (${tests.join(' ')}); skipped`);
      continue;
    }
    const timeoutMs = Math.max(20_000, 3 * baseline.ms);
    const chosen = sample(all, options.max, options.seed);
    console.log(`${file}: ${chosen.length} of ${all.length} mutants (${(baseline.ms / 1000).toFixed(1)} s a run)`);
    const full = path.join(repoRoot, file);
    restoreCurrent = () => fs.writeFileSync(full, original);
    try {
      for (const m of chosen) {
        fs.writeFileSync(full, original.slice(0, m.start) + m.replacement + original.slice(m.end));
        const r = await runTests(tests, timeoutMs);
        const how = r.status === 'passed' ? 'survived' : r.status;
        outcomes.push({ ...m, killed: how !== 'survived', how });
        process.stdout.write(how === 'survived' ? 'S' : how === 'timeout' ? 'T' : '.');
      }
    } finally {
      restoreCurrent();
      restoreCurrent = undefined;
      process.stdout.write('\n');
    }
  }

  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    for (const key of [path.dirname(o.file) + '/', o.file]) groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  console.log(`\nmutation check (seed ${options.seed}, at most ${options.max} per file)`);
  for (const [key, list] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(line(key, list));
  }
  console.log(line('total', outcomes));
  const survivors = outcomes.filter((o) => !o.killed);
  if (survivors.length) {
    console.log('\nsurvivors:');
    for (const s of survivors) {
      const text = fs.readFileSync(path.join(repoRoot, s.file), 'utf8').split('\n')[s.line - 1]!.trim();
      console.log(`  ${s.file}:${s.line}:${s.column} ${s.kind} ${JSON.stringify(s.original)} → ${JSON.stringify(s.replacement)}   ${text}`);
    }
  }
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify({ seed: options.seed, max: options.max, outcomes }, null, 1)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
