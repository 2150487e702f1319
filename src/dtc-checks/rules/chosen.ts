/** `/chosen` and `/aliases`: where they sit and what their properties hold. */
import { defineFamily, requireString } from '../define.js';
import { charSet, cString, getProp, spanOf } from '../values.js';

const ALIAS_NAME_CHARS = charSet('abcdefghijklmnopqrstuvwxyz0123456789-');

export const chosenChecks = defineFamily('chosen', [
  {
    name: 'obsolete_chosen_interrupt_controller',
    level: 'warning',
    description: '`/chosen` has no `interrupt-controller` property.',
    rationale: 'An old way of naming the boot interrupt controller that nothing supports any more.',
    node(ctx, node) {
      if (node !== ctx.root) return;
      const chosen = ctx.nodeByPath('/chosen');
      const prop = chosen && getProp(chosen, 'interrupt-controller');
      if (prop) ctx.failProp(node, prop, '/chosen has obsolete "interrupt-controller" property');
    },
  },
  {
    name: 'chosen_node_is_root',
    needsBase: true,
    level: 'warning',
    description: 'A node called `chosen` is a child of the root.',
    rationale: 'Bootloaders and the kernel only look at `/chosen`.',
    node(ctx, node) {
      if (node.name === 'chosen' && node.parent !== ctx.root) ctx.fail(node, 'chosen node must be at root node');
    },
  },
  {
    name: 'chosen_node_bootargs',
    level: 'warning',
    onlyWith: ['bootargs'],
    description: '`bootargs` in a `chosen` node is a string.',
    rationale: 'The kernel reads its command line from it as one string.',
    node(ctx, node) {
      if (node.name === 'chosen' && getProp(node, 'bootargs')) requireString(ctx, node, 'bootargs');
    },
  },
  {
    name: 'chosen_node_stdout_path',
    level: 'warning',
    onlyWith: ['stdout-path', 'linux,stdout-path'],
    description: '`stdout-path` in a `chosen` node is a string; the old `linux,stdout-path` should be renamed.',
    rationale: 'The console is found by that path string; `linux,stdout-path` is deprecated.',
    node(ctx, node) {
      if (node.name !== 'chosen') return;
      let prop = getProp(node, 'stdout-path');
      if (!prop) {
        prop = getProp(node, 'linux,stdout-path');
        if (!prop) return;
        ctx.failProp(node, prop, "Use 'stdout-path' instead");
      }
      requireString(ctx, node, prop.name);
    },
  },
  {
    name: 'alias_paths',
    needsBase: true,
    level: 'warning',
    description: 'Each property of an `aliases` node is the path of an existing node, and its name is lowercase letters, digits and `-`.',
    rationale: 'Aliases such as `serial0` pick device numbering; a dangling alias silently does nothing.',
    node(ctx, node) {
      if (node.name !== 'aliases') return;
      for (const prop of node.properties) {
        if (prop.deleted || prop.name === 'phandle' || prop.name === 'linux,phandle') continue;
        const path = cString(prop.value);
        if (prop.value.bytes.length === 0 || !ctx.nodeByPath(path)) {
          ctx.failProp(node, prop, `aliases property is not a valid node (${path})`);
          continue;
        }
        if (spanOf(prop.name, ALIAS_NAME_CHARS) !== prop.name.length) {
          ctx.fail(node, "aliases property name must include only lowercase and '-'");
        }
      }
    },
  },
]);
