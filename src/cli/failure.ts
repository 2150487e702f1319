/** One line and an exit status for any failure of a command: never a stack trace. */
import { DiagnosticError, formatSpan, InputError } from '../diagnostics.js';
import { EXIT_USAGE } from './exit-codes.js';

/** Turns any failure into a one-line message and an exit code; never a stack trace. */
export function reportFailure(err: unknown): number {
  if (err instanceof DiagnosticError) {
    const d = err.diagnostic;
    const where = d.span ? `${formatSpan(d.span)}: ` : '';
    process.stderr.write(`${where}${d.severity}: ${d.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof InputError) {
    process.stderr.write(`dtoverlay-check: ${err.message}\n`);
    return EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`dtoverlay-check: internal error: ${message}\n`);
  if (process.env.DTOVERLAY_CHECK_DEBUG) console.error(err);
  return EXIT_USAGE;
}
