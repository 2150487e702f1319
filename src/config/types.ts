/** `.dtoverlay-check.yaml`: what a project can set once instead of on every command line. */
import type { Severity } from '../diagnostics.js';

export type RuleSetting = Severity | 'off';

export interface ProjectConfig {
  /** Include folders for #include and /include/, relative to the config file. */
  include?: string[];
  /** dt-binding schema folders, relative to the config file. */
  bindings?: string[];
  /** dt-schema's folder (schemas/, meta-schemas/), relative to the config file. */
  coreSchemas?: string;
  /** Preprocessor definitions, `NAME` or `NAME=VALUE`. */
  defines?: string[];
  /** Preprocess sources (default: by extension). */
  cpp?: boolean;
  soc?: string;
  el?: 1 | 2;
  /** Per-rule severity or `off`; keys are rule ids or `family/*`. */
  rules?: Record<string, RuleSetting>;
  /** Baseline file used when --baseline is not given, relative to the config file. */
  baseline?: string;
}

export interface LoadedConfig {
  /** Absolute path of the file it came from. */
  file: string;
  config: ProjectConfig;
}
