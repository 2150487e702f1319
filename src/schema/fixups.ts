/**
 * dt-schema's processing of a binding before validation (its `fixups.py`, v2025.06.1), rewritten:
 * bindings describe property values in their natural form ("3 clocks", "a string out of an
 * enum"), while the decoded values are arrays and matrices. These fix-ups make the two meet:
 * implicit minItems/maxItems, `items` lists, string vs string-array, `reg` and unit-suffix
 * matrices, `interrupts-extended` implied by `interrupts`, the core properties every node may
 * carry, and a `select` made from `$nodename`.
 *
 * Every function mutates the (already copied) schema in place, as dt-schema does.
 */
import { deepCopy, isIntSchema, isObject, isStringSchema, type Json, type JsonObject } from './json.js';

const SCALAR_KEYWORDS = ['const', 'enum', 'pattern', 'minimum', 'maximum', 'multipleOf'];

/** Moves the scalar constraints out of `schema` into a new schema for one item. */
function extractSingleSchemas(schema: JsonObject): JsonObject {
  const single: JsonObject = {};
  for (const k of SCALAR_KEYWORDS) {
    if (k in schema) {
      single[k] = schema[k]!;
      delete schema[k];
    }
  }
  return single;
}

function fixupStringToArray(schema: JsonObject): void {
  if (!isStringSchema(schema)) return;
  schema.items = [extractSingleSchemas(schema)];
}

function fixupRegSchema(schema: JsonObject, path: string[]): void {
  if (!path.includes('reg')) return;
  let itemSchema: Json;
  if ('items' in schema) {
    const items = schema.items!;
    itemSchema = Array.isArray(items) ? items[0]! : items;
    if (!isIntSchema(itemSchema)) return;
  } else if (isIntSchema(schema)) {
    itemSchema = schema;
  } else return;
  schema.items = [{ items: [extractSingleSchemas(itemSchema as JsonObject)] }];
}

function isMatrixSchema(schema: JsonObject): boolean {
  if (!('items' in schema)) return false;
  const has = (s: Json): boolean => isObject(s) && ('items' in s || 'maxItems' in s || 'minItems' in s);
  const items = schema.items!;
  return Array.isArray(items) ? items.some(has) : has(items);
}

function fixupRemoveEmptyItems(schema: JsonObject): void {
  if (!('items' in schema)) return;
  const items = schema.items!;
  if (isObject(items)) {
    fixupRemoveEmptyItems(items);
    return;
  }
  if (!Array.isArray(items)) return;
  for (const item of items) {
    if (!isObject(item)) continue;
    delete item.description;
    fixupRemoveEmptyItems(item);
    if (Object.keys(item).length !== 0) return;
  }
  // Every item was only a description: the list only gives the count.
  if (!('type' in schema)) schema.type = 'array';
  if (!('maxItems' in schema)) schema.maxItems = items.length;
  if (!('minItems' in schema)) schema.minItems = items.length;
  delete schema.items;
}

// Keep in sync with dt-schema's property-units.yaml.
const UNIT_ARRAY_RE =
  /-(kBps|bits|percent|bp|mhz|sec|ms|us|ns|ps|mm|nanoamp|(micro-)?ohms|micro(amp|watt)(-hours)?|milliwatt|(femto|pico)farads|(milli)?celsius|kelvin|k?pascal)$/;
const UNIT_MATRIX_RE = /-(hz|microvolt)$/;

function fixupUnitSuffixProps(schema: JsonObject, path: string[]): void {
  const reversed = [...path].reverse();
  const idx = reversed.findIndex((p) => p === 'properties' || p === '$defs');
  if (idx < 0) return;
  // Python's path[idx - 1] with idx 0 wraps to the last element.
  const propname = idx === 0 ? reversed[reversed.length - 1]! : reversed[idx - 1]!;

  if (UNIT_ARRAY_RE.test(propname) && isIntSchema(schema)) {
    schema.items = [extractSingleSchemas(schema)];
  } else if (UNIT_MATRIX_RE.test(propname)) {
    if (isMatrixSchema(schema)) return;
    if ('items' in schema || 'minItems' in schema || 'maxItems' in schema) {
      schema.items = [deepCopy(schema)];
      delete schema.minItems;
      delete schema.maxItems;
    } else if (isIntSchema(schema)) {
      schema.items = [{ items: [extractSingleSchemas(schema)] }];
    }
  }
}

