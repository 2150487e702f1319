/** The scanner: dtc's start conditions, longest-match rules, positions and line markers. */
import { describe, expect, it } from 'vitest';
import { Lexer, Tok } from '../../src/dts/lexer.js';
import type { SourceHost } from '../../src/dts/source.js';

const noFiles: SourceHost = { open: () => undefined, openBinary: () => undefined };

function tokens(text: string, host: SourceHost = noFiles): string[] {
  const lx = new Lexer(text, 't.dts', host);
  const out: string[] = [];
  for (let t = lx.next(); t !== Tok.EOF; t = lx.next()) {
    const name = Tok[t];
    out.push(t === Tok.Char ? lx.text : t === Tok.Byte ? `${name}(${lx.num})` : t === Tok.Literal || t === Tok.CharLiteral ? `${name}(${lx.big})` : ['PropNodeName', 'Label', 'LabelRef', 'PathRef'].includes(name!) ? `${name}(${lx.text})` : name!);
  }
  return out;
}

describe('Lexer', () => {
  it('reads names only where dtc expects them (after { and ;) and numbers only after /dts-v1/', () => {
    expect(tokens('/dts-v1/; / { #size-cells = <0x1 010 7>; node@1,2 { }; };')).toEqual([
      'V1', ';', '/', '{', 'PropNodeName(#size-cells)', '=', '<', 'Literal(1)', 'Literal(8)', 'Literal(7)', '>', ';',
      'PropNodeName(node@1,2)', '{', '}', ';', '}', ';',
    ]);
  });

  it('prefers a label to a name and a byte pair (longest match)', () => {
    expect(tokens('/dts-v1/; / { lbl: n { p = [ab: cd 0e]; }; };').slice(4, 14)).toEqual([
      'Label(lbl)', 'PropNodeName(n)', '{', 'PropNodeName(p)', '=', '[', 'Label(ab)', 'Byte(205)', 'Byte(14)', ']',
    ]);
  });

  it('reads references, path references and two-character operators', () => {
    // after ';' dtc's scanner expects a name, so the value starts after 'p ='
    expect(tokens('/dts-v1/; p = <&foo &{/a/b@1} (1 << 2 >= 3 && 4 || 5 != 6 == 7 <= 8 >> 9)>').slice(2)).toEqual([
      'PropNodeName(p)', '=', '<', 'LabelRef(foo)', 'PathRef(/a/b@1)', '(', 'Literal(1)', 'LShift', 'Literal(2)', 'GE', 'Literal(3)', 'And',
      'Literal(4)', 'Or', 'Literal(5)', 'NE', 'Literal(6)', 'EQ', 'Literal(7)', 'LE', 'Literal(8)', 'RShift', 'Literal(9)', ')', '>',
    ]);
  });

  it('takes character literals with escapes, as flex does', () => {
    expect(tokens("/dts-v1/; p = <'a' '\\n' '\\x41' '\\101' '\\''>").slice(5, 10)).toEqual([
      'CharLiteral(97)', 'CharLiteral(10)', 'CharLiteral(65)', 'CharLiteral(65)', 'CharLiteral(39)',
    ]);
  });

  it('decodes string escapes to bytes', () => {
    const lx = new Lexer('"a\\tb\\x4\\101\\"\\\\c"', 't', noFiles);
    lx.next();
    expect([...lx.bytes]).toEqual([0x61, 9, 0x62, 4, 0x41, 0x22, 0x5c, 0x63, 0]);
  });

  it('skips comments and counts positions like dtc (columns in bytes, end one past)', () => {
    const lx = new Lexer('/dts-v1/;\n/* two\nlines */ // line\n\tname = <1>;', 't.dts', noFiles);
    lx.next();
    lx.next();
    lx.next(); // 'name' is a Char sequence here: the state is PROPNODENAME only after ';'
    expect(lx.tok).toBe(Tok.PropNodeName);
    expect([lx.firstLine, lx.firstColumn, lx.lastLine, lx.lastColumn]).toEqual([4, 2, 4, 6]);
    expect(lx.span()).toEqual({ file: 't.dts', line: 4, column: 2, endLine: 4, endColumn: 5 });
  });

  it('follows line markers (# N "file" flags and #line N "file")', () => {
    const lx = new Lexer('# 10 "a.dtsi" 1 3\n/dts-v1/;\n#line 40 "b.dts"\n;', 'top.dts', noFiles);
    lx.next();
    expect([lx.file, lx.firstLine]).toEqual(['a.dtsi', 10]);
    lx.next();
    lx.next();
    expect([lx.file, lx.firstLine]).toEqual(['b.dts', 40]);
  });

  it('reports bad literals and keeps going', () => {
    const errors: string[] = [];
    const lx = new Lexer('/dts-v1/; p = <08 0x10000000000000000 1>', 't', noFiles);
    lx.onDiagnostic = (d) => errors.push(`${d.span.line}:${d.span.column} ${d.message}`);
    while (lx.next() !== Tok.EOF);
    expect(errors).toEqual([
      "1:16 Bad integer literal '08'",
      "1:19 Integer literal '0x10000000000000000' out of range",
    ]);
  });

  it('reads /include/ files through the host, relative to the including file', () => {
    const host: SourceHost = {
      open: (name, dir) => (name === 'inc.dtsi' && dir === 'sub' ? { path: 'sub/inc.dtsi', text: 'inner: ' } : undefined),
      openBinary: () => undefined,
    };
    const lx = new Lexer('/include/ "inc.dtsi"\nouter:', 'sub/top.dts', host);
    const seen: string[] = [];
    lx.next();
    expect(lx.span().via).toEqual([{ kind: 'include', file: 'sub/top.dts', line: 1, column: 1 }]);
    for (let t: Tok = lx.tok; t !== Tok.EOF; t = lx.next()) seen.push(`${lx.text}@${lx.file}:${lx.firstLine}`);
    expect(seen).toEqual(['inner@sub/inc.dtsi:1', 'outer@sub/top.dts:2']);
    expect(lx.dependencies).toEqual(['sub/inc.dtsi']);
  });
});
