/**
 * Validating a tree against a schema set, node by node, as dt-validate does: the schema of the
 * node's first compatible that a schema names, then every schema whose `select` matches; each
 * top-level failure becomes a Diagnostic naming the binding's `$id`, the node, the property and
 * the line that set it. Nodes that are disabled (or below a disabled node) are not held to
 * `required` and `unevaluatedProperties`, as in dt-validate.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Tree } from '../tree/model.js';
import { decodeTree, isDtNode, type DtNode } from './decode.js';
import type { SchemaRuntime } from './compile.js';
import { GENERATED_COMPATIBLES_ID } from './process.js';
import type { PropTypeLookup } from './prop-types.js';
import { formatErrorMessage, pyRepr } from './messages.js';
import { selectCandidates } from './select.js';
import { absolutePath, type PathPart, type PyError } from './py-errors.js';
import { errorMessage } from './dt-validate-format.js';

export interface ValidateOptions {
  /** Report compatibles that no schema documents (dt-validate -m). */
  unmatched?: boolean;
  /** Only schemas whose `$id` contains one of these strings (dt-validate -l). */
  limit?: string[];
  /** Only the schema of the node's most specific documented compatible, no select schemas (dt-validate -c). */
  compatibleMatch?: boolean;
}

export interface UnmatchedCompatible {
  path: string;
  compatibles: string[];
}

/** One error as dt-validate prints it, in its order (see dt-validate-format.ts). */
export type DtValidateMessage =
  | { kind: 'error'; nodename: string; compatible?: string; schemaId: string; error: PyError }
  | { kind: 'unmatched'; path: string; compatibles: unknown[] };

export interface ValidationResult {
  diagnostics: Diagnostic[];
  unmatched: UnmatchedCompatible[];
  /** What dt-validate would print, in its order: every error (knock-ons included) and unmatched line. */
  messages: DtValidateMessage[];
}

interface ErrorGroup {
  error: ErrorObject;
  /** Errors of the failed branches of a oneOf/anyOf (dt-schema's error context). */
  inner: ErrorObject[];
}

function parentPath(schemaPath: string): string {
  const slash = schemaPath.lastIndexOf('/');
  return slash < 0 ? schemaPath : schemaPath.slice(0, slash);
}

function isBelow(instancePath: string, parent: string): boolean {
  return instancePath === parent || instancePath.startsWith(parent + '/');
}

/**
 * Rebuilds dt-validate's top-level errors from ajv's flat list: the errors of a oneOf/anyOf's
 * failed branches come just before it, below its instance, and either inside its schema path or
 * from a referenced schema (whose paths ajv restarts at that schema's root); an error from a
 * sibling keyword of the same schema ends the run.
 */