function fixupItemsSize(schema: Json, path: string[]): void {
  if (Array.isArray(schema)) {
    for (const s of schema) fixupItemsSize(s, path);
    return;
  }
  if (!isObject(schema)) return;
  delete schema.description;
  if ('items' in schema) {
    schema.type = 'array';
    const items = schema.items!;
    if (Array.isArray(items)) {
      if (!('minItems' in schema)) schema.minItems = items.length;
      if (!('maxItems' in schema)) schema.maxItems = items.length;
    }
    fixupItemsSize(items, [...path, 'items']);
  } else if (!path.includes('then') && !path.includes('else')) {
    if ('maxItems' in schema && !('minItems' in schema)) schema.minItems = schema.maxItems!;
    else if ('minItems' in schema && !('maxItems' in schema)) schema.maxItems = schema.minItems!;
  }
}

/** draft-07 `dependencies` split into 2019-09's dependentRequired / dependentSchemas. */
export function fixupSchemaTo201909(schema: Json): void {
  if (!isObject(schema) || !('dependencies' in schema)) return;
  const deps = schema.dependencies!;
  delete schema.dependencies;
  if (!isObject(deps)) return;
  for (const [k, v] of Object.entries(deps)) {
    const target = Array.isArray(v) ? 'dependentRequired' : 'dependentSchemas';
    const existing = schema[target];
    const bucket: JsonObject = isObject(existing) ? existing : {};
    schema[target] = bucket;
    bucket[k] = v;
  }
}

function fixupVals(schema: JsonObject, path: string[]): void {
  delete schema.description;
  fixupRegSchema(schema, path);
  fixupRemoveEmptyItems(schema);
  fixupUnitSuffixProps(schema, path);
  fixupStringToArray(schema);
  fixupItemsSize(schema, path);
  fixupSchemaTo201909(schema);
}

/** oneOf/anyOf lists of bare `const`s (used for per-entry descriptions) become an `enum`. */
function fixupOneOfToEnum(schema: JsonObject, path: string[]): void {
  let list: Json;
  if ('anyOf' in schema) list = schema.anyOf!;
  else if ('oneOf' in schema) list = schema.oneOf!;
  else if ('items' in schema && isObject(schema.items)) {
    fixupOneOfToEnum(schema.items, [...path, 'items']);
    return;
  } else return;
  if (!Array.isArray(list)) return;
  const consts: Json[] = [];
  for (const entry of list) {
    if (!isObject(entry) || !('const' in entry)) return;
    // Python's `set(l) > {'const', 'description'}`: a strict superset.
    const keys = Object.keys(entry);
    if (keys.length > 2 && keys.includes('description')) return;
    consts.push(entry.const!);
  }
  delete schema.anyOf;
  delete schema.oneOf;
  schema.enum = consts;
}

function walkProperties(schema: Json, path: string[]): void {
  if (!isObject(schema)) return;
  fixupOneOfToEnum(schema, path);
  // Conditionals are expected first; one below `items` is not handled (as in dt-schema).
  for (const cond of ['allOf', 'oneOf', 'anyOf']) {
    const list = schema[cond];
    if (Array.isArray(list)) for (const s of list) walkProperties(s, [...path, cond]);
  }
  if ('then' in schema) walkProperties(schema.then!, [...path, 'then']);
  fixupVals(schema, path);
}

function fixupInterrupts(schema: JsonObject, path: string[]): void {
  const props = schema.properties;
  if (isObject(props)) {
    if (('interrupts' in props || 'interrupt-controller' in props) && !('interrupt-parent' in props)) {
      props['interrupt-parent'] = true;
    }
    if (!('interrupts' in props) || 'interrupts-extended' in props) return;
    props['interrupts-extended'] = deepCopy(props.interrupts!);
  }
  const required = schema.required;
  if (Array.isArray(required) && required.includes('interrupts') && (path.length === 0 || path[path.length - 1] !== 'oneOf')) {
    // "interrupts or interrupts-extended is required" has no better spelling.
    const either: Json = [{ required: ['interrupts'] }, { required: ['interrupts-extended'] }];
    if ('oneOf' in schema) {
      if (!('allOf' in schema)) schema.allOf = [];
      (schema.allOf as Json[]).push({ oneOf: either });
    } else {
      schema.oneOf = either;
    }
    required.splice(required.indexOf('interrupts'), 1);
    if (required.length === 0) delete schema.required;
  }
}

