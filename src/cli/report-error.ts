/** How the CLI reports an error that ends a command: one line on stderr and an exit status. */
import { DiagnosticError, formatSpan, InputError } from '../diagnostics.js';
import { EXIT_USAGE } from './exit-codes.js';

/** Prints `err` (a located diagnostic, an input error, or an internal error) and gives the exit status. */
export function reportError(err: unknown): number {
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
