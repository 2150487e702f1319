/**
 * Top-level statements of a validator chunk — ajv's standalone code as SchemaRuntime.persist()
 * writes it — and the code of a few of its exports with only what they use ("tree shaking").
 *
 * A chunk is a flat list of statements: `"use strict";`, `exports.vN = validateM;`,
 * `const schemaN = …;` (and `funcN`, `patternN`, `wrapperN`, …), `function validateN(…){…}` and
 * `validateN.evaluated = …;`. Each name is declared once, and everything a statement uses is a
 * name of that list or local to it. So the code an export needs is its function and, transitively,
 * every top-level name that appears as an identifier in what is kept (a name inside a string only
 * keeps a little more than needed). Anything else in a chunk — a shape this scanner does not
 * know, a template literal, a top-level name outside ajv's naming — makes parseChunk answer
 * undefined, and the chunk is used as it is.
 */

/** Names ajv gives top-level values (its scope prefixes): a statement declaring another is not ajv's. */
const TOP_LEVEL_NAME = /^(?:schema|validate|func|pattern|formats|wrapper|root|ref|self|source|evaluated|dynamic)[0-9]+$/;

/** A use of a top-level name (a name inside a string keeps a little more than needed). */
const TOP_LEVEL_USE = /\b(?:schema|validate|func|pattern|formats|wrapper|root|ref|self|source|evaluated|dynamic)[0-9]+\b/g;

interface Statement {
  text: string;
  /** The name it declares (`const X =`, `function X(`), or whose property it sets (`X.evaluated =`). */
  name: string;
}

/** A flat list of statements: a chunk, or one block of a bundle (names are local to it). */
interface Part {
  statements: Statement[];
}

export interface ParsedChunk {
  parts: Part[];
  /** Each export's part and local name (`v0` → part 0, `validate3`). */
  exports: Map<string, { part: number; local: string }>;
}

/** True for a character after which `/` is division (an operand ended), false where it starts a regex literal. */
function endsOperand(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c === 0x29 || c === 0x5d || c === 0x22 || c === 0x27
  );
}

