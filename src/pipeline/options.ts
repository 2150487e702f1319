/** What one `check` run needs: inputs, how to compile sources, and what the later stages use. */
import type { CompileSession } from '../compile/index.js';

export interface CheckOptions {
  base: string;
  overlays: string[];
  /** Preprocess sources like the kernel; undefined = by extension (.dts/.dtsi/.dtso). */
  cpp?: boolean;
  includeDirs: string[];
  defines: string[];
  /** dtc `-W`/`-E` flags for the compile and dtc-check stages (e.g. the kernel's DTC_FLAGS). */
  checkFlags: { flag: string; isError: boolean }[];
  /** dt-binding folders; empty = no binding validation. */
  bindings: string[];
  /** dt-schema's folder (schemas/, meta-schemas/); undefined = DTOVERLAY_CHECK_CORE_SCHEMAS, else dt-schema's core vendored in vendor/dtschema/ (chooseCoreSchemas). */
  coreSchemas?: string;
  /** SoC profile name for the PAS simulation; undefined = from the root compatible. */
  soc?: string;
  /** Exception level for the PAS simulation; undefined: the engine decides (EL2 when an overlay gives the remoteprocs iommus). */
  el?: 1 | 2;
  /**
   * Folders includes may read from besides the input's folder and the include folders (the include
   * sandbox): a Linux tree's root, whose include-prefix links point into it.
   */
  sandboxRoots?: string[];
  /** `--allow-outside-includes`: no include sandbox. */
  allowOutsideIncludes?: boolean;
  /** `--limit NAME=VALUE`: resource limits changed from their defaults (src/limits.ts). */
  limits?: Partial<import('../limits.js').Limits>;
  /** Shared by many runs (kernel mode): file contents and the preprocessor's cache. */
  session?: CompileSession;
  /** Keep each input's parsed source in the run (the language server's outline and navigation); off for batch runs, to save memory. */
  keepSources?: boolean;
}

export const SOURCE_EXTENSIONS = /\.(dts|dtsi|dtso)$/i;

export function defaultCheckOptions(base: string, overlays: string[] = []): CheckOptions {
  return { base, overlays, includeDirs: [], defines: [], checkFlags: [], bindings: [] };
}
