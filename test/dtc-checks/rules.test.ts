/**
 * Valid and invalid cases per check, as small sources. Each case names the check, the source
 * (wrapped in `/dts-v1/; / { … };` unless it starts with `/dts-v1/`), optional -W/-E flags, and
 * the findings of that check expected as `path[:prop]: message` (empty for a valid case).
 * Every case is also run through the reference dtc 1.7.2, whose findings must be the same: the
 * table pins the behaviour (and dtc's quirks) one rule at a time, with the oracle beside it.
 */
import { describe, expect, it } from 'vitest';
import { parseCheckFlag, runChecks, type CheckLevels } from '../../src/dtc-checks/index.js';
import { parseDts } from '../../src/dts/parser.js';
import { FileSourceHost } from '../../src/dts/source.js';
import { buildTree } from '../../src/tree/build.js';
import { referenceDtc } from '../support/reference.js';

interface Case {
  check: string;
  name: string;
  dts: string;
  flags?: string[];
  expect: string[];
}

const cells11 = '#address-cells = <1>; #size-cells = <1>;';

const cases: Case[] = [
  // structure
  { check: 'duplicate_node_names', name: 'distinct names', dts: 'a { }; b { };', expect: [] },
  { check: 'duplicate_node_names', name: 'same name twice', dts: 'a { }; a { };', expect: ['/a: Duplicate node name'] },
  { check: 'duplicate_property_names', name: 'reports the first of two', dts: 'p = <1>; p = <2>;', expect: ['/:p: Duplicate property name'] },
  // dtc compares every pair: p0–p2, p0–p3 and p2–p3 each report, among names that differ
  { check: 'duplicate_property_names', name: 'every pair of three, among others', dts: 'p = <1>; q = <1>; p = <2>; r = <1>; p = <3>;', expect: ['/:p: Duplicate property name', '/:p: Duplicate property name', '/:p: Duplicate property name'] },
  { check: 'duplicate_node_names', name: 'every pair of three, among others', dts: 'a { }; b { }; a { }; c { }; a { };', expect: ['/a: Duplicate node name', '/a: Duplicate node name', '/a: Duplicate node name'] },
  { check: 'node_name_chars', name: 'all allowed', dts: cells11 + ' a,b._+-c@1 { reg = <1 1>; };', expect: [] },
  { check: 'node_name_chars', name: 'bad character', dts: 'a#b { };', expect: ["/a#b: Bad character '#' in node name"] },
  { check: 'node_name_format', name: 'two @', dts: 'a@1@2 { };', expect: ["/a@1@2: multiple '@' characters in node name"] },
  { check: 'property_name_chars', name: 'bad character', dts: 'a@b = <1>;', expect: ["/:a@b: Bad character '@' in property name"] },
  { check: 'node_name_vs_property_name', name: 'conflict', dts: 'n = <1>; n { };', expect: ['/n: node name and property name conflict'] },
  { check: 'name_properties', name: 'correct name is fine', dts: 'n { name = "n"; };', expect: [] },
  { check: 'name_properties', name: 'wrong name', dts: 'n { name = "m"; };', expect: ['/n: "name" property is incorrect ("m" instead of base node name)'] },
  { check: 'duplicate_label', name: 'node and property', dts: 'l: a { }; b { l: p = <1>; };', expect: ["/b: Duplicate label 'l' on 'p' in /b and /a"] },
  { check: 'property_name_chars_strict', name: 'vendor #cells allowed', dts: 'v,#x-cells = <1>; device_type = "a";', flags: ['-Wproperty_name_chars_strict'], expect: [] },
  { check: 'node_name_chars_strict', name: 'only the base name counts', dts: `${cells11} a-b@1_0 { reg = <1 1>; };`, flags: ['-Wnode_name_chars_strict'], expect: [] },
  // references
  { check: 'phandle_references', name: 'missing label', dts: 'a { p = <&nope>; };', expect: ['/a: Reference to non-existent node or label "nope"'] },
  { check: 'path_references', name: 'path to a node', dts: 'l: a { }; b { p = &l; };', expect: [] },
  { check: 'explicit_phandles', name: 'duplicate', dts: 'a { phandle = <7>; }; b { phandle = <7>; };', expect: ['/b: duplicated phandle 0x7 (seen before at /a)'] },
  // property types
  { check: 'status_is_string', name: 'string', dts: 'status = "okay";', expect: [] },
  { check: 'status_is_string', name: 'two strings', dts: 'status = "a", "b";', expect: ['/:status: property is not a string'] },
  { check: 'compatible_is_string_list', name: 'list', dts: 'compatible = "a", "b";', expect: [] },
  { check: 'names_is_string_list', name: 'cells in -names', dts: 'clock-names = <1>;', expect: ['/:clock-names: property is not a string list'] },
  { check: 'address_cells_is_cell', name: 'two cells', dts: '#address-cells = <1 2>;', expect: ['/:#address-cells: property is not a single cell'] },
  // addressing
  { check: 'reg_format', name: 'matches parent cells', dts: `${cells11} a@0 { reg = <0 1>; };`, expect: [] },
  { check: 'reg_format', name: 'short reg', dts: `${cells11} a@0 { reg = <0>; };`, expect: ['/a@0:reg: property has invalid length (4 bytes) (#address-cells == 1, #size-cells == 1)'] },
  { check: 'ranges_format', name: 'empty ranges, same cells', dts: `${cells11} b { ${cells11} ranges; };`, expect: [] },
  { check: 'unit_address_vs_reg', name: 'unit without reg', dts: 'a@1 { };', expect: ['/a@1: node has a unit name, but no reg or ranges property'] },
  { check: 'unit_address_vs_reg', name: 'overlay fragments are exempt', dts: 'fragment@0 { __overlay__ { }; };', expect: [] },
  { check: 'unit_address_format', name: 'leading zeros', dts: `${cells11} a@01 { reg = <1 1>; };`, expect: ['/a@01: unit name should not have leading 0s'] },
  { check: 'avoid_default_addr_size', name: 'parent without cells', dts: `${cells11} b { a@1 { reg = <0 1 1>; }; };`, expect: ['/b/a@1: Relying on default #address-cells value', '/b/a@1: Relying on default #size-cells value'] },
  { check: 'avoid_unnecessary_addr_size', name: 'cells but no reg child', dts: `${cells11} b { ${cells11} c { }; };`, expect: ['/b: unnecessary #address-cells/#size-cells without "ranges", "dma-ranges" or child "reg" property'] },
  // dtc reports the earlier node, naming the later one
  { check: 'unique_unit_address', name: 'reports the earlier twin', dts: `${cells11} a@1 { reg = <1 1>; }; b@1 { reg = <1 1>; };`, expect: ['/a@1: duplicate unit-address (also used in node /b@1)'] },
  { check: 'unique_unit_address_if_enabled', name: 'ignores disabled twins', dts: `${cells11} a@1 { reg = <1 1>; }; b@1 { reg = <1 1>; status = "disabled"; };`, flags: ['-Wunique_unit_address_if_enabled'], expect: [] },
  // buses
  { check: 'simple_bus_reg', name: 'unit address from reg', dts: `${cells11} soc { compatible = "simple-bus"; ${cells11} ranges; d@10 { reg = <0x10 4>; }; e@11 { reg = <0x12 4>; }; };`, expect: ['/soc/e@11: simple-bus unit address format error, expected "12"'] },
  // dtc means to skip i2c nodes holding i2c-bus children, but the test never matches
  { check: 'i2c_bus_bridge', name: 'i2c with an i2c-bus child is still a bus', dts: 'i2c { i2c-bus { }; };', expect: ['/i2c: incorrect #address-cells for I2C bus', '/i2c: incorrect #size-cells for I2C bus'] },
  { check: 'i2c_bus_reg', name: '7-bit limit', dts: `${cells11} i2c@0 { reg = <0 1>; #address-cells = <1>; #size-cells = <0>; d@80 { reg = <0x80>; }; };`, expect: ['/i2c@0/d@80:reg: I2C address must be less than 7-bits, got "0x80". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property'] },
  { check: 'spi_bus_bridge', name: 'spi- children make a bus', dts: `${cells11} c@0 { reg = <0 1>; #address-cells = <1>; #size-cells = <0>; d@0 { reg = <0>; spi-cpha; }; };`, expect: ["/c@0: node name for SPI buses should be 'spi'"] },
  // dtc names the bridge's bus-range on the device's path
  { check: 'pci_device_bus_num', name: 'bus outside bus-range', dts: `${cells11} pci@0 { device_type = "pci"; reg = <0 1>; #address-cells = <3>; #size-cells = <2>; ranges = <0 0 0 0 0 0>; bus-range = <0 0>; d@0 { reg = <0x10000 0 0 0 0>; }; };`, expect: ['/pci@0/d@0:bus-range: PCI bus number 1 out of range, expected (0 - 0)'] },
  // chosen and aliases
  { check: 'chosen_node_stdout_path', name: 'legacy name', dts: 'chosen { linux,stdout-path = "/"; };', expect: ["/chosen:linux,stdout-path: Use 'stdout-path' instead"] },
  { check: 'alias_paths', name: 'valid path', dts: 'aliases { serial0 = "/s"; }; s { };', expect: [] },
  { check: 'alias_paths', name: 'upper case name', dts: 'aliases { Serial0 = "/s"; }; s { };', expect: ["/aliases: aliases property name must include only lowercase and '-'"] },
  // providers
  { check: 'clocks_property', name: 'right arity', dts: 'c: cc { #clock-cells = <1>; }; d { clocks = <&c 1>, <&c 2>; };', expect: [] },
  { check: 'clocks_property', name: 'too short', dts: 'c: cc { #clock-cells = <2>; }; d { clocks = <&c 1>; };', expect: ['/d:clocks: property size (8) too small for cell size 2'] },
  { check: 'msi_parent_property', name: 'cells optional', dts: 'm: msi { }; d { msi-parent = <&m>; };', expect: [] },
  { check: 'gpios_property', name: 'gpio hogs are skipped', dts: 'h { gpio-hog; gpios = <1 2>; };', expect: [] },
  { check: 'deprecated_gpio_property', name: 'singular name', dts: 'g: gc { #gpio-cells = <1>; }; d { reset-gpio = <&g 1>; };', flags: ['-Wdeprecated_gpio_property'], expect: ["/d:reset-gpio: '[*-]gpio' is deprecated, use '[*-]gpios' instead"] },
  // interrupts: dtc names the controller's #interrupt-cells on the consumer's path
  { check: 'interrupts_property', name: 'size not a multiple', dts: 'i: ic { interrupt-controller; #interrupt-cells = <2>; }; d { interrupt-parent = <&i>; interrupts = <1 2 3>; };', expect: ['/d:#interrupt-cells: size is (12), expected multiple of 8'] },
  { check: 'interrupts_property', name: 'no parent', dts: 'd { interrupts = <1>; };', expect: ['/d: Missing interrupt-parent'] },
  { check: 'interrupt_provider', name: 'controller without cells', dts: 'ic { interrupt-controller; };', expect: ["/ic: Missing '#interrupt-cells' in interrupt provider"] },
  { check: 'interrupt_map', name: 'well-formed map', dts: 'i: ic { interrupt-controller; #interrupt-cells = <1>; #address-cells = <0>; }; m { #address-cells = <1>; #interrupt-cells = <1>; interrupt-map = <0 1 &i 5>; };', expect: [] },
  // graph
  { check: 'graph_endpoint', name: 'one-way link', dts: 'a { port { e1: endpoint { remote-endpoint = <&e2>; }; }; }; b { port { e2: endpoint { }; }; };', expect: ["/a/port/endpoint: graph connection to node '/b/port/endpoint' is not bidirectional"] },
  { check: 'graph_port', name: 'port name', dts: 'a { p { endpoint { }; }; };', expect: ["/a/p: graph port node name should be 'port'"] },
];

