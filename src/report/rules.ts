/**
 * Help text for rule ids, for SARIF's `rules` and the HTML report: dtc checks come from the check
 * table, the others from the short catalogue below. Rules owned by engines that publish their own
 * metadata (pas/*, schema/*) are looked up through `registerRuleSource` so that this module does
 * not import those engines.
 */
import type { Severity } from '../diagnostics.js';
import { checkByName } from '../dtc-checks/registry.js';

export interface RuleInfo {
  id: string;
  /** One line. */
  summary: string;
  /** Why it matters (markdown allowed). */
  help: string;
  defaultSeverity: Severity;
}

type RuleSource = (id: string) => RuleInfo | undefined;
const sources: RuleSource[] = [];

/** Engines with their own rule tables (the PAS engine) add a lookup here. */
export function registerRuleSource(source: RuleSource): void {
  sources.push(source);
}

const FAMILIES: Record<string, { summary: string; help: string; severity: Severity }> = {
  parse: { summary: 'The source does not parse.', help: 'dtc rejects this input; nothing after it can be checked.', severity: 'error' },
  compile: { summary: 'The source does not compile.', help: 'The compile pipeline (preprocessor, dtc) stopped on this input.', severity: 'error' },
  input: { summary: 'An input cannot be read.', help: 'A file named on the command line or in the configuration is missing or unreadable.', severity: 'error' },
  dtb: { summary: 'The blob is malformed.', help: 'libfdt-style structural checks failed on a .dtb/.dtbo input.', severity: 'warning' },
  overlay: { summary: 'The overlay does not apply cleanly.', help: 'fdtoverlay would fail, or the merged tree is wrong where an overlay changed it.', severity: 'error' },
  schema: { summary: 'The node does not match its dt-binding.', help: 'dt-schema validation (as `make dtbs_check`) of the merged tree against the bindings.', severity: 'error' },
  pas: { summary: 'The simulated PAS/SMMU bring-up fails or aliases.', help: 'A Linux arm-smmu and qcom_q6v5_pas model found a problem the kernel would hit at boot.', severity: 'error' },
  preprocess: { summary: 'The C preprocessor failed.', help: 'An #include, macro or #if could not be processed like `cpp -x assembler-with-cpp` would.', severity: 'error' },
};

const KNOWN: Record<string, { summary: string; help: string; severity: Severity }> = {
  'overlay/apply': { summary: 'fdtoverlay fails to apply the overlay.', help: 'libfdt\'s fdt_overlay_apply would return an error (missing label, bad fragment target, phandle problems); the message names the label, fragment and line.', severity: 'error' },
  'overlay/structure': { summary: 'The overlay is not shaped as fdtoverlay needs.', help: 'A fragment with `__overlay__` but no `target`/`target-path`, or a `__fixups__`/`__local_fixups__` entry that points outside the overlay\'s properties: libfdt\'s fdt_overlay_apply fails with FDT_ERR_BADOVERLAY.', severity: 'error' },
  'overlay/delete-in-overlay': { summary: '`/delete-property/` or `/delete-node/` in an overlay deletes nothing from the base.', help: 'An overlay can only add and replace: fdtoverlay has no way to delete a property or node of the base tree. The deletion applies to the overlay\'s own tree (where nothing by that name exists), so the base keeps what the author meant to remove. Disable a node with `status = "disabled"` instead, or change the base source.', severity: 'warning' },
  'overlay/phandle-args': { summary: 'A phandle-with-arguments property set by an overlay has the wrong number of cells for its provider.', help: 'Compiling the overlay alone, dtc cannot know the provider\'s `#…-cells`; after merging, the specifier length is checked against the real provider.', severity: 'warning' },
};

export function ruleInfo(id: string): RuleInfo {
  for (const source of sources) {
    const found = source(id);
    if (found) return found;
  }
  const [family, name] = id.includes('/') ? [id.slice(0, id.indexOf('/')), id.slice(id.indexOf('/') + 1)] : ['', id];
  if (family === 'dtc') {
    const check = checkByName.get(name);
    if (check) {
      const severity: Severity = check.meta.level === 'error' ? 'error' : 'warning';
      return { id, summary: check.meta.description, help: check.meta.rationale || check.meta.description, defaultSeverity: severity };
    }
    return { id, summary: `dtc check ${name}`, help: `dtc 1.7.2's ${name} check.`, defaultSeverity: 'warning' };
  }
  const known = KNOWN[id];
  if (known) return { id, summary: known.summary, help: known.help, defaultSeverity: known.severity };
  const fam = FAMILIES[family];
  if (fam) return { id, summary: fam.summary, help: fam.help, defaultSeverity: fam.severity };
  return { id, summary: id, help: id, defaultSeverity: 'warning' };
}
