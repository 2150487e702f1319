/** Overlay failures: libfdt's error code (what fdtoverlay prints) plus a message that names things. */
import { DiagnosticError, type Span } from '../diagnostics.js';

export type FdtErrorCode =
  | 'FDT_ERR_NOTFOUND'
  | 'FDT_ERR_BADOVERLAY'
  | 'FDT_ERR_BADPHANDLE'
  | 'FDT_ERR_NOPHANDLES'
  | 'FDT_ERR_BADOFFSET'
  | 'FDT_ERR_BADVALUE'
  | 'FDT_ERR_BADPATH'
  | 'FDT_ERR_NOSPACE';

export class OverlayError extends DiagnosticError {
  readonly code: FdtErrorCode;
  readonly overlay: string;
  readonly hint: string | undefined;

  constructor(code: FdtErrorCode, overlay: string, message: string, extra: { span?: Span; path?: string; property?: string; hint?: string } = {}) {
    super({
      rule: 'overlay/apply',
      severity: 'error',
      message: `failed to apply '${overlay}': ${message}${extra.hint ? `; ${extra.hint}` : ''} [${code}]`,
      ...(extra.path !== undefined ? { path: extra.path } : {}),
      ...(extra.property !== undefined ? { property: extra.property } : {}),
      ...(extra.span ? { span: extra.span } : {}),
    });
    this.name = 'OverlayError';
    this.code = code;
    this.overlay = overlay;
    this.hint = extra.hint;
  }
}

/** Up to three names close to `name` (edit distance), nearest first, for "did you mean". */
export function suggestSimilar(name: string, candidates: string[]): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return candidates
    .map((c) => ({ c, d: editDistance(name, c) }))
    .filter(({ c, d }) => d <= limit || c.includes(name) || name.includes(c))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, 3)
    .map(({ c }) => c);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
