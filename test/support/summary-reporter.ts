/**
 * Prints two plain closing lines that any CI can read: why tests were skipped, grouped by reason
 * (`skipped 12: 9 (../shared is absent), 3 (GNU cpp is not installed)`), then
 * `tests: N passed, N failed, N skipped` — keep that last format: CI parses it.
 *
 * A skipped test's reason is its own note (`ctx.skip(reason)`), else what its file logged with
 * explainSkip (test/support/shared.ts: `skipping WHAT: REASON`), else "no reason given".
 */
import { writeSync } from 'node:fs';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import type { SerializedError } from 'vitest';

interface ConsoleLog {
  content: string;
  taskId?: string;
}

const SKIP_LOG = /^skipping .+?: (.+)$/gm;

export default class SummaryReporter implements Reporter {
  private readonly skipLogs: { taskId: string; reason: string }[] = [];

  onUserConsoleLog(log: ConsoleLog): void {
    if (!log.taskId) return;
    for (const m of log.content.matchAll(SKIP_LOG)) this.skipLogs.push({ taskId: log.taskId, reason: m[1]!.trim() });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const byReason = new Map<string, number>();
    for (const mod of modules) {
      const ids = new Set([mod.id, ...[...mod.children.allSuites()].map((s) => s.id), ...[...mod.children.allTests()].map((t) => t.id)]);
      const fileReasons = [...new Set(this.skipLogs.filter((l) => ids.has(l.taskId)).map((l) => l.reason))];
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failedHere++;
        else {
          skipped++;
          const note = result.state === 'skipped' ? result.note : undefined;
          const reason = note || fileReasons.join(' or ') || 'no reason given';
          byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
        }
      }
      // a file that failed outside any test (an import or collection error) counts as one failure
      if (mod.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    // Errors outside every test fail the run too; a failed global setup (dist/cli.js could not be
    // built) reports none of them but ends the run as failed before any test ran.
    failed += unhandledErrors.length;
    if (reason === 'failed' && failed === 0) failed = 1;
    const reasons = [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const why = skipped > 0 ? `skipped ${skipped}: ${reasons.map(([reason, n]) => `${n} (${reason})`).join(', ')}\n` : '';
    // Printed at exit so that they are the last lines, after vitest's own summary.
    const line = `${why}tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
    process.once('exit', () => writeSync(1, line));
  }
}
