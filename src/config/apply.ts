/** Command line over configuration over defaults, for the options of a check run. */
import type { CheckOptions } from '../pipeline/options.js';
import type { LoadedConfig } from './types.js';

export interface CliOverrides {
  cpp?: boolean;
  include?: string[];
  define?: string[];
  bindings?: string[];
  soc?: string;
  el?: 1 | 2;
}

export function mergeCheckOptions(options: CheckOptions, loaded: LoadedConfig | undefined, cli: CliOverrides): CheckOptions {
  const config = loaded?.config ?? {};
  options.cpp = cli.cpp ?? config.cpp ?? options.cpp;
  // Folders add up: the command line's first, so they win the include search.
  options.includeDirs = [...(cli.include ?? []), ...(config.include ?? []), ...options.includeDirs];
  options.defines = [...(config.defines ?? []), ...(cli.define ?? [])];
  options.bindings = cli.bindings?.length ? cli.bindings : (config.bindings ?? options.bindings);
  options.coreSchemas = config.coreSchemas ?? options.coreSchemas;
  options.soc = cli.soc ?? config.soc ?? options.soc;
  const el = cli.el ?? config.el ?? options.el;
  if (el !== undefined) options.el = el;
  options.checkFlags = [...options.checkFlags, ...dtcFlagsFromRules(config.rules)];
  return options;
}

/** `dtc/NAME: warning|error` turns the check on at that level (dtc's -W/-E), `off` turns it off. */
export function dtcFlagsFromRules(rules: Record<string, string> | undefined): { flag: string; isError: boolean }[] {
  const flags: { flag: string; isError: boolean }[] = [];
  for (const [id, setting] of Object.entries(rules ?? {})) {
    if (!id.startsWith('dtc/') || id === 'dtc/*') continue;
    const name = id.slice(4);
    if (setting === 'off') flags.push({ flag: `no-${name}`, isError: false }, { flag: `no-${name}`, isError: true });
    else if (setting === 'error') flags.push({ flag: name, isError: true });
    else flags.push({ flag: name, isError: false });
  }
  return flags;
}
