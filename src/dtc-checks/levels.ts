/**
 * `-W`/`-E` handling: each check has a "warn" and an "error" switch. Raising a check raises its
 * prerequisites too; lowering a check lowers every check that depends on it (dtc's
 * enable_warning_error / disable_warning_error).
 */
import { DiagnosticError } from '../diagnostics.js';
import { checkByName, checkTable } from './registry.js';
import type { CheckLevel } from './types.js';

export type CheckLevels = Record<string, CheckLevel>;

export interface Switches {
  warn: boolean;
  error: boolean;
}

export function levelToSwitches(level: CheckLevel): Switches {
  return {
    warn: level === 'warning' || level === 'warning+error',
    error: level === 'error' || level === 'warning+error',
  };
}

export function switchesToLevel(s: Switches): CheckLevel {
  if (s.warn && s.error) return 'warning+error';
  if (s.error) return 'error';
  if (s.warn) return 'warning';
  return 'off';
}

/** The effective switches of a check: its entry in `levels`, else its default. */
export function switchesOf(name: string, levels: CheckLevels | undefined): Switches {
  const level = levels?.[name] ?? checkByName.get(name)?.meta.level ?? 'off';
  return levelToSwitches(level);
}

/** Reverse prerequisite edges: for each check, the checks that list it as a prerequisite. */
let dependents: Map<string, string[]> | undefined;
function dependentsOf(name: string): string[] {
  if (!dependents) {
    dependents = new Map();
    for (const def of checkTable) {
      for (const p of def.meta.prereqs) {
        const list = dependents.get(p) ?? [];
        list.push(def.meta.name);
        dependents.set(p, list);
      }
    }
  }
  return dependents.get(name) ?? [];
}

function enable(name: string, warn: boolean, error: boolean, levels: CheckLevels): void {
  const s = switchesOf(name, levels);
  if ((warn && !s.warn) || (error && !s.error)) {
    for (const p of checkByName.get(name)!.meta.prereqs) enable(p, warn, error, levels);
  }
  levels[name] = switchesToLevel({ warn: s.warn || warn, error: s.error || error });
}

function disable(name: string, warn: boolean, error: boolean, levels: CheckLevels): void {
  const s = switchesOf(name, levels);
  if ((warn && s.warn) || (error && s.error)) {
    for (const d of dependentsOf(name)) disable(d, warn, error, levels);
  }
  levels[name] = switchesToLevel({ warn: s.warn && !warn, error: s.error && !error });
}

/**
 * Apply one `-W` (isError false) or `-E` (isError true) argument such as `no-unit_address_vs_reg`
 * to `levels` (mutated and returned). Arguments apply in command-line order, as in dtc.
 * Throws a DiagnosticError `Unrecognized check name "x"` for a name dtc does not know.
 */
export function parseCheckFlag(flag: string, isError: boolean, levels: CheckLevels = {}): CheckLevels {
  let name = flag;
  let on = true;
  if (flag.startsWith('no-') || flag.startsWith('no_')) {
    name = flag.slice(3);
    on = false;
  }
  if (!checkByName.has(name)) {
    throw new DiagnosticError({
      rule: 'dtc/unknown-check',
      severity: 'error',
      message: `Unrecognized check name "${name}"`,
    });
  }
  if (on) enable(name, !isError, isError, levels);
  else disable(name, !isError, isError, levels);
  return levels;
}
