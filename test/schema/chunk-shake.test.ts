/**
 * chunk-shake.ts: the top-level statements of ajv's standalone code, and the code a few exports
 * need. Chunks here are ajv's real output for small schemas that use what binding validators use
 * (references between schemas, a recursive reference, patternProperties and their regex-literal
 * escaping of names, multipleOf's division, unevaluatedProperties); the shaken code must give the
 * same verdicts and errors as the chunk it came from.
 */
import { createRequire } from 'node:module';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseChunk, shakeChunk } from '../../src/schema/chunk-shake.js';

const require = createRequire(import.meta.url);
const { default: Ajv2019 } = require('ajv/dist/2019.js') as { default: new (o: object) => { addSchema(s: object): void } };
const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as { default: (ajv: unknown, refs: Record<string, string>) => string };

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

const SCHEMAS = [
  {
    $id: 'http://example.org/cells.yaml',
    type: 'array',
    items: { type: 'integer', multipleOf: 4, maximum: 4096 },
  },
  {
    $id: 'http://example.org/tree.yaml',
    type: 'object',
    properties: { name: { type: 'string', pattern: '^[a-z]+$' }, children: { type: 'array', items: { $ref: '#' } } },
  },
  {
    $id: 'http://example.org/device.yaml',
    type: 'object',
    properties: { reg: { $ref: 'cells.yaml' }, compatible: { enum: ['acme,one', 'acme,two'] } },
    patternProperties: { '^pinctrl-[0-9]+$': { $ref: 'cells.yaml' }, '-supply$': { type: 'string' } },
    additionalProperties: false,
    required: ['compatible'],
  },
  {
    $id: 'http://example.org/board.yaml',
    type: 'object',
    allOf: [{ $ref: 'tree.yaml' }],
    properties: { model: { type: 'string' }, device: { $ref: 'device.yaml' } },
    unevaluatedProperties: false,
  },
];

const INSTANCES: unknown[] = [
  { compatible: 'acme,one', reg: [4, 8] },
  { compatible: 'acme,three', reg: [3], 'pinctrl-0': [4], 'vdd-supply': 'x', 'a/b~c': 1 },
  { name: 'root', children: [{ name: 'Leaf' }, { name: 'ok', children: [{ name: 1 }] }] },
  { name: 'board', model: 'm', device: { compatible: 'acme,two', reg: [8192] }, stray: true },
  [4, 8, 12],
  [5, 'x'],
  'nothing',
];

/** ajv's standalone code for all four schemas, exports `v0`…`v3` (one chunk, as persist() writes it). */
function chunk(): string {
  const ajv = new Ajv2019({ allErrors: true, strict: false, code: { source: true } });
  for (const s of SCHEMAS) ajv.addSchema(s);
  return standaloneCode(ajv, { v0: SCHEMAS[0]!.$id, v1: SCHEMAS[1]!.$id, v2: SCHEMAS[2]!.$id, v3: SCHEMAS[3]!.$id });
}

function load(code: string): Record<string, Validate> {
  const module = { exports: {} as Record<string, Validate> };
  (new vm.Script(`(function (require, module, exports) {${code}\n})`).runInThisContext() as (r: unknown, m: unknown, e: unknown) => void)(require, module, module.exports);
  return module.exports;
}

function answers(validate: Validate): unknown[] {
  return INSTANCES.map((i) => [validate(i), structuredClone(validate.errors ?? null)]);
}

describe('chunk-shake', () => {
  const code = chunk();

  it("reads ajv's chunk: its regular expression literals, strings and divisions", () => {
    expect(code).toMatch(/\.replace\(\/~\/g/); // the escaping of property names in error paths
    expect(code).toMatch(/[\w)]\s*\/\s*4\b/); // multipleOf
    const parsed = parseChunk(code)!;
    expect(parsed).toBeDefined();
    expect([...parsed.exports.keys()].sort()).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('keeps of each export only what it uses, with the same verdicts and errors', () => {
    const parsed = parseChunk(code)!;
    const whole = load(code);
    for (const name of ['v0', 'v1', 'v2', 'v3']) {
      const shaken = shakeChunk(parsed, new Map([[name, 'w']]))!;
      const alone = load(`"use strict";${shaken}`);
      expect(Object.keys(alone)).toEqual(['w']);
      expect(answers(alone.w!), name).toEqual(answers(whole[name]!));
    }
    // cells.yaml alone carries nothing of the device or the tree schemas
    const cells = shakeChunk(parsed, new Map([['v0', 'w']]))!;
    expect(cells).not.toContain('acme,one');
    expect(cells).not.toContain('children');
    expect(cells.length).toBeLessThan(code.length / 3);
  });

  it('reads a bundle of shaken parts again, and shakes it again (a SoC bundle made from the last one)', () => {
    const parsed = parseChunk(code)!;
    const bundle = `"use strict";\n${shakeChunk(parsed, new Map([['v2', 'a0'], ['v0', 'a1']]))}${shakeChunk(parsed, new Map([['v3', 'a2']]))}`;
    const again = parseChunk(bundle)!;
    expect(again.parts.length).toBe(2);
    expect([...again.exports.keys()].sort()).toEqual(['a0', 'a1', 'a2']);
    const second = load(`"use strict";${shakeChunk(again, new Map([['a2', 'b0'], ['a1', 'b1']]))}`);
    const whole = load(code);
    expect(answers(second.b0!)).toEqual(answers(whole.v3!));
    expect(answers(second.b1!)).toEqual(answers(whole.v0!));
    expect(shakeChunk(again, new Map([['v9', 'x']]))).toBeUndefined(); // not an export
  });

  it('finds statement ends past strings and regular expressions that hold quotes, braces and semicolons', () => {
    const tricky = [
      '"use strict";exports.v0 = validate1;',
      'const schema0 = {"a":"};{\\"}","b":[1,2]};',
      "const pattern0 = new RegExp(\"^a\", 'u');",
      'function validate1(data){const r = /["};]/g; const s = "x}".replace(/\\//g, "~1"); return data / 2 > 1 && r.test(s) && schema0.b[0] === 1 && pattern0.test("a");}',
      'validate1.evaluated = {"props":true};',
    ].join('');
    const parsed = parseChunk(tricky)!;
    expect(parsed.parts[0]!.statements.map((s) => s.name)).toEqual(['schema0', 'pattern0', 'validate1', 'validate1']);
    expect(load(`"use strict";${shakeChunk(parsed, new Map([['v0', 'w']]))}`).w!(4)).toBe(true);
  });

  it('refuses code that is not the flat list of ajv statements (the chunk is then used as it is)', () => {
    const base = '"use strict";exports.v0 = validate1;function validate1(data){return true;}';
    expect(parseChunk(base)).toBeDefined();
    expect(parseChunk(`${base}const x = \`t\`;`)).toBeUndefined(); // a template literal
    expect(parseChunk(`${base}const helper = 1;`)).toBeUndefined(); // not one of ajv's names
    expect(parseChunk(`${base}if (true) { validate1(1); }`)).toBeUndefined(); // another statement
    expect(parseChunk(`${base}function validate1(data){return false;}`)).toBeUndefined(); // declared twice
    expect(parseChunk('"use strict";exports.v0 = validate2;function validate1(data){return true;}')).toBeUndefined(); // exports what is not there
    expect(parseChunk(`${base}function validate2(data){return "unterminated;}`)).toBeUndefined();
    expect(parseChunk(`${base}function validate2(data){return (1;}`)).toBeUndefined(); // unbalanced
  });
});
