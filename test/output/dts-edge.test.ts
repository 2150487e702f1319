/**
 * Corners of `-O dts` for source-built trees, each against the reference dtc in several modes:
 * labels at odd places in values, every value type, references of both kinds, deletions,
 * /omit-if-no-ref/, plugins, phandle styles and sorting.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { referenceDtc } from '../support/reference.js';

const cases: Record<string, string> = {
  'labels at the end of values': '/ { a = <1>, "x" e1:; b = "x" e2:; c = [01] e3:; d = /bits/ 16 <1 e4:>; };',
  'labels inside every type': '/ { a = lbl: <&n>; b = <&n>, lbl2: "x"; c = [01 l3: 02 l4:]; d = /bits/ 16 <1 l5: 2>; e = /bits/ 64 <1 l6: 2>; n: n { }; };',
  'all value types mixed': '/ { a = "str", <1 2>, [aa bb], "s2", /bits/ 16 <0xabcd>, /bits/ 64 <2>, <&n>; n: n { }; };',
  'empty and tiny values': '/ { a = /bits/ 8 <1 2 0xff>; b = <>; c = []; d = ""; e = "", ""; f = <0>, <>; g = [00]; h = "\\0"; };',
  'string escapes and char literals':
    "/ { a = <'a' '\\n' '\\x41'>; b = \"\\x80\\xff\\x7f\\001\\\\\\\"\\t\\a\\b\\v\\f\\r\"; c = \"a\", \"\", \"b\"; d = /bits/ 64 <0xffffffffffffffff 0x1>; };",
  'phandle references in cells': '/ { a = <&n 1 &n 2>, <3 &n>, <&{/m}>; n: n { }; m: m { p = <&n &m>; }; };',
  'path references': '/ { a = &n, &n, "x", &{/m}; n: n { }; m: m { }; };',
  'labels on reservations, nodes and properties': '/memreserve/ 1 2; m1: m2: /memreserve/ 3 4; / { l1: n { p1: a = <1>; }; }; / { l2: n { p2: a = <2>; }; };',
  'labels added through references': '/ { n1: n2: n { }; }; &n1 { x = <1>; }; n3: &n2 { y; };',
  'deleted nodes and properties': '/ { a = <1>; b = <2>; n1 { }; n2: n2 { c; }; n3 { }; }; / { /delete-property/ a; /delete-node/ n1; }; /delete-node/ &n2;',
  '/omit-if-no-ref/': '/ { x = <&used>; used: used { }; /omit-if-no-ref/ unused: unused { }; };',
  'explicit phandles': '/ { n: n { phandle = <5>; }; m { linux,phandle = <6>; p = <&n>; }; };',
  'unusual names': '/ { #a?b,c+d = <1>; a,b-c_d.e+f@1,2 { x; }; node@0 { }; node@1 { }; };',
  // dtc prints nothing for bytes before a value's first type marker: the /incbin/ data is dropped
  '/incbin/ data before typed data': '/ { a = /incbin/("blob.bin"); b = /incbin/("blob.bin"), <1>; c = /incbin/("blob.bin"), "x"; d = /incbin/("blob.bin", 1, 2); };',
  'plugin with external and local references': '/plugin/; &ext { prop = <&ext2>; x = &loc; loc: n { }; }; / { y = <&loc 1>; };',
};

const modes: string[][] = [[], ['-@'], ['-H', 'epapr'], ['-H', 'both'], ['-s']];

describe('-O dts corners vs the reference dtc', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dts-edge-'));
  fs.writeFileSync(path.join(dir, 'blob.bin'), 'AB\0CD');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [name, body] of Object.entries(cases)) {
    it(name, async () => {
      const file = path.join(dir, 'case.dts');
      fs.writeFileSync(file, `/dts-v1/;\n${body}\n`);
      expect(referenceDtc(['-q', '-O', 'dtb', '-o', '-', 'case.dts'], { cwd: dir }).status, 'a valid case').toBe(0);
      for (const mode of modes) {
        const args = ['-q', ...mode, '-I', 'dts', '-O', 'dts'];
        const reference = referenceDtc([...args, 'case.dts'], { cwd: dir });
        const ours = await compile({ file }, parseCompileArgs([...args, '-o', '-', file]));
        // the same text, or both refuse
        const text = ours.exitCode === 0 ? Buffer.from(ours.output ?? []).toString('latin1') : 'refused';
        expect(text, `mode ${mode.join(' ') || '(default)'}: ${ours.messages.join('\n')}`).toBe(reference.status === 0 ? reference.stdout : 'refused');
      }
    });
  }
});