/** What the scanner stops at: quotes, slashes, backquotes, brackets and semicolons. */
const SIGNIFICANT = /["'/`{}()[\];]/g;
const STRING_BODY = { 0x22: /"(?:[^"\\\n]|\\.)*"/y, 0x27: /'(?:[^'\\\n]|\\.)*'/y } as Record<number, RegExp>;
const REGEXP_LITERAL = /\/(?:[^/\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+\/[a-z]*/y;

/** The last character before `at` that is not white space, as a code (-1: none). */
function previousSignificant(code: string, at: number): number {
  for (let i = at - 1; i >= 0; i--) {
    const c = code.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return c;
  }
  return -1;
}

/**
 * End offsets of the top-level statements, or undefined for code this scanner does not follow.
 * The regular expressions jump over strings and the text between brackets (native code: a
 * chunk is megabytes long, and this runs in a one-shot process).
 */
function statementEnds(code: string): number[] | undefined {
  const ends: number[] = [];
  let depth = 0;
  const n = code.length;
  const scan = new RegExp(SIGNIFICANT.source, 'g');
  for (let m = scan.exec(code); m; m = scan.exec(code)) {
    const i = m.index;
    const c = code.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      const body = STRING_BODY[c]!;
      body.lastIndex = i;
      if (!body.test(code)) return undefined;
      scan.lastIndex = body.lastIndex;
    } else if (c === 0x2f) {
      const next = code.charCodeAt(i + 1);
      if (next === 0x2a) {
        const end = code.indexOf('*/', i + 2);
        if (end < 0) return undefined;
        scan.lastIndex = end + 2;
      } else if (next === 0x2f) {
        const end = code.indexOf('\n', i);
        scan.lastIndex = end < 0 ? n : end + 1;
      } else if (!endsOperand(previousSignificant(code, i))) {
        REGEXP_LITERAL.lastIndex = i;
        if (!REGEXP_LITERAL.test(code)) return undefined;
        scan.lastIndex = REGEXP_LITERAL.lastIndex;
      }
    } else if (c === 0x60) {
      return undefined; // template literals: not in ajv's output
    } else if (c === 0x7b || c === 0x28 || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x29 || c === 0x5d) {
      if (--depth < 0) return undefined;
      // a function declaration ends at its closing brace
      if (depth === 0 && c === 0x7d && code.charCodeAt(i + 1) !== 0x3b) ends.push(i + 1);
    } else if (depth === 0) {
      ends.push(i + 1); // `;`
    }
  }
  if (depth !== 0) return undefined;
  const last = ends[ends.length - 1] ?? 0;
  if (last !== n && code.slice(last).trim() !== '') return undefined;
  return ends;
}

/** The last character of `text` that is not white space, as a code (-1: none). */
function lastSignificant(text: string): number {
  return previousSignificant(text, text.length);
}

const USE_STRICT = /^\s*"use strict";\s*$/;
const EXPORT = /^\s*exports\.([A-Za-z_$][\w$]*) = ([A-Za-z_$][\w$]*);\s*$/;
const CONST = /^\s*const ([A-Za-z_$][\w$]*) = /;
const FUNCTION = /^\s*function ([A-Za-z_$][\w$]*)\(/;
const PROPERTY = /^\s*([A-Za-z_$][\w$]*)\.[A-Za-z_$][\w$]* = /;

/** A flat list of ajv's statements (a chunk, or one block of a bundle), or undefined. */
function parsePart(code: string, ends: readonly number[], from: number, to: number, exports: Map<string, { part: number; local: string }>, partIndex: number): Part | undefined {
  const statements: Statement[] = [];
  const declared = new Set<string>();
  const exported: string[] = [];
  let start = from;
  for (const end of ends) {
    if (end <= from || end > to) continue;
    const text = code.slice(start, end);
    start = end;
    if (text.length < 32 && (text.trim() === ';' || text.trim() === '' || USE_STRICT.test(text))) continue;
    const exportStatement = EXPORT.exec(text);
    if (exportStatement) {
      if (exports.has(exportStatement[1]!)) return undefined;
      exports.set(exportStatement[1]!, { part: partIndex, local: exportStatement[2]! });
      exported.push(exportStatement[2]!);
      continue;
    }
    const constDecl = CONST.exec(text);
    const decl = constDecl ?? FUNCTION.exec(text);
    if (decl) {
      const name = decl[1]!;
      if (!TOP_LEVEL_NAME.test(name) || declared.has(name)) return undefined;
      if (lastSignificant(text) !== (decl === constDecl ? 0x3b : 0x7d)) return undefined;
      declared.add(name);
      statements.push({ text, name });
      continue;
    }
    const property = PROPERTY.exec(text);
    if (property && declared.has(property[1]!) && lastSignificant(text) === 0x3b) {
      statements.push({ text, name: property[1]! });
      continue;
    }
    return undefined;
  }
  if (code.slice(start, to).trim() !== '') return undefined;
  for (const local of exported) if (!declared.has(local)) return undefined;
  return { statements };
}

/**
 * A chunk's statements — or a bundle's, block by block (shakeChunk's output, concatenated) — or
 * undefined when it is not made of ajv's shapes described above.
 */
export function parseChunk(code: string): ParsedChunk | undefined {
  const ends = statementEnds(code);
  if (!ends) return undefined;
  const exports = new Map<string, { part: number; local: string }>();
  // a bundle: `"use strict";` and blocks; each block is a flat list
  const blocks: [number, number][] = [];
  let start = 0;
  for (const end of ends) {
    const text = code.slice(start, end);
    const open = text.search(/\S/);
    if (open >= 0 && text[open] === '{') blocks.push([start + open + 1, end - 1]);
    else if (!USE_STRICT.test(text)) {
      blocks.length = 0;
      break;
    }
    start = end;
  }
  if (!blocks.length) {
    const part = parsePart(code, ends, 0, code.length, exports, 0);
    return part && { parts: [part], exports };
  }
  const parts: Part[] = [];
  for (const [from, to] of blocks) {
    const inner = statementEnds(code.slice(from, to));
    const part = inner && parsePart(code, inner.map((e) => e + from), from, to, exports, parts.length);
    if (!part) return undefined;
    parts.push(part);
  }
  return { parts, exports };
}

/**
 * The code `wanted` exports need (source name → name in the new chunk): of each part that has
 * some, the statements they use, in the part's order, as one block that assigns them to
 * `exports`. Undefined when an export is not in the chunk.
 */
export function shakeChunk(parsed: ParsedChunk, wanted: ReadonlyMap<string, string>): string | undefined {
  const byPart = new Map<number, { local: string; as: string }[]>();
  for (const [name, as] of wanted) {
    const found = parsed.exports.get(name);
    if (found === undefined) return undefined;
    const list = byPart.get(found.part);
    if (list) list.push({ local: found.local, as });
    else byPart.set(found.part, [{ local: found.local, as }]);
  }
  let out = '';
  for (const [index, exported] of [...byPart].sort((a, b) => a[0] - b[0])) out += shakePart(parsed.parts[index]!, exported);
  return out;
}

function shakePart(part: Part, exported: readonly { local: string; as: string }[]): string {
  const byName = new Map<string, Statement[]>();
  for (const s of part.statements) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const needed = new Set<string>();
  const queue: string[] = [];
  const need = (name: string): void => {
    if (needed.has(name) || !byName.has(name)) return;
    needed.add(name);
    queue.push(name);
  };
  for (const { local } of exported) need(local);
  while (queue.length) {
    for (const s of byName.get(queue.pop()!)!) {
      for (const m of s.text.matchAll(TOP_LEVEL_USE)) need(m[0]);
    }
  }
  const kept = part.statements.filter((s) => needed.has(s.name)).map((s) => s.text);
  return `{${kept.join('')}\n${exported.map(({ local, as }) => `exports.${as} = ${local};`).join('')}}\n`;
}
