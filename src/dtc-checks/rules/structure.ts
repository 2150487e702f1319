/** Names of nodes and properties, duplicates, labels and the legacy `name` property. */
import type { Marker, Node, Property } from '../../tree/model.js';
import type { CheckContext } from '../context.js';
import { defineFamily, stringCheck } from '../define.js';
import { charSet, cString, getProp, spanOf } from '../values.js';

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const NODE_CHARS = charSet(`${LOWERCASE}${UPPERCASE}${DIGITS},._+-@`);
const PROP_CHARS = charSet(`${LOWERCASE}${UPPERCASE}${DIGITS},._+*#?-`);
const STRICT_CHARS = charSet(`${LOWERCASE}${UPPERCASE}${DIGITS},-`);

const encoder = new TextEncoder();

/** `value of 'prop' in /path`, as dtc describes where a label sits. */
function labelSite(ctx: CheckContext, node: Node, prop: Property | undefined, marker: Marker | undefined): string {
  return `${marker ? 'value of ' : ''}${prop ? `'${prop.name}' in ` : ''}${ctx.pathOf(node)}`;
}

function checkDuplicateLabel(
  ctx: CheckContext,
  label: string,
  node: Node,
  prop: Property | undefined,
  marker: Marker | undefined,
): void {
  const owner = ctx.labelOwner(label);
  if (!owner) return;
  if (owner.node !== node || owner.prop !== prop || owner.marker !== marker) {
    ctx.fail(
      node,
      `Duplicate label '${label}' on ${labelSite(ctx, node, prop, marker)} and ${labelSite(ctx, owner.node, owner.prop, owner.marker)}`,
    );
  }
}