const sourceOf = (c: Case): string => (c.dts.startsWith('/dts-v1/') ? c.dts : `/dts-v1/;\n/ {\n${c.dts}\n};\n`);

function run(c: Case): string[] {
  const text = sourceOf(c);
  const parsed = parseDts(text, 'case.dts', { host: new FileSourceHost({}) });
  if (!parsed.source) throw new Error(`case does not parse: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const levels: CheckLevels = {};
  for (const f of c.flags ?? []) parseCheckFlag(f.slice(2), f[1] === 'E', levels);
  const result = runChecks(buildTree(parsed.source).tree, { levels });
  return result.diagnostics
    .filter((d) => d.rule === `dtc/${c.check}` && d.path !== undefined)
    .map((d) => `${d.path}${d.property !== undefined ? `:${d.property}` : ''}: ${d.message}`);
}

/** The reference dtc's findings of the case's check, in the same `path[:prop]: message` form. */
function runReference(c: Case): string[] {
  const result = referenceDtc([...(c.flags ?? []), '-o', '-', 'case.dts'], { files: { 'case.dts': sourceOf(c) } });
  const marker = ` (${c.check}): `;
  return result.stderr
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('Failed prerequisite'))
    .map((l) => l.slice(l.indexOf(marker) + marker.length).trimEnd());
}

describe('rules, case by case', () => {
  it.each(cases.map((c) => [`${c.check}: ${c.name}`, c] as const))('%s', (_, c) => {
    expect(run(c)).toEqual(c.expect);
    expect(runReference(c)).toEqual(c.expect);
  });
});
