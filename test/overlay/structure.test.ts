/**
 * overlay/structure (src/overlay/structure.ts): what libfdt needs of an overlay, checked with no
 * base. Each case a hand-written overlay (dtc keeps __fixups__ and __local_fixups__ written by hand).
 */
import { describe, expect, it } from 'vitest';
import { compile, defaultCompileOptions } from '../../src/compile/index.js';
import { checkOverlayStructure } from '../../src/overlay/structure.js';

async function findings(body: string): Promise<string[]> {
  const result = await compile(
    { file: 'hand.dtso', text: `/dts-v1/;\n/plugin/;\n/ {\n${body}\n};\n` },
    { ...defaultCompileOptions(), inputs: ['hand.dtso'], inputFormat: 'dts', outputFormat: 'dtb', force: true, quiet: 3 },
  );
  expect(result.tree, result.messages.join('\n')).toBeDefined();
  return checkOverlayStructure(result.tree!).map((d) => `${d.path}${d.property ? `:${d.property}` : ''}${d.span ? `@${d.span.line}` : ''}: ${d.message}`);
}

const fragment = (target: string, overlay = 'x = <1 2>;') => `fragment@0 { ${target} __overlay__ { ${overlay} }; };`;

describe('targets', () => {
  const cases: [string, string[]][] = [
    ['target = <1>;', []],
    ['target-path = "/soc";', []],
    ['target-path = "/";', []],
    // a target of one cell wins; target-path is then not looked at
    ['target = <1>; target-path = "soc";', []],
    ['target = <1 2>;', ['/fragment@0:target@5: fragment@0: target is 8 bytes, not one phandle cell']],
    ['target = [01];', ['/fragment@0:target@5: fragment@0: target is 1 bytes, not one phandle cell']],
    ['', ['/fragment@0@5: fragment@0 has an __overlay__ but neither target nor target-path: fdtoverlay cannot place it (FDT_ERR_BADOVERLAY)']],
    ['target-path = "soc";', ['/fragment@0:target-path@5: fragment@0: target-path is not an absolute path string']],
    ['target-path = "";', ['/fragment@0:target-path@5: fragment@0: target-path is not an absolute path string']],
    ['target-path = [2f];', ['/fragment@0:target-path@5: fragment@0: target-path is not an absolute path string']],
    ['target-path = [2f 61];', ['/fragment@0:target-path@5: fragment@0: target-path is not an absolute path string']],
    ['target-path = ".soc";', ['/fragment@0:target-path@5: fragment@0: target-path is not an absolute path string']],
  ];
  for (const [target, expected] of cases) {
    it(`${target || '(no target)'} → ${expected.length ? 'a finding' : 'none'}`, async () => {
      expect(await findings(`\n${fragment(target)}`)).toEqual(expected);
    });
  }

  it('a node without __overlay__, and the special nodes, are not fragments', async () => {
    expect(await findings('other { x = <1>; };\n__symbols__ { s = "/fragment@0/__overlay__"; };')).toEqual([]);
  });
});

