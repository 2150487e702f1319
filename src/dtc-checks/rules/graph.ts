/** OF graph: `ports` / `port` / `endpoint` nodes and their `remote-endpoint` links. */
import type { Node } from '../../tree/model.js';
import type { CheckContext } from '../context.js';
import { defineFamily } from '../define.js';
import { getProp, hex, isValidPhandle } from '../values.js';
import { unitName } from './addressing.js';

function checkGraphReg(ctx: CheckContext, node: Node): void {
  const reg = getProp(node, 'reg');
  if (!reg) return;
  if (reg.value.bytes.length !== 4) {
    ctx.fail(node, "graph node malformed 'reg' property");
    return;
  }
  const expected = hex(ctx.cell(node, reg));
  if (unitName(node) !== expected) ctx.fail(node, `graph node unit address error, expected "${expected}"`, reg);
  const parent = node.parent!;
  const addr = ctx.rawAddressCells(parent);
  const size = ctx.rawSizeCells(parent);
  if (addr !== 1) ctx.failProp(node, getProp(node, '#address-cells'), `graph node '#address-cells' is ${addr}, must be 1`);
  if (size !== 0) ctx.failProp(node, getProp(node, '#size-cells'), `graph node '#size-cells' is ${size}, must be 0`);
}

function remoteEndpoint(ctx: CheckContext, endpoint: Node): Node | undefined {
  const prop = getProp(endpoint, 'remote-endpoint');
  if (!prop) return undefined;
  const phandle = ctx.cell(endpoint, prop);
  if (!isValidPhandle(phandle)) return undefined; // external reference in an overlay
  const node = ctx.nodeByPhandle(phandle);
  if (!node) ctx.failProp(endpoint, prop, 'graph phandle is not valid');
  return node;
}

export const graphChecks = defineFamily('graph', [
  {
    name: 'graph_nodes',
    level: 'warning',
    description: 'Finds graph ports (parents of `endpoint` nodes or of nodes with `remote-endpoint`); the root cannot be one.',
    rationale: 'Marks the port and ports nodes the other graph checks look at.',
    node(ctx, node) {
      for (const child of node.children) {
        if (child.deleted) continue;
        if (child.baseName !== 'endpoint' && !getProp(child, 'remote-endpoint')) continue;
        const parent = node.parent;
        if (!parent) {
          ctx.fail(
            node,
            `root node contains endpoint node '${child.name}', potentially misplaced remote-endpoint property`,
          );
          continue;
        }
        ctx.bus.set(node, 'graph-port');
        // the parent of a port is either a `ports` node or the device itself
        if (!ctx.bus.has(parent) && (parent.name === 'ports' || getProp(node, 'reg'))) ctx.bus.set(parent, 'graph-ports');
        break;
      }
    },
  },
  {
    name: 'graph_child_address',
    mayAbort: true,
    needsBase: true,
    level: 'warning',
    prereqs: ['graph_nodes', 'graph_port', 'graph_endpoint'],
    description: 'A ports/port node with a single child at address 0 needs no `#address-cells`/`#size-cells`.',
    rationale: 'The graph binding omits addressing for a lone port or endpoint.',
    node(ctx, node) {
      const bus = ctx.bus.get(node);
      if (bus !== 'graph-ports' && bus !== 'graph-port') return;
      let count = 0;
      for (const child of node.children) {
        if (child.deleted) continue;
        const reg = getProp(child, 'reg');
        if (reg && ctx.cell(child, reg) !== 0) return;
        count++;
      }
      if (count === 1 && ctx.rawAddressCells(node) !== -1) {
        ctx.fail(
          node,
          `graph node has single child node '${node.children[0]!.name}', #address-cells/#size-cells are not necessary`,
        );
      }
    },
  },
  {
    name: 'graph_port',
    mayAbort: true,
    needsBase: true,
    level: 'warning',
    prereqs: ['graph_nodes'],
    description: 'A graph port is named `port`, and its `reg` is one cell matching the unit address under 1/0 cells.',
    rationale: 'The OF graph binding fixes these names and the addressing of ports.',
    node(ctx, node) {
      if (ctx.bus.get(node) !== 'graph-port') return;
      checkGraphReg(ctx, node);
      if (ctx.plugin) return;
      if (node.baseName !== 'port') ctx.fail(node, "graph port node name should be 'port'");
    },
  },
  {
    name: 'graph_endpoint',
    mayAbort: true,
    needsBase: true,
    level: 'warning',
    prereqs: ['graph_nodes'],
    description: 'A graph endpoint is named `endpoint`, is addressed like a port, and its `remote-endpoint` points back at it.',
    rationale: 'A one-way link means one side of the connection never finds the other.',
    node(ctx, node) {
      const parent = node.parent;
      if (!parent || ctx.bus.get(parent) !== 'graph-port') return;
      checkGraphReg(ctx, node);
      if (ctx.plugin) return;
      if (node.baseName !== 'endpoint') ctx.fail(node, "graph endpoint node name should be 'endpoint'");
      const remote = remoteEndpoint(ctx, node);
      if (!remote) return;
      if (remoteEndpoint(ctx, remote) !== node) {
        ctx.fail(node, `graph connection to node '${ctx.pathOf(remote)}' is not bidirectional`);
      }
    },
  },
]);
