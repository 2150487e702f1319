/**
 * Mutants that cannot change behaviour, with the reason: scripts/mutate.ts counts a survivor named
 * here as equivalent (listed in the report, left out of the rate's denominator). An entry names the
 * file, the source line as it reads (trimmed), and the change; when the line changes, the entry
 * stops matching and the mutant counts as a survivor again until someone looks at it anew.
 */
export interface Equivalent {
  file: string;
  /** The mutated line, trimmed, exactly as in the source. */
  line: string;
  original: string;
  replacement: string;
  reason: string;
}

export const EQUIVALENT: readonly Equivalent[] = [];
