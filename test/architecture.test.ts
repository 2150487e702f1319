/**
 * The layout docs/architecture.md promises: no import circle among the modules of src/, and none
 * among its folders, counting every import that runs (static and `import()`), not type-only ones.
 * Imports are read with TypeScript's own parser.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The relative module specifiers `text` loads at run time. */
export function runtimeImports(text: string, file = 'x.ts'): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

/** Strongly connected components with more than one member (Tarjan, iterative over a small graph). */
export function circles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) found.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return found;
}

function importGraph(): { files: Map<string, Set<string>>; folders: Map<string, Set<string>> } {
  const files = new Map<string, Set<string>>();
  const folders = new Map<string, Set<string>>();
  const folderOf = (rel: string) => (rel.includes('/') ? rel.split('/')[0]! : rel);
  for (const file of sourceFiles(SRC)) {
    const from = path.relative(SRC, file);
    const deps = new Set<string>();
    for (const spec of runtimeImports(fs.readFileSync(file, 'utf8'), file)) {
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      expect(fs.existsSync(target), `${from} imports ${spec}, which is not in src/`).toBe(true);
      const to = path.relative(SRC, target);
      deps.add(to);
      if (folderOf(from) !== folderOf(to)) {
        if (!folders.has(folderOf(from))) folders.set(folderOf(from), new Set());
        folders.get(folderOf(from))!.add(folderOf(to));
      }
    }
    files.set(from, deps);
  }
  return { files, folders };
}

describe('the import graph of src/', () => {
  it('reads static, dynamic and re-exporting imports, and leaves out type-only ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C } from './c.js';",
      "export { d } from './d.js';",
      "export type { E } from './e.js';",
      "const f = await import('./f.js');",
      "import * as fs from 'node:fs';",
    ].join('\n');
    expect(runtimeImports(text)).toEqual(['./a.js', './d.js', './f.js']);
    expect(circles(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]))).toEqual([['a', 'b', 'c']]);
  });

  it('has no circle among modules, and none among folders', () => {
    const { files, folders } = importGraph();
    expect(files.size).toBeGreaterThan(100);
    expect(circles(files)).toEqual([]);
    expect(circles(folders)).toEqual([]);
    // the circle issue 18 named: the pipeline reached the worker pool through compile's CLI code
    expect([...files.get('workers/pool.ts')!]).toEqual([]);
    expect([...files.get('compile/index.ts')!].some((f) => f.startsWith('cli/'))).toBe(false);
  });
});