describe('__fixups__', () => {
  const cases: [string, string[]][] = [
    ['"/fragment@0/__overlay__:x:0", "/fragment@0/__overlay__:x:4"', []],
    ['"/fragment@0/__overlay__:x:8"', ["/__fixups__:l@5: __fixups__/l: '/fragment@0/__overlay__:x:8' points at byte 8 of x (8 bytes): not a whole cell inside it"]],
    ['"/fragment@0/__overlay__:x:2"', ["/__fixups__:l@5: __fixups__/l: '/fragment@0/__overlay__:x:2' points at byte 2 of x (8 bytes): not a whole cell inside it"]],
    ['"/fragment@0/__overlay__:y:0"', ["/__fixups__:l@5: __fixups__/l: '/fragment@0/__overlay__:y:0' names property y, which /fragment@0/__overlay__ does not have"]],
    ['"/nowhere:x:0"', ["/__fixups__:l@5: __fixups__/l: '/nowhere:x:0' names /nowhere, which is not in the overlay"]],
    ['"fragment@0/__overlay__:x:0"', ["/__fixups__:l@5: __fixups__/l: 'fragment@0/__overlay__:x:0' is not path:property:offset"]],
    ['[2f 3a 78 3a 30]', ['/__fixups__:l@5: __fixups__/l is not a list of strings']],
  ];
  for (const [value, expected] of cases) {
    it(`l = ${value} → ${expected.length ? 'a finding' : 'none'}`, async () => {
      expect(await findings(`${fragment('target = <1>;')}\n__fixups__ { l = ${value}; };`)).toEqual(expected);
    });
  }

  it("a `name` property (old blobs have one in every node) is not an entry", async () => {
    expect(await findings(`${fragment('target = <1>;')}\n__fixups__ { name = "other"; };`)).toEqual([]);
  });

  it('a cell cut short by the end of its property is not inside it', async () => {
    expect(await findings(`${fragment('target = <1>;', 'x = [00 00 00 00 00 00 00];')}\n__fixups__ { l = "/fragment@0/__overlay__:x:4"; };`)).toEqual([
      "/__fixups__:l@5: __fixups__/l: '/fragment@0/__overlay__:x:4' points at byte 4 of x (7 bytes): not a whole cell inside it",
    ]);
  });
});

describe('__local_fixups__', () => {
  const cases: [string, string[]][] = [
    ['fragment@0 { __overlay__ { x = <0 4>; }; };', []],
    ['fragment@0 { __overlay__ { x = <8>; }; };', ['/__local_fixups__/fragment@0/__overlay__:x@5: __local_fixups__: offset 8 of /fragment@0/__overlay__:x (8 bytes) is not a whole cell inside it']],
    ['fragment@0 { __overlay__ { x = <2>; }; };', ['/__local_fixups__/fragment@0/__overlay__:x@5: __local_fixups__: offset 2 of /fragment@0/__overlay__:x (8 bytes) is not a whole cell inside it']],
    ['fragment@0 { __overlay__ { x = <4 5>; }; };', ['/__local_fixups__/fragment@0/__overlay__:x@5: __local_fixups__: offset 5 of /fragment@0/__overlay__:x (8 bytes) is not a whole cell inside it']],
    // a trailing partial cell is not an offset
    ['fragment@0 { __overlay__ { x = [00 00 00 04 00 00 01]; }; };', []],
    ['fragment@0 { __overlay__ { y = <0>; }; };', ['/__local_fixups__/fragment@0/__overlay__:y@5: __local_fixups__ names /fragment@0/__overlay__:y, which the overlay does not have']],
    ['top = <0>;', ['/__local_fixups__:top@5: __local_fixups__ names /:top, which the overlay does not have']],
    ['nofrag { };', ['/__local_fixups__/nofrag@5: __local_fixups__ names /nofrag, which is not in the overlay']],
    ['fragment@0 { nothing { }; };', ['/__local_fixups__/fragment@0/nothing@5: __local_fixups__ names /fragment@0/nothing, which is not in the overlay']],
    ['name = "other"; fragment@0 { __overlay__ { name = "other"; x = <0>; }; };', []],
  ];
  for (const [body, expected] of cases) {
    it(`${body} → ${expected.length ? 'a finding' : 'none'}`, async () => {
      expect(await findings(`${fragment('target = <1>;')}\n__local_fixups__ { ${body} };`)).toEqual(expected);
    });
  }

  it('a cell cut short by the end of its property is not inside it', async () => {
    expect(await findings(`${fragment('target = <1>;', 'x = [00 00 00 00 00 00 00];')}\n__local_fixups__ { fragment@0 { __overlay__ { x = <4>; }; }; };`)).toEqual([
      '/__local_fixups__/fragment@0/__overlay__:x@5: __local_fixups__: offset 4 of /fragment@0/__overlay__:x (7 bytes) is not a whole cell inside it',
    ]);
  });
});
