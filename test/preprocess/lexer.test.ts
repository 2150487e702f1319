import { describe, expect, it } from 'vitest';
import { lexFile } from '../../src/preprocess/lexer.js';
import { TokenFlag as F, TokenKind as T } from '../../src/preprocess/token.js';

const lex = (text: string) => lexFile(text, 'test.dts', 0);
const brief = (text: string) => lex(text).tokens.map((t) => [t.text, t.line, t.col]);

describe('lexer', () => {
  it('splits DTS text into cpp tokens with 1-based line and column', () => {
    expect(brief('node@1 {\n\treg = <0x10 4>;\n};')).toEqual([
      ['node', 1, 1], ['@', 1, 5], ['1', 1, 6], ['{', 1, 8],
      ['reg', 2, 2], ['=', 2, 6], ['<', 2, 8], ['0x10', 2, 9], ['4', 2, 14], ['>', 2, 15], [';', 2, 16],
      ['}', 3, 1], [';', 3, 2],
    ]);
  });

  it('keeps physical positions across backslash-newline splices (also with trailing blanks)', () => {
    expect(brief('#define A \\\n  1 \\  \n 2\nB')).toEqual([
      ['#', 1, 1], ['define', 1, 2], ['A', 1, 9], ['1', 2, 3], ['2', 3, 2], ['B', 4, 1],
    ]);
    expect(lex('"ab\\\ncd" x').tokens.map((t) => t.text)).toEqual(['"abcd"', 'x']);
  });

  it('turns comments into whitespace, keeping line numbers and the start-of-line flag', () => {
    const toks = lex('/* a\n b */ #define X /* c */ 1 // d\nY').tokens;
    expect(toks.map((t) => [t.text, t.line])).toEqual([['#', 2], ['define', 2], ['X', 2], ['1', 2], ['Y', 3]]);
    expect(toks[0]!.flags & F.BOL).toBeTruthy();
    expect(toks[0]!.flags & F.PREV_WHITE).toBeTruthy();
    expect(toks[3]!.flags & F.PREV_WHITE).toBeTruthy();
    expect(toks[4]!.flags & F.BOL).toBeTruthy();
  });

  it('lexes header names only after #include', () => {
    expect(lex('#include <a/b-c.h>\n< a >').tokens.map((t) => [t.kind, t.text])).toEqual([
      [T.HASH, '#'], [T.NAME, 'include'], [T.HEADER_NAME, '<a/b-c.h>'], [T.LESS, '<'], [T.NAME, 'a'], [T.GREATER, '>'],
    ]);
  });

  it('makes an unterminated quote one OTHER token up to the end of the line (assembler mode)', () => {
    expect(lex("don't X\nY").tokens.map((t) => [t.kind, t.text])).toEqual([
      [T.NAME, 'don'], [T.OTHER, "'t X"], [T.NAME, 'Y'],
    ]);
    expect(lex("'a' '\\''").tokens.map((t) => t.kind)).toEqual([T.CHAR, T.CHAR]);
  });

  it('does not allow $ in identifiers (assembler-with-cpp)', () => {
    expect(lex('a$b').tokens.map((t) => [t.kind, t.text])).toEqual([[T.NAME, 'a'], [T.OTHER, '$'], [T.NAME, 'b']]);
  });

  it('lexes pp-numbers with exponent signs and longest-match punctuators', () => {
    expect(lex('1e+5 0x1p-3 .5 a<<=b->c ## ... %:').tokens.map((t) => t.text)).toEqual([
      '1e+5', '0x1p-3', '.5', 'a', '<<=', 'b', '->', 'c', '##', '...', '%', ':',
    ]);
  });

  it('recognises whole-file include guards', () => {
    expect(lex('/* c */\n#ifndef G\n#define G\n#if X\n#endif\n#endif\n').guard).toBe('G');
    expect(lex('#if !defined(G)\nx\n#endif').guard).toBe('G');
    expect(lex('#if !defined G\nx\n#endif').guard).toBe('G');
    expect(lex('#ifndef G\nx\n#endif\ny').guard).toBeNull();
    expect(lex('#ifndef G\nx\n#else\ny\n#endif').guard).toBeNull();
    expect(lex('x\n#ifndef G\n#endif').guard).toBeNull();
  });

  it('reports an unterminated comment with its position', () => {
    expect(() => lex('a\n  /* open')).toThrowError(/unterminated comment/);
    try {
      lex('a\n  /* open');
    } catch (e) {
      expect((e as { diagnostic: unknown }).diagnostic).toMatchObject({ rule: 'cpp/unterminated-comment', span: { line: 2, column: 3 } });
    }
  });
});
