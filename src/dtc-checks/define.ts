/** Small builders for check definitions, so each family file reads as a table. */
import type { Node } from '../tree/model.js';
import type { CheckContext } from './context.js';
import type { CheckDefinition, DefaultLevel } from './types.js';
import { getProp, isOneString, isStringList } from './values.js';

export interface CheckSpec {
  name: string;
  level: DefaultLevel;
  prereqs?: readonly string[];
  description: string;
  rationale: string;
  fixup?: boolean;
  deletesNodes?: boolean;
  onlyWith?: readonly string[];
  needsBase?: boolean;
  silent?: boolean;
  mayAbort?: boolean;
  node?: (ctx: CheckContext, node: Node) => void;
}

export function defineFamily(family: string, specs: CheckSpec[]): CheckDefinition[] {
  return specs.map(({ node, prereqs, ...meta }) => ({
    meta: { ...meta, prereqs: prereqs ?? [], family },
    node,
  }));
}

/** Visit function of dtc's check_is_string, shared by the `*_is_string` and chosen checks. */
export function requireString(ctx: CheckContext, node: Node, propName: string): void {
  const prop = getProp(node, propName);
  if (prop && !isOneString(prop.value)) ctx.failProp(node, prop, 'property is not a string');
}

export function requireStringList(ctx: CheckContext, node: Node, propName: string): void {
  const prop = getProp(node, propName);
  if (prop && !isStringList(prop.value)) ctx.failProp(node, prop, 'property is not a string list');
}

export function requireCell(ctx: CheckContext, node: Node, propName: string): void {
  const prop = getProp(node, propName);
  if (prop && prop.value.bytes.length !== 4) ctx.failProp(node, prop, 'property is not a single cell');
}

/** A `WARNING_IF_NOT_STRING`-style check of one named property. */
export function stringCheck(name: string, propName: string, level: DefaultLevel, rationale: string): CheckSpec {
  return {
    name,
    level,
    description: `\`${propName}\`, when present, is exactly one NUL-terminated string.`,
    rationale,
    onlyWith: [propName],
    node: (ctx, node) => requireString(ctx, node, propName),
  };
}

export function stringListCheck(name: string, propName: string, rationale: string): CheckSpec {
  return {
    name,
    level: 'warning',
    description: `\`${propName}\`, when present, is a list of NUL-terminated strings.`,
    rationale,
    onlyWith: [propName],
    node: (ctx, node) => requireStringList(ctx, node, propName),
  };
}

export function cellCheck(name: string, propName: string, rationale: string): CheckSpec {
  return {
    name,
    level: 'warning',
    description: `\`${propName}\`, when present, is exactly one 32-bit cell.`,
    rationale,
    onlyWith: [propName],
    node: (ctx, node) => requireCell(ctx, node, propName),
  };
}
