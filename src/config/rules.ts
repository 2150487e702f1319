/**
 * The `rules:` map applied to findings: `off` drops a rule, a severity replaces its own. A rule id
 * wins over its `family/*` entry.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { RuleSetting } from './types.js';

export function settingFor(rule: string, rules: Record<string, RuleSetting>): RuleSetting | undefined {
  if (rules[rule] !== undefined) return rules[rule];
  const slash = rule.indexOf('/');
  return slash < 0 ? undefined : rules[`${rule.slice(0, slash)}/*`];
}

export function applyRuleConfig(diagnostics: Diagnostic[], rules: Record<string, RuleSetting> | undefined): Diagnostic[] {
  if (!rules || !Object.keys(rules).length) return diagnostics;
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const setting = settingFor(d.rule, rules);
    if (setting === 'off') continue;
    out.push(setting ? { ...d, severity: setting } : d);
  }
  return out;
}
