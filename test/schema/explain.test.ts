/**
 * Findings explain the root cause (issue 14 §4), from the errors jsonschema 4.10.3 would give
 * (src/schema/py-errors.ts): a oneOf valid under two branches says so and names the properties;
 * a knock-on "Unevaluated properties" becomes related information of the failing value's finding
 * (dt-validate still prints it, and our dt-validate text has it); the index of a bad item is kept;
 * every finding has its source line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTree } from '../../src/overlay/inputs.js';
import { loadSchemaSet, nodeOfDiagnostic, validate, type SchemaSet } from '../../src/schema/index.js';
import { formatDtValidateMessages } from '../../src/schema/dt-validate-format.js';

const BINDING = `$id: http://devicetree.org/schemas/acme,pins.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#
title: Pins
properties:
  compatible:
    const: acme,pins
  acme,count:
    $ref: /schemas/types.yaml#/definitions/uint32
    maximum: 4
  clocks:
    maxItems: 1
  clock-names:
    items:
      - const: core
patternProperties:
  '-state$':
    type: object
    oneOf:
      - required: [bias-pull-up]
      - required: [bias-pull-down]
required: [compatible]
unevaluatedProperties: false
`;

// The root carries what dt-schema's root-node.yaml requires, and clock-names its clocks (clock/clock.yaml),
// added to lines already there so that the findings keep their line numbers.
const BOARD = `/dts-v1/;
/ {	compatible = "acme,board"; model = "Acme board"; #address-cells = <1>; #size-cells = <1>;
	pins {
		compatible = "acme,pins";
		acme,count = <5>;
		clock-names = "iface"; clocks = <&xo>;
		ts-int-state {
			bias-pull-up;
			bias-pull-down;
		};
	};
	xo: clock { #clock-cells = <0>; };
};
`;

describe('schema findings explain the root cause', () => {
  let dir: string;
  let set: SchemaSet;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-explain-'));
    fs.mkdirSync(path.join(dir, 'bindings'));
    fs.writeFileSync(path.join(dir, 'bindings', 'acme,pins.yaml'), BINDING);
    fs.writeFileSync(path.join(dir, 'board.dts'), BOARD);
    set = loadSchemaSet({ bindings: [path.join(dir, 'bindings')], cacheDir: null });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('one finding per root cause, with source lines, the index and the two matching branches named', async () => {
    const { diagnostics } = validate((await loadTree(path.join(dir, 'board.dts'), { cpp: false, includeDirs: [], defines: [] })).tree, set);
    const summary = diagnostics.map((d) => `${d.rule} ${nodeOfDiagnostic.get(d)?.below?.join(':')} line ${d.span?.line}: ${d.message}`).sort();
    expect(summary).toEqual([
      "schema/const clock-names:0 line 6: 'core' was expected",
      'schema/maximum acme,count line 5: 5 is greater than the maximum of 4',
      "schema/oneOf ts-int-state line 7: valid under 2 branches of a oneOf, which allows exactly one: it has 'bias-pull-down' and 'bias-pull-up' (branches {'required': ['bias-pull-down']}, {'required': ['bias-pull-up']})",
    ]);
    const count = diagnostics.find((d) => d.rule === 'schema/maximum')!;
    // The value that failed is also "unevaluated" to jsonschema: a related location, not a finding.
    expect(count.related?.map((r) => [r.message, r.span.line])).toEqual([["hence also: Unevaluated properties are not allowed ('acme,count', 'clock-names' were unexpected)", 5]]);
  });

  it("dt-validate's text keeps the knock-on line and the oneOf's own words", async () => {
    const { messages } = validate((await loadTree(path.join(dir, 'board.dts'), { cpp: false, includeDirs: [], defines: [] })).tree, set);
    const text = formatDtValidateMessages(messages, { file: '/x/board.dtb', unmatchedFile: 'board.dtb' }).join('');
    const id = '\tfrom schema $id: http://devicetree.org/schemas/acme,pins.yaml#';
    expect(text.split('\n').filter((l) => l).sort()).toEqual(
      [
        "/x/board.dtb: pins (acme,pins): Unevaluated properties are not allowed ('acme,count', 'clock-names' were unexpected)",
        '/x/board.dtb: pins (acme,pins): acme,count: 5 is greater than the maximum of 4',
        "/x/board.dtb: pins (acme,pins): clock-names:0: 'core' was expected",
        "/x/board.dtb: pins (acme,pins): ts-int-state: {'bias-pull-up': True, 'bias-pull-down': True} is valid under each of {'required': ['bias-pull-down']}, {'required': ['bias-pull-up']}",
        id,
        id,
        id,
        id,
      ].sort(),
    );
  });
});