export const structureChecks = defineFamily('structure', [
  {
    name: 'duplicate_node_names',
    level: 'error',
    description: 'No two children of a node have the same full name (name and unit address).',
    rationale: 'A path must name one node; a blob with two same-named siblings is ambiguous to every consumer.',
    node(ctx, node) {
      // dtc compares each live child with every later sibling, deleted ones included; the same
      // pairs in the same order, but only among same-named siblings (a blob may hold 100,000s).
      const children = node.children;
      const byName = new Map<string, number[]>();
      children.forEach((child, i) => {
        const same = byName.get(child.name);
        if (same) same.push(i);
        else byName.set(child.name, [i]);
      });
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!;
        if (child.deleted) continue;
        const same = byName.get(child.name)!;
        if (same.length === 1) continue;
        for (const j of same) if (j > i) ctx.fail(children[j], 'Duplicate node name');
      }
    },
  },
  {
    name: 'duplicate_property_names',
    level: 'error',
    description: 'No node has two live properties of the same name.',
    rationale: 'Property lookup by name would depend on order; the flattened format forbids it.',
    node(ctx, node) {
      const props = node.properties;
      for (let i = 0; i < props.length; i++) {
        const prop = props[i]!;
        if (prop.deleted) continue;
        for (let j = i + 1; j < props.length; j++) {
          const other = props[j]!;
          if (!other.deleted && other.name === prop.name) ctx.failProp(node, prop, 'Duplicate property name');
        }
      }
    },
  },
  {
    name: 'node_name_chars',
    level: 'error',
    description: 'Node names use only letters, digits and `,._+-@`.',
    rationale: 'The Devicetree Specification limits node names to these characters; others break path parsing.',
    node(ctx, node) {
      const n = spanOf(node.name, NODE_CHARS);
      if (n < node.name.length) ctx.fail(node, `Bad character '${node.name[n]}' in node name`);
    },
  },
  {
    name: 'node_name_format',
    level: 'error',
    prereqs: ['node_name_chars'],
    description: "A node name has at most one '@'.",
    rationale: 'The unit address is everything after the first `@`; a second one is a typo.',
    node(ctx, node) {
      if ((node.unitAddress ?? '').includes('@')) ctx.fail(node, "multiple '@' characters in node name");
    },
  },
  {
    name: 'property_name_chars',
    level: 'error',
    description: 'Property names use only letters, digits and `,._+*#?-`.',
    rationale: 'The Devicetree Specification limits property names to these characters.',
    node(ctx, node) {
      for (const prop of node.properties) {
        if (prop.deleted) continue;
        const n = spanOf(prop.name, PROP_CHARS);
        if (n < prop.name.length) ctx.failProp(node, prop, `Bad character '${prop.name[n]}' in property name`);
      }
    },
  },
  stringCheck(
    'name_is_string',
    'name',
    'error',
    'The legacy `name` property, when present, must be a string so it can be compared with the node name.',
  ),
  {
    name: 'name_properties',
    level: 'error',
    prereqs: ['name_is_string'],
    fixup: true,
    description:
      'A `name` property must equal the node\'s base name; a correct one is redundant and removed from the output.',
    rationale: 'Flattened trees carry names in the structure; a disagreeing `name` property is a contradiction.',
    node(ctx, node) {
      // dtc looks at the first property called "name", deleted or not
      const index = node.properties.findIndex((p) => p.name === 'name');
      if (index < 0) return;
      const prop = node.properties[index]!;
      const base = encoder.encode(node.baseName);
      const bytes = prop.value.bytes;
      const matches = bytes.length === base.length + 1 && base.every((b, i) => bytes[i] === b);
      if (!matches) {
        ctx.fail(node, `"name" property is incorrect ("${cString(prop.value)}" instead of base node name)`);
      } else {
        node.properties.splice(index, 1);
        ctx.treeChanged();
      }
    },
  },
  {
    name: 'node_name_vs_property_name',
    needsBase: true,
    level: 'warning',
    prereqs: ['node_name_chars'],
    description: 'No node has the same name as a property of its parent.',
    rationale: 'Some consumers (and the Linux /proc/device-tree view) cannot represent both.',
    node(ctx, node) {
      if (node.parent && getProp(node.parent, node.name)) ctx.fail(node, 'node name and property name conflict');
    },
  },
  {
    name: 'duplicate_label',
    level: 'error',
    description: 'Each label is defined once: on one node, one property or one place inside a value.',
    rationale: 'A reference `&label` must resolve to exactly one thing.',
    node(ctx, node) {
      for (const l of node.labels) checkDuplicateLabel(ctx, l, node, undefined, undefined);
      for (const prop of node.properties) {
        if (prop.deleted) continue;
        for (const l of prop.labels) checkDuplicateLabel(ctx, l, node, prop, undefined);
        for (const m of prop.value.markers) {
          if (m.kind === 'label' && m.ref !== undefined) checkDuplicateLabel(ctx, m.ref, node, prop, m);
        }
      }
    },
  },
  {
    name: 'property_name_chars_strict',
    level: 'off',
    description:
      'Property names use only letters, digits, `,` and `-` (plus a leading `#`, also after a vendor prefix); `device_type` is allowed.',
    rationale: 'The naming style the Linux bindings follow; off by default (enabled by `make W=2`).',
    node(ctx, node) {
      for (const prop of node.properties) {
        if (prop.deleted) continue;
        let name = prop.name;
        let n = spanOf(name, STRICT_CHARS);
        if (n === name.length || name === 'device_type') continue;
        // '#' is only allowed at the start of the name, not counting a vendor prefix
        if (name[n] === '#' && (n === 0 || name[n - 1] === ',')) {
          name = name.slice(n + 1);
          n = spanOf(name, STRICT_CHARS);
        }
        if (n < name.length) ctx.failProp(node, prop, `Character '${name[n]}' not recommended in property name`);
      }
    },
  },
  {
    name: 'node_name_chars_strict',
    level: 'off',
    description: 'Node base names use only letters, digits, `,` and `-`.',
    rationale: 'The naming style the Linux bindings follow; off by default (enabled by `make W=2`).',
    node(ctx, node) {
      const n = spanOf(node.name, STRICT_CHARS);
      if (n < node.baseName.length) ctx.fail(node, `Character '${node.name[n]}' not recommended in node name`);
    },
  },
  {
    name: 'always_fail',
    level: 'off',
    description: 'Fails on every node (for testing the check machinery only).',
    rationale: 'dtc has it to test `-W`/`-E` handling and prerequisite propagation.',
    node(ctx, node) {
      ctx.fail(node, 'always_fail check');
    },
  },
]);