const KNOWN_VARIABLE_MATRIX_PROPS = new Set(['fsl,pins', 'qcom,board-id']);

function fixupNodeProps(schema: JsonObject): void {
  if (!('unevaluatedProperties' in schema) && !('additionalProperties' in schema)) return;
  const keys: string[] = [];
  if (isObject(schema.properties)) keys.push(...Object.keys(schema.properties));
  if (isObject(schema.patternProperties)) keys.push(...Object.keys(schema.patternProperties));

  if (keys.includes('clocks') && !keys.includes('assigned-clocks')) {
    const props = schema.properties as JsonObject;
    props['assigned-clocks'] = true;
    props['assigned-clock-rates-u64'] = true;
    props['assigned-clock-rates'] = true;
    props['assigned-clock-parents'] = true;
  }
  if (keys.includes('ranges')) {
    const props = schema.properties as JsonObject;
    if (!('dma-ranges' in props)) props['dma-ranges'] = true;
  }
  if (schema.additionalProperties === true || schema.unevaluatedProperties === true) return;

  if (!isObject(schema.properties)) schema.properties = {};
  const props = schema.properties as JsonObject;
  for (const name of [
    'phandle',
    'status',
    'secure-status',
    '$nodename',
    'bootph-pre-sram',
    'bootph-verify',
    'bootph-pre-ram',
    'bootph-some-ram',
    'bootph-all',
  ]) {
    if (!(name in props)) props[name] = true;
  }
  if (!keys.some((k) => /^pinctrl-[0-9]/.test(k))) {
    if (!('pinctrl-names' in props)) props['pinctrl-names'] = true;
    if (!isObject(schema.patternProperties)) schema.patternProperties = {};
    (schema.patternProperties as JsonObject)['^pinctrl-[0-9]+$'] = true;
  }
}

function fixupSubSchema(schema: Json, path: string[]): void {
  if (!isObject(schema)) return;
  delete schema.description;
  fixupInterrupts(schema, path);
  fixupNodeProps(schema);
  // 'additionalProperties: true' does not work with 'unevaluatedProperties' (common schemas).
  if (schema.additionalProperties === true) delete schema.additionalProperties;

  for (const k of Object.keys(schema)) {
    const v = schema[k]!;
    if (['select', 'if', 'then', 'else', 'not', 'additionalProperties'].includes(k)) fixupSubSchema(v, [...path, k]);
    if (['allOf', 'anyOf', 'oneOf'].includes(k) && Array.isArray(v)) for (const s of v) fixupSubSchema(s, [...path, k]);
    if (!['dependentRequired', 'dependentSchemas', 'dependencies', 'properties', 'patternProperties', '$defs'].includes(k)) continue;
    if (!isObject(v)) continue;
    for (const prop of Object.keys(v)) {
      const propSchema = v[prop]!;
      if (KNOWN_VARIABLE_MATRIX_PROPS.has(prop) && isObject(propSchema)) {
        const ref = propSchema.$ref;
        v[prop] = ref !== undefined ? { $ref: ref } : {};
        continue;
      }
      walkProperties(propSchema, [...path, k, prop]);
      fixupSubSchema(propSchema, [...path, k, prop]);
    }
  }
  fixupSchemaTo201909(schema);
}

function addSelectSchema(schema: JsonObject): void {
  if ('select' in schema) return;
  const props = schema.properties;
  if (!isObject(props) || 'compatible' in props) return;
  if ('$nodename' in props && props.$nodename !== true) {
    schema.select = { required: ['$nodename'], properties: { $nodename: deepCopy(props.$nodename!) } };
  }
}

/** dt-schema's `fixup_schema` plus what `process_schema` adds; `schema` must be a private copy. */
export function fixupSchema(schema: JsonObject): JsonObject {
  delete schema.examples;
  delete schema.maintainers;
  delete schema.historical;
  addSelectSchema(schema);
  fixupSubSchema(schema, []);
  schema.type = 'object';
  return schema;
}

