import { DiagnosticError } from '../diagnostics.js';

/** Throw the preprocessor's one kind of failure: a DiagnosticError with a 'cpp/…' rule and a position. */
export function cppError(rule: string, message: string, file: string, line: number, column: number): never {
  throw new DiagnosticError({
    rule: `cpp/${rule}`,
    severity: 'error',
    message,
    span: { file, line, column },
  });
}