export function groupErrors(errors: ErrorObject[]): ErrorGroup[] {
  const groups: ErrorGroup[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue; // ajv's summary of a failed `then`; the `then` errors stand for it
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      const inner: ErrorObject[] = [];
      while (groups.length) {
        const last = groups[groups.length - 1]!.error;
        const nested =
          isBelow(last.instancePath, error.instancePath) &&
          (last.schemaPath.startsWith(error.schemaPath + '/') || !last.schemaPath.startsWith(parentPath(error.schemaPath) + '/'));
        if (!nested) break;
        const g = groups.pop()!;
        inner.unshift(g.error, ...g.inner);
      }
      groups.push({ error, inner });
    } else groups.push({ error, inner: [] });
  }
  return groups;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function instanceAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const seg of pointerSegments(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isDtNode(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

const FILTERED_WHEN_DISABLED = new Set(['required', 'unevaluatedProperties']);

function touchesRequired(error: ErrorObject): boolean {
  return pointerSegments(error.schemaPath.slice(error.schemaPath.indexOf('#') + 1)).some((s) => FILTERED_WHEN_DISABLED.has(s));
}

function statusDisabled(instance: unknown): boolean {
  if (!isDtNode(instance)) return false;
  const status = instance.status;
  return Array.isArray(status) && (status as unknown[]).includes('disabled');
}

/** Where an error points: the live node and property, and the line that set the value. */
function locate(error: ErrorObject, instance: DtNode, node: Node, nodes: Map<DtNode, Node>): { path: string; property?: string; span?: Span } {
  let curNode = node;
  let cur: DtNode = instance;
  let property: string | undefined;
  for (const seg of pointerSegments(error.instancePath)) {
    const next = cur[seg];
    if (isDtNode(next) && nodes.has(next)) {
      cur = next;
      curNode = nodes.get(next)!;
      continue;
    }
    property = seg;
    break;
  }
  const named =
    (error.params as { missingProperty?: string; unevaluatedProperty?: string; additionalProperty?: string }).missingProperty ??
    (error.params as { unevaluatedProperty?: string }).unevaluatedProperty ??
    (error.params as { additionalProperty?: string }).additionalProperty;
  if (property === undefined && named !== undefined) {
    const child = cur[named];
    if (error.keyword !== 'required' && isDtNode(child) && nodes.has(child)) {
      const childNode = nodes.get(child)!;
      return { path: curNode.path, property: named, ...(childNode.span ? { span: childNode.span } : {}) };
    }
    property = named;
  }
  const prop = property !== undefined && error.keyword !== 'required' ? curNode.getProperty(property) : undefined;
  const span = prop?.span ?? curNode.span;
  return { path: curNode.path, ...(property !== undefined ? { property } : {}), ...(span ? { span } : {}) };
}

/** Validates every node of `tree` (blob or source; overlays already applied). */
export function validateTree(tree: Tree, runtime: SchemaRuntime, lookup: PropTypeLookup, options: ValidateOptions = {}): ValidationResult {
  const decoded = decodeTree(tree.root, lookup);
  const diagnostics: Diagnostic[] = [];
  const unmatched: UnmatchedCompatible[] = [];
  const messages: DtValidateMessage[] = [];
  const { always } = runtime.set;
  const selectIndex = runtime.selectIndex();
  const guards = runtime.guardIndex();
  const documented = runtime.documentedCompatibles();

  const limit = options.limit;
  const limited = (id: string): boolean => limit!.some((l) => id.includes(l));

  // Runs once per node: no closures made per node and indexed loops (a one-shot run stays on V8's
  // baseline tiers, which allocate an object per step of a for…of).
  const check = (obj: DtNode, name: string, disabledAbove: boolean): void => {
    if (name.startsWith('__')) return;
    let disabled = disabledAbove;
    if ('status' in obj && Array.isArray(obj.status)) disabled = (obj.status as unknown[]).includes('disabled');
    const node = decoded.nodes.get(obj);
    if (node && !('example-0' in obj) && !name.includes('example-')) {
      // As in dt-validate: set on the node when it is checked, so its descendants do not have it yet.
      obj.$nodename = [name];
      const instance = obj;
      const compatible = obj.compatible;
      if (Array.isArray(compatible)) {
        for (let k = 0; k < compatible.length; k++) {
          const c: unknown = compatible[k];
          const id = typeof c === 'string' ? runtime.schemaOfCompatible(c) : undefined;
          if (id === undefined) continue;
          // the schema of the first compatible a schema names
          const validate = !limit || limited(id) ? runtime.validator(id) : null;
          if (validate && !validate(instance)) report(id, validate.errors ?? [], instance, node, disabled);
          break;
        }
      }
      const candidates = options.compatibleMatch ? [] : selectCandidates(selectIndex, obj, compatible, name);
      if (candidates.length) guards.visit(obj);
      for (let k = 0; k < candidates.length; k++) {
        const i = candidates[k]!;
        const id = always[i]!;
        if (limit && !limited(id)) continue;
        if (id === GENERATED_COMPATIBLES_ID) {
          // The schema of documented compatibles only feeds the unmatched report; a Set answers it.
          if (options.unmatched && Array.isArray(compatible) && !documented.allDocumented(compatible as unknown[])) {
            unmatched.push({ path: node.path, compatibles: compatible as string[] });
            // dt-validate prints its line once per error: once per undocumented string.
            for (const c of compatible as unknown[]) {
              if (!documented.allDocumented([c])) messages.push({ kind: 'unmatched', path: node.path, compatibles: compatible as unknown[] });
            }
          }
          continue;
        }
        const entry = runtime.alwaysEntry(i);
        const select = entry.select;
        if (select === 'never' || (select !== 'always' && !select(instance))) continue;
        // compiled as before (a binding ajv rejects is reported whether or not a node is skipped)
        if (entry.validate === undefined) entry.validate = runtime.validator(id);
        // a node without any property the schema looks at passes it
        if (!guards.mayFail(i)) continue;
        if (entry.validate && !entry.validate(instance)) report(id, entry.validate.errors ?? [], instance, node, disabled);
      }
    }
    for (const childName in obj) {
      const child = obj[childName];
      if (isDtNode(child)) check(child, childName, disabled);
    }
  };

  const report = (id: string, errors: ErrorObject[], instance: DtNode, node: Node, disabled: boolean): void => {
    // A disabled node is not held to `required` or `unevaluatedProperties` (below): when those are
    // all ajv found (`if` is its summary of a failed `then`), every error jsonschema would give is
    // about them too — a property failing its own schema would be an error of its own — and all
    // would be dropped. Nothing to explain.
    if (disabled && errors.length > 0 && errors.every(onlyHeldWhenEnabled)) return;
    const explained = runtime.explain(id, instance);
    if (explained.length) {
      reportExplained(id, explained, instance, node, disabled);
      return;
    }
    // The interpreter found nothing where ajv failed: say what ajv says.
    for (const { error, inner } of groupErrors(errors)) {
      if (disabled || statusDisabled(instanceAt(instance, error.instancePath))) {
        if (touchesRequired(error) || inner.some(touchesRequired)) continue;
      }
      const where = locate(error, instance, node, decoded.nodes);
      const compat = Array.isArray(instance.compatible) ? (instance.compatible as string[])[0] : undefined;
      diagnostics.push({
        rule: `schema/${error.keyword}`,
        severity: 'error',
        message: formatErrorMessage(error, instanceAt(instance, error.instancePath), inner, (e) => instanceAt(instance, e.instancePath)),
        path: where.path,
        ...(where.property !== undefined ? { property: where.property } : {}),
        ...(where.span ? { span: where.span } : {}),
        schema: id,
      });
      nodeOfDiagnostic.set(diagnostics[diagnostics.length - 1]!, {
        name: node === tree.root ? '/' : node.name,
        path: node.path,
        ...(compat !== undefined ? { compatible: compat } : {}),
      });
    }
  };

  const reportExplained = (id: string, errors: PyError[], instance: DtNode, node: Node, disabled: boolean): void => {
    const compat = Array.isArray(instance.compatible) ? String((instance.compatible as unknown[])[0]) : undefined;
    const nodename = node === tree.root ? '/' : node.name;
    const kept = errors.filter((e) => !((disabled || statusDisabled(e.instance)) && filteredWhenDisabled(e)));
    const made = new Map<PyError, Diagnostic>();
    for (const error of kept) {
      messages.push({ kind: 'error', nodename, ...(compat !== undefined ? { compatible: compat } : {}), schemaId: id, error });
      const root = knockOnRoot(error, kept);
      const where = locatePath(absolutePath(error), instance, node, decoded.nodes, error);
      if (root) {
        // Not a finding of its own: the properties failed their own schemas, so they count as unevaluated.
        const rootDiagnostic = made.get(root);
        if (rootDiagnostic) {
          if (where.span) (rootDiagnostic.related ??= []).push({ message: `hence also: ${error.message}`, span: where.span });
          else rootDiagnostic.message += ` (hence also: ${error.message})`;
          continue;
        }
      }
      const d: Diagnostic = {
        rule: `schema/${error.keyword ?? 'false'}`,
        severity: 'error',
        message: explainMessage(error),
        path: where.path,
        ...(where.property !== undefined ? { property: where.property } : {}),
        ...(where.span ? { span: where.span } : {}),
        schema: id,
      };
      diagnostics.push(d);
      made.set(error, d);
      nodeOfDiagnostic.set(d, { name: nodename, path: node.path, ...(compat !== undefined ? { compatible: compat } : {}), below: where.below });
    }
  };

  check(decoded.root, '/', false);
  return { diagnostics, unmatched, messages };
}

/** An ajv error of the kinds a disabled node is not held to (or ajv's summary of a failed `then`). */
function onlyHeldWhenEnabled(error: ErrorObject): boolean {
  return error.keyword === 'required' || error.keyword === 'unevaluatedProperties' || error.keyword === 'if';
}

/** dt-validate's filter for disabled nodes: errors about `required` or `unevaluatedProperties`, here or in a context. */
function filteredWhenDisabled(error: PyError): boolean {
  const touches = (e: PyError): boolean => e.schemaPath.some((s) => s === 'required' || s === 'unevaluatedProperties');
  return touches(error) || error.context.some(touches);
}

function startsWith(path: PathPart[], prefix: PathPart[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/**
 * For an "Unevaluated properties" error whose every property failed its own schema in another error
 * (jsonschema counts such properties as unevaluated): that other error, the root cause.
 */
function knockOnRoot(error: PyError, all: PyError[]): PyError | undefined {
  if (error.keyword !== 'unevaluatedProperties' || !error.extras?.length) return undefined;
  const at = absolutePath(error);
  let root: PyError | undefined;
  for (const extra of error.extras) {
    const cause = all.find((e) => e !== error && startsWith(absolutePath(e), [...at, extra]));
    if (!cause) return undefined;
    if (!root || all.indexOf(cause) < all.indexOf(root)) root = cause;
  }
  return root && all.indexOf(root) < all.indexOf(error) ? root : undefined;
}

/** Required properties of a branch (and its allOf parts) that the instance has. */
function presentRequired(branch: unknown, instance: unknown): string[] {
  if (typeof branch !== 'object' || branch === null || typeof instance !== 'object' || instance === null) return [];
  const out: string[] = [];
  const b = branch as Record<string, unknown>;
  if (Array.isArray(b.required)) for (const p of b.required) if (typeof p === 'string' && p in (instance as object)) out.push(p);
  if (Array.isArray(b.allOf)) for (const sub of b.allOf) out.push(...presentRequired(sub, instance));
  return out;
}

/** Our own words for a oneOf valid under several branches: which properties make each branch match. */
function severalBranchesMessage(error: PyError): string {
  const branches = error.validUnder ?? [];
  const named = branches.map((b) => presentRequired(b, error.instance));
  if (named.every((n) => n.length)) {
    const props = [...new Set(named.flat())].map((p) => pyRepr(p));
    return `valid under ${branches.length} branches of a oneOf, which allows exactly one: it has ${props.slice(0, -1).join(', ')} and ${props[props.length - 1]} (branches ${branches.map((b) => pyRepr(b)).join(', ')})`;
  }
  return `valid under ${branches.length} branches of a oneOf, which allows exactly one: ${branches.map((b) => pyRepr(b)).join(', ')}`;
}

/** The finding's message: dt-validate's, but a oneOf valid under several branches says so in our words. */
function explainMessage(error: PyError): string {
  const own = (e: PyError): string => (e.validUnder ? severalBranchesMessage(e) : e.message);
  if (error.validUnder) return own(error);
  if (!error.context.length) return error.message;
  const nested = (sub: PyError, prefix: string): string => {
    const below = sub.path.length ? `${sub.path.join(':')}: ` : '';
    return `${prefix}${below}${errorMessage({ ...sub, context: sub.context.map((c) => ({ ...c, message: own(c) })) }, prefix, nested)}`;
  };
  return errorMessage({ ...error, context: error.context.map((c) => ({ ...c, message: own(c) })) }, '', nested);
}

/** Where a Python-style error points: the live node, the property, the line; `below` is dt-validate's path text. */
function locatePath(
  segments: PathPart[],
  instance: DtNode,
  node: Node,
  nodes: Map<DtNode, Node>,
  error: PyError,
): { path: string; property?: string; span?: Span; below: string[] } {
  let curNode = node;
  let cur: DtNode = instance;
  let property: string | undefined;
  for (const seg of segments) {
    const next = typeof seg === 'string' ? cur[seg] : undefined;
    if (property === undefined && isDtNode(next) && nodes.has(next)) {
      cur = next;
      curNode = nodes.get(next)!;
      continue;
    }
    if (property === undefined) property = String(seg);
    break;
  }
  const below = segments.map(String);
  if (property === undefined && error.extras?.length) {
    const first = [...error.extras].sort()[0]!;
    const child = cur[first];
    if (isDtNode(child) && nodes.has(child)) {
      const childSpan = nodes.get(child)!.span;
      return { path: curNode.path, property: first, ...(childSpan ? { span: childSpan } : {}), below };
    }
    const prop = curNode.getProperty(first);
    const span = prop?.span ?? curNode.span;
    return { path: curNode.path, property: first, ...(span ? { span } : {}), below };
  }
  const prop = property !== undefined ? curNode.getProperty(property) : undefined;
  const span = prop?.span ?? curNode.span;
  return { path: curNode.path, ...(property !== undefined ? { property } : {}), ...(span ? { span } : {}), below };
}

/** The validated node (name, path, first compatible), for dt-validate-style output. */
export const nodeOfDiagnostic = new WeakMap<Diagnostic, { name: string; path: string; compatible?: string; below?: string[] }>();

