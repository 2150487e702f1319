/**
 * Macros for hover and go-to-definition: the `#define` of a name in the file itself or in the files
 * its runs read (headers included), found by scanning their text: what the preprocessor saw.
 */
import type { FileContext } from './context.js';

export interface FoundDefine {
  file: string;
  line: number;
  column: number;
  params?: string;
  body: string;
}

export function findDefine(ctx: FileContext, name: string): FoundDefine | undefined {
  const pattern = new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${name}(\\([^)]*\\))?(.*)$`, 'm');
  const files = [ctx.file, ...new Set(ctx.runs.flatMap(({ run }) => run.dependencies))];
  for (const file of files) {
    const text = file === ctx.file ? ctx.text : ctx.textOf(file);
    const m = text === undefined ? null : pattern.exec(text);
    if (!m || text === undefined) continue;
    const before = text.slice(0, m.index);
    const line = before.split('\n').length;
    return { file, line, column: m[0].indexOf(name) + 1, params: m[1], body: m[2]!.trim() };
  }
  return undefined;
}
