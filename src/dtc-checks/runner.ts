/**
 * Running the check table the way dtc's process_checks / run_check do:
 * - every check enabled as warning or error runs, in table order;
 * - a check first runs its prerequisites (even disabled ones, silently); one that did not pass
 *   marks the check "failed prerequisite" and it does not visit the tree;
 * - as soon as one error-level check has not passed, dtc evaluates no further check
 *   (its `error = error || run_check(...)` short-circuits), neither prerequisites nor table entries.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Tree } from '../tree/model.js';
import { CheckContext, DtcAssertion, type ContextOptions } from './context.js';
import { checkTable } from './registry.js';
import { switchesOf, type CheckLevels } from './levels.js';
import type { CheckDefinition, CheckFailure } from './types.js';

type Status = 'unchecked' | 'prereq' | 'passed' | 'failed';

interface CheckState {
  def: CheckDefinition;
  warn: boolean;
  error: boolean;
  status: Status;
}

export interface RunOptions extends ContextOptions {
  levels?: CheckLevels;
  /** dtc's `-q` count: 1 hides warnings, 2 hides errors too. */
  quiet: number;
}

export interface RunOutcome {
  diagnostics: Diagnostic[];
  /** dtc's verdict: some error-level check did not pass ("Input tree has errors"). */
  failed: boolean;
  /** dtc 1.7.2 would have aborted on an assertion (the last diagnostic says where). */
  crashed: boolean;
  nextPhandle: number;
}

/** The message of the finding that stands for dtc's assertion failure. */
export const ASSERTION_MESSAGE = 'property is not a single cell (dtc 1.7.2 aborts here: propval_cell assertion)';

export function runCheckTable(tree: Tree, options: RunOptions): RunOutcome {
  const ctx = new CheckContext(tree, options);
  const diagnostics: Diagnostic[] = [];
  const states = new Map<string, CheckState>();
  for (const def of checkTable) {
    const s = switchesOf(def.meta.name, options.levels);
    states.set(def.meta.name, { def, warn: s.warn, error: s.error, status: 'unchecked' });
  }

  const emit = (state: CheckState, failure: CheckFailure): void => {
    if (!(state.warn && options.quiet < 1) && !(state.error && options.quiet < 2)) return;
    diagnostics.push(toDiagnostic(ctx, state, failure));
  };

  const visit = (state: CheckState, node: Node): void => {
    state.def.node!(ctx, node);
    // dtc's for_each_child: live children, re-read after the visit (a fixup may delete nodes)
    for (const child of node.children) if (!child.deleted) visit(state, child);
  };
  // Checks that do not delete nodes see the same pre-order every time: walk a flat list instead,
  // and only the nodes that have a property the check looks at (the others would be no-ops).
  let current: CheckState | undefined;
  const traverse = (state: CheckState): void => {
    current = state;
    const { onlyWith, deletesNodes } = state.def.meta;
    if (deletesNodes) visit(state, tree.root);
    else {
      const nodes = onlyWith ? ctx.nodesWithProperty(onlyWith) : ctx.liveNodes();
      const fn = state.def.node!;
      for (let i = 0; i < nodes.length; i++) fn(ctx, nodes[i]!);
    }
  };

  const run = (state: CheckState): boolean => {
    let error = false;
    if (state.status === 'unchecked') {
      for (const name of state.def.meta.prereqs) {
        const prereq = states.get(name)!;
        if (!error) error = run(prereq);
        if (prereq.status !== 'passed') {
          state.status = 'prereq';
          emit(state, { message: `Failed prerequisite '${name}'` });
        }
      }
      if (state.status === 'unchecked') {
        if (state.def.node) {
          ctx.report = (failure) => {
            state.status = 'failed';
            emit(state, failure);
          };
          traverse(state);
        }
        if (state.status === 'unchecked') state.status = 'passed';
      }
    }
    if (state.status !== 'passed' && state.error) error = true;
    return error;
  };

  const needed = options.quiet >= 1 ? checksThatMatter(states) : undefined;
  let failed = false;
  try {
    for (const def of checkTable) {
      const state = states.get(def.meta.name)!;
      if ((state.warn || state.error) && !failed && (!needed || needed.has(state))) failed = run(state);
    }
  } catch (err) {
    if (!(err instanceof DtcAssertion)) throw err;
    // dtc aborts the whole program here; report where, as an error of the running check
    const state = current!;
    diagnostics.push(toDiagnostic(ctx, { ...state, error: true }, { node: err.node, prop: err.prop, message: ASSERTION_MESSAGE }));
    return { diagnostics, failed: true, crashed: true, nextPhandle: ctx.phandleCounter };
  }
  return { diagnostics, failed, crashed: false, nextPhandle: ctx.phandleCounter };
}

/**
 * With `-q` warnings are not printed, so a check that can only warn changes nothing: skip it unless
 * it is an error check, changes the tree or records facts for others, may abort dtc, or is a
 * prerequisite of one that runs (its failure would stop that one). Same output, less work.
 */
function checksThatMatter(states: Map<string, CheckState>): Set<CheckState> {
  const needed = new Set<CheckState>();
  const add = (state: CheckState): void => {
    if (needed.has(state)) return;
    needed.add(state);
    for (const name of state.def.meta.prereqs) add(states.get(name)!);
  };
  for (const state of states.values()) {
    const m = state.def.meta;
    if (state.error || m.fixup || m.silent || m.mayAbort) add(state);
  }
  return needed;
}

function toDiagnostic(ctx: CheckContext, state: CheckState, failure: CheckFailure): Diagnostic {
  const { node, prop, message } = failure;
  const d: Diagnostic = {
    rule: `dtc/${state.def.meta.name}`,
    severity: state.error ? 'error' : 'warning',
    message,
  };
  if (node) d.path = ctx.pathOf(node);
  if (node && prop) d.property = prop.name;
  const span = prop?.span ?? node?.span;
  if (span) d.span = span;
  const related: { message: string; span: Span }[] = [];
  // dtc lists the other definitions of a node ("also defined at") for node-level messages
  if (node && !prop && node.span) {
    for (const s of node.spans.slice(1)) related.push({ message: 'also defined at', span: s });
  }
  const decider = failure.because?.span;
  if (decider) related.push({ message: `'${failure.because!.name}' set here`, span: decider });
  if (related.length) d.related = related;
  return d;
}

