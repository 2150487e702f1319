/**
 * The shape of one dtc check: a definition with `meta` (name, default level, prerequisites, docs)
 * and a function called on every live node in pre-order, as dtc's `check_nodes_props` does.
 */
import type { Node, Property } from '../tree/model.js';
import type { CheckContext } from './context.js';

/**
 * A check's level as dtc keeps it: two independent switches, "warn" and "error".
 * 'warning+error' arises from `-E` on a warning check; it reports as ERROR like 'error', but
 * `-Wno-…` / `-Eno-…` then lower each switch separately, exactly as dtc does.
 */
export type CheckLevel = 'off' | 'warning' | 'error' | 'warning+error';

/** The default level a check has in dtc's table (`WARNING`, `ERROR` or `CHECK`). */
export type DefaultLevel = 'off' | 'warning' | 'error';

export interface CheckMeta {
  /** dtc's name, used in `-W`/`-E` and in messages: `unit_address_vs_reg`. */
  name: string;
  level: DefaultLevel;
  /** Checks that must pass first; a failed prerequisite stops this check. */
  prereqs: readonly string[];
  /** One line: what the check looks at. */
  description: string;
  /** Why it matters; shown on the rule's docs page. */
  rationale: string;
  /** Family (the file in src/dtc-checks/rules/ that defines it), for the docs index. */
  family: string;
  /** True for the checks that change the tree (resolve references, assign phandles, delete nodes). */
  fixup?: boolean;
  /**
   * Its verdict on a node inside an overlay fragment depends on the base tree (the target's
   * properties, #address-cells, bus type or children), so a standalone overlay cannot be judged.
   */
  needsBase?: boolean;
  /**
   * The check does nothing on a node that has none of these properties; when no node of the tree
   * has any of them, the runner skips the walk (a speed-up only, never a change of result).
   */
  onlyWith?: readonly string[];
  /** The check never reports: it only records facts for its dependents or changes the tree. */
  silent?: boolean;
  /** The check may delete nodes, so the tree must be walked live (children re-read after each visit). */
  deletesNodes?: boolean;
  /**
   * The check reads a cell where dtc asserts the length (`propval_cell`), so on a malformed tree it
   * aborts dtc whatever its level: it runs even when its warnings are not printed (`-q`).
   */
  mayAbort?: boolean;
}

export interface CheckDefinition {
  meta: CheckMeta;
  /** Visit one node. Report through `ctx.fail` / `ctx.failProp`. */
  node?: (ctx: CheckContext, node: Node) => void;
}

/** What a check reports on, before it becomes a Diagnostic. */
export interface CheckFailure {
  node?: Node;
  prop?: Property;
  message: string;
  /**
   * For a finding on a node: the property whose value decided it (e.g. the `reg` a unit address
   * is compared with). Its span becomes related information, so that on a merged tree the
   * overlay line that set the value is named too. dtc's own output is unchanged.
   */
  because?: Property;
}
