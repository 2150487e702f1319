/**
 * Presence guards (src/schema/guards.ts): a schema applied to every node is skipped on a node that
 * has none of the properties it looks at. The analysis is checked on small schemas, and against
 * ajv on dt-schema's core: random nodes that a guard says cannot fail its schema pass its compiled
 * validator.
 */
import { describe, expect, it } from 'vitest';
import { SchemaRuntime } from '../../src/schema/compile.js';
import { GuardIndex, presenceGuard } from '../../src/schema/guards.js';
import type { JsonObject } from '../../src/schema/json.js';
import { vendoredDtschemaDir } from '../../src/schema/load.js';
import { makeProcessedSchema } from '../../src/schema/processed-json.js';
import { seededRandom } from '../support/random.js';

const none = (): undefined => undefined;

describe('presence guards', () => {
  it('list what properties, patternProperties and dependencies look at, through allOf, then/else and $ref', () => {
    const types: JsonObject = { $id: 'http://x/types.yaml#', definitions: { u32: { type: 'integer' } } };
    const lookup = (id: string) => (id === 'http://x/types.yaml' ? types : id === 'http://x/other.yaml' ? { $id: 'http://x/other.yaml#', properties: { o: true } } : undefined);
    expect(
      presenceGuard(
        {
          $id: 'http://x/s.yaml#',
          select: true,
          type: 'object',
          properties: { a: { $ref: 'types.yaml#/definitions/u32' } },
          patternProperties: { '-gpios$': true },
          dependentRequired: { b: ['a'] },
          allOf: [{ if: { required: ['q'] }, then: { properties: { c: false } } }, { $ref: 'other.yaml#' }],
          additionalProperties: true,
        },
        lookup,
      ),
    ).toEqual({ names: ['a', 'b', 'c', 'o'], patterns: ['-gpios$'] });
    expect(presenceGuard(true, none)).toEqual({ names: [], patterns: [] });
  });

  it('none where a node may fail whatever it has', () => {
    const cases: JsonObject[] = [
      { required: ['a'] },
      { properties: { a: true }, additionalProperties: false },
      { unevaluatedProperties: false },
      { oneOf: [{ properties: { a: true } }] },
      { not: { properties: { a: true } } },
      { type: 'array' },
      { minProperties: 2 },
      { allOf: [{ properties: { a: true } }, { required: ['b'] }] },
      { then: { required: ['a'] } },
      { $ref: 'missing.yaml#' },
      { $ref: '#/definitions/loop', definitions: { loop: { $ref: '#/definitions/loop' } } },
      { properties: { a: true }, allOf: [false] },
      { someKeywordWeDoNotKnow: 1 },
    ];
    for (const schema of cases) {
      const own = { $id: 'http://x/s.yaml#', ...schema };
      expect(presenceGuard(own, (id) => (id === 'http://x/s.yaml' ? own : undefined)), JSON.stringify(schema)).toBeUndefined();
    }
    expect(presenceGuard(false, none)).toBeUndefined();
  });

  it('a guard naming a property every object inherits, or with a pattern that cannot be used, clears no node', () => {
    const index = new GuardIndex([{ names: ['constructor'], patterns: [] }, { names: [], patterns: ['(['] }, { names: ['a'], patterns: ['-b$'] }, null]);
    index.visit({ x: 1 });
    expect([0, 1, 2, 3].map((i) => index.mayFail(i))).toEqual([true, true, false, true]);
    index.visit({ 'x-b': 1 });
    expect(index.mayFail(2)).toBe(true);
    index.visit({ a: 1 });
    expect(index.mayFail(2)).toBe(true);
  });

  it("a node a guard clears passes the schema's validator: dt-schema's core schemas, 300 random nodes each", () => {
    const set = makeProcessedSchema([], vendoredDtschemaDir()!);
    const runtime = new SchemaRuntime(set);
    const names = new Set<string>();
    for (const s of set.schemas) if (s.properties && typeof s.properties === 'object') for (const k of Object.keys(s.properties)) names.add(k);
    names.add('vdd-supply').add('reset-gpios').add('foo-microvolt').add('acme,thing').add('constructor').add('x@0');
    const pool = [...names];
    const values: unknown[] = [true, [1], [[1, 2]], ['okay'], [1, 2, 3, 4, 5], [[1], [2, 3]], ['a', 'b'], {}, { $nodename: ['child'] }];
    const random = seededRandom(17);
    const index = new GuardIndex(set.always.map((id) => set.guards[id]));
    let checked = 0;
    let skipped = 0;
    set.always.forEach((id, i) => {
      const validate = set.guards[id] ? runtime.validator(id) : null;
      if (!validate) return;
      for (let n = 0; n < 300; n++) {
        const node: Record<string, unknown> = { $nodename: ['node@1'] };
        const count = Math.floor(random() * 6);
        for (let j = 0; j < count; j++) node[pool[Math.floor(random() * pool.length)]!] = values[Math.floor(random() * values.length)];
        index.visit(node);
        if (index.mayFail(i)) continue;
        skipped++;
        expect(validate(node), `${id} on ${JSON.stringify(node)}`).toBe(true);
      }
      checked++;
    });
    expect(checked).toBeGreaterThan(30);
    expect(skipped).toBeGreaterThan(1000);
  }, 120_000);
});
