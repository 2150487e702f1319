/**
 * What the bindings say about a node, for hover and completion when the workspace validates against
 * bindings: the node's schema (by compatible, through the processed set's compatible map, as
 * dt-validate selects), a property's type (the set's property-type table) and description, the
 * property names the schema lists, every documented compatible string.
 */
import * as fs from 'node:fs';
import yaml from 'js-yaml';
import type { Position } from 'vscode-languageserver';
import type { SchemaSet } from '../schema/index.js';
import type { JsonObject } from '../schema/json.js';
import { compatibles } from '../pas/dt.js';
import type { Node, Tree } from '../tree/model.js';
import { walkLive } from '../tree/walk.js';
import type { FileContext } from './context.js';

export function schemaOf(set: SchemaSet, node: Node): JsonObject | undefined {
  for (const compatible of compatibles(node)) {
    const id = set.processed.compatMap[compatible];
    const schema = id === undefined ? undefined : set.runtime.schema(id);
    if (schema) return schema;
  }
  return undefined;
}

function propertiesOf(schema: JsonObject): JsonObject {
  const props = schema.properties;
  return props && typeof props === 'object' && !Array.isArray(props) ? (props as JsonObject) : {};
}

/** Markdown for a property: its types, its description, the binding that documents it. */
export function propertyDoc(set: SchemaSet, node: Node, name: string): string | undefined {
  const schema = schemaOf(set, node);
  const entry = schema ? propertiesOf(schema)[name] : undefined;
  const types = [...set.lookup.types(name)];
  if (!entry && !types.length) return undefined;
  const id = schema && typeof schema.$id === 'string' ? schema.$id : undefined;
  // processing drops descriptions (as dt-schema does): they are read from the binding file as written
  const written = id && set.processed.files[id] ? propertiesOf(bindingFile(set.processed.files[id]!) ?? {})[name] : undefined;
  const description = written && typeof written === 'object' && !Array.isArray(written) && typeof written.description === 'string' ? written.description.trim() : undefined;
  return [`\`${name}\`${types.length ? `: ${types.join(' | ')}` : ''}`, description, id ? `binding: ${set.processed.files[id] ?? id}` : undefined].filter(Boolean).join('\n\n');
}

const bindingFiles = new Map<string, JsonObject | undefined>();

function bindingFile(file: string): JsonObject | undefined {
  if (!bindingFiles.has(file)) {
    let parsed: JsonObject | undefined;
    try {
      const loaded = yaml.load(fs.readFileSync(file, 'utf8'));
      parsed = loaded && typeof loaded === 'object' && !Array.isArray(loaded) ? (loaded as JsonObject) : undefined;
    } catch {
      parsed = undefined;
    }
    bindingFiles.set(file, parsed);
  }
  return bindingFiles.get(file);
}

export function propertyNames(set: SchemaSet, node: Node): string[] {
  const schema = schemaOf(set, node);
  return schema ? Object.keys(propertiesOf(schema)) : [];
}

export function compatibleStrings(set: SchemaSet): string[] {
  return Object.keys(set.processed.compatMap).sort();
}

/** The node of a run's tree written around a line of the open file: the innermost node whose source lines hold it. */
export function nodeAt(ctx: FileContext, pos: Position): Node | undefined {
  const line = pos.line + 1;
  for (const { run } of ctx.runs) {
    const tree: Tree | undefined = run.merged ?? run.inputs[0]?.tree;
    if (!tree) continue;
    let best: { node: Node; size: number } | undefined;
    walkLive(tree.root, (node) => {
      for (const span of node.spans) {
        if (!ctx.isFile(span.file) || span.endLine === undefined) continue;
        if (span.line <= line && span.endLine >= line && (!best || span.endLine - span.line < best.size)) best = { node, size: span.endLine - span.line };
      }
    });
    if (best) return best.node;
  }
  return undefined;
}
