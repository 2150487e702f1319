/**
 * Overlay-aware structure checks: after merging, every phandle-with-arguments property that an
 * overlay set is checked against the real provider in the merged tree (its `#…-cells`), and
 * reported at the overlay's line. dtc cannot do this: compiling the overlay alone, it does not
 * know the provider; fdtoverlay does not check at all.
 */
import type { Diagnostic } from '../diagnostics.js';
import { PROVIDERS } from '../dtc-checks/rules/providers.js';
import type { Node, Property, Tree } from '../tree/model.js';
import { findProperty, phandleOf, readCell, walkNodes } from './lookup.js';

export const ARITY_RULE = 'overlay/phandle-args';

interface ProviderSpec {
  cellsName: string;
  optional: boolean;
}

function providerSpecFor(propName: string): ProviderSpec | undefined {
  const known = PROVIDERS.find((p) => p.propName === propName);
  if (known) return { cellsName: known.cellsName, optional: !!known.optional };
  // GPIO specifiers: `gpios`, `foo-gpios` (but not the `gpio-hog` style names of controllers).
  if (propName === 'gpios' || propName === 'gpio' || propName.endsWith('-gpios') || propName.endsWith('-gpio')) {
    return { cellsName: '#gpio-cells', optional: false };
  }
  return undefined;
}

/** Checks the properties in `touched` (those an overlay set) of `tree`; returns one finding per bad property. */
export function checkOverlayPhandleArgs(tree: Tree, touched: ReadonlySet<Property>): Diagnostic[] {
  const byPhandle = new Map<number, Node>();
  for (const node of walkNodes(tree.root)) {
    const ph = phandleOf(node);
    if (ph && !byPhandle.has(ph)) byPhandle.set(ph, node);
  }
  const findings: Diagnostic[] = [];
  for (const node of walkNodes(tree.root)) {
    for (const prop of node.properties) {
      if (prop.deleted || !touched.has(prop)) continue;
      const spec = providerSpecFor(prop.name);
      if (!spec) continue;
      const problem = firstProblem(prop, spec, byPhandle);
      if (!problem) continue;
      findings.push({
        rule: ARITY_RULE,
        severity: 'warning',
        message: problem.message,
        path: node.path,
        property: prop.name,
        ...(prop.span ? { span: prop.span } : {}),
        ...(problem.related ? { related: [problem.related] } : {}),
      });
    }
  }
  return findings;
}

type Related = NonNullable<Diagnostic['related']>[number];
interface Problem {
  message: string;
  related?: Related;
}

/**
 * Entry boundaries: from source, the reference markers say where each entry starts (so a missing
 * cell is caught at the right entry); from a blob, walk as dtc does, phandle then #cells arguments.
 */
function firstProblem(prop: Property, spec: ProviderSpec, byPhandle: Map<number, Node>): Problem | undefined {
  const bytes = prop.value.bytes;
  if (bytes.length % 4 !== 0) return { message: `property size (${bytes.length}) is not a whole number of cells` };
  const cells = bytes.length / 4;
  const starts = prop.value.markers.filter((m) => m.kind === 'ref-phandle' && m.offset % 4 === 0).map((m) => m.offset / 4);
  const fromSource = starts.length > 0 && starts[0] === 0;
  let entry = 0;
  for (let cell = 0; cell < cells; ) {
    entry++;
    const phandle = readCell(bytes, cell * 4);
    if (phandle === 0 || phandle === 0xffffffff) {
      cell++; // an intentionally empty entry
      continue;
    }
    const provider = byPhandle.get(phandle);
    if (!provider) return { message: `entry ${entry} (cell ${cell}) refers to phandle 0x${phandle.toString(16)}, which no node of the merged tree has` };
    const cellsProp = findProperty(provider, spec.cellsName);
    let expected = 0;
    if (cellsProp) {
      if (cellsProp.value.bytes.length !== 4) return { message: `provider ${provider.path} has a malformed ${spec.cellsName}` };
      expected = readCell(cellsProp.value.bytes, 0);
    } else if (!spec.optional) {
      return { message: `entry ${entry} refers to ${provider.path}, which has no ${spec.cellsName} (is it really a ${prop.name} provider?)` };
    }
    const nextStart = fromSource ? (starts.find((s) => s > cell) ?? cells) : cells;
    const available = nextStart - cell - 1;
    if (fromSource ? available !== expected : available < expected) {
      const related = cellsProp?.span ? { message: `${spec.cellsName} defined here`, span: cellsProp.span } : undefined;
      return {
        message: `entry ${entry} refers to ${provider.path} (${spec.cellsName} = <${expected}>) but has ${available} argument cell${available === 1 ? '' : 's'}; expected ${expected}`,
        ...(related ? { related } : {}),
      };
    }
    cell += expected + 1;
  }
  return undefined;
}
