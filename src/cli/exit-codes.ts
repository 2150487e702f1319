/** Exit codes of every subcommand (docs/architecture.md): 0 clean, 1 findings or failed input, 2 usage. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
