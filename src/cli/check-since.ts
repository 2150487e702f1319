/**
 * `check --new-since REV` (for CI): the same inputs checked as they are and as they were at REV (a
 * temporary git worktree), and only the findings REV did not have reported and failed on. Inputs
 * that did not exist at REV are left out of the run at REV (a new base: every finding is new).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedConfig } from '../config/types.js';
import { EXIT_USAGE } from './exit-codes.js';
import { checkInputs, emitReport, locatedIn, type CheckCliOptions, type ReportCliOptions } from './check-run.js';

/** The closing line of a compared run: how many findings were already there and so do not count. */
export function reportExisting(count: number, rev: string, opts: ReportCliOptions): void {
  if (opts.quiet) return;
  const line = `${count} finding${count === 1 ? '' : 's'} already in ${rev}, not blocking\n`;
  // Last line of the text report; beside a JSON/SARIF/… report or a file, on stderr.
  if (opts.format === 'text' && !opts.output) process.stdout.write(line);
  else process.stderr.write(line);
}

export async function checkNewSince(base: string | undefined, overlays: string[], opts: CheckCliOptions, config: LoadedConfig | undefined): Promise<number> {
  const rev = opts.newSince!;
  const { gitTop, isRevision, addWorktree, ReviewError } = await import('../review/worktree.js');
  const { compareFindings } = await import('../review/compare.js');
  const top = gitTop(process.cwd());
  if (!top) {
    process.stderr.write(`dtoverlay-check check: --new-since ${rev}: ${process.cwd()} is not in a git repository\n`);
    return EXIT_USAGE;
  }
  if (!isRevision(top, rev)) {
    process.stderr.write(`dtoverlay-check check: --new-since ${rev}: not a revision of the git repository ${top}\n`);
    return EXIT_USAGE;
  }
  // Absolute paths on both sides, so that findings (and paths in their messages) compare by their place in the repository.
  const abs = (f: string) => path.resolve(f);
  const after = await checkInputs(base === undefined ? undefined : abs(base), overlays.map(abs), opts, config);
  let worktree;
  try {
    worktree = await addWorktree(top, rev);
  } catch (err) {
    if (!(err instanceof ReviewError)) throw err;
    process.stderr.write(`dtoverlay-check check: --new-since ${rev}: ${err.message}\n`);
    return EXIT_USAGE;
  }
  try {
    const at = (f: string) => {
      const rel = path.relative(top, path.resolve(f));
      return rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(f) : path.join(worktree.dir, rel);
    };
    const beforeBase = base === undefined ? undefined : at(base);
    const beforeDiagnostics = [];
    if (beforeBase === undefined || fs.existsSync(beforeBase)) {
      // At the EL the run as it is chose, so that an EL2 overlay new since REV is compared at EL2.
      const el = (after.report.simulation as { el?: 1 | 2 } | undefined)?.el;
      const before = await checkInputs(beforeBase, overlays.map(at).filter((f) => fs.existsSync(f)), opts, config, at, el);
      beforeDiagnostics.push(...before.report.diagnostics);
    }
    const { introduced, existing } = compareFindings(beforeDiagnostics, worktree.dir, after.report.diagnostics, top);
    const only = (list: typeof introduced) => (opts.onlyOverlay ? locatedIn(list, after.overlaySources) : list);
    after.report.diagnostics = only(introduced);
    const status = await emitReport(after.report, opts, config, after.inputs);
    reportExisting(only(existing).length, rev, opts);
    return status;
  } finally {
    await worktree.remove();
  }
}
