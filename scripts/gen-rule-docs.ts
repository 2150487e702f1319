/**
 * Writes docs/rules/: one page per dtc check, generated from the check registry, with examples
 * produced by running the checks on fixtures/checks/. Run with `npx tsx scripts/gen-rule-docs.ts`;
 * test/dtc-checks/docs.test.ts fails when the pages are out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTable, formatDtcDiagnostic, parseCheckFlag, runChecks, type CheckDefinition } from '../src/dtc-checks/index.js';
import type { CheckLevels } from '../src/dtc-checks/levels.js';
import { parseDts } from '../src/dts/parser.js';
import { FileSourceHost } from '../src/dts/source.js';
import { buildTree } from '../src/tree/build.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixturesDir = path.join(repoRoot, 'fixtures/checks');
export const rulesDir = path.join(repoRoot, 'docs/rules');

const FAMILY_TITLES: Record<string, string> = {
  structure: 'Names, duplicates and labels',
  references: 'References and phandles (fixups)',
  properties: 'Property types',
  addressing: 'Addresses, `reg` and `ranges`',
  buses: 'Buses: PCI, simple-bus, I2C, SPI',
  chosen: '`/chosen` and `/aliases`',
  providers: 'Phandle + arguments properties',
  interrupts: 'Interrupts',
  graph: 'OF graph (ports and endpoints)',
};

const MAX_EXAMPLES = 4;

/** How the checks run, for the index page (kept here so that it is generated with the table). */
const USAGE = [
  '## How the checks run',
  '',
  '- `runChecks(tree, options)` (src/dtc-checks/index.ts) is dtc\'s check phase. It is part of compiling:',
  '  `explicit_phandles`, `phandle_references`, `path_references`, `name_properties` and',
  '  `omit_unused_nodes` record phandles, fill in references (allocating phandles in traversal order),',
  '  drop redundant `name` properties and delete unreferenced `/omit-if-no-ref/` nodes.',
  '- Checks run in table order. A check first runs its prerequisites (even disabled ones, silently);',
  '  a prerequisite that did not pass stops it with "Failed prerequisite". As in dtc, once an',
  '  error-level check has failed no further check runs; the tree is then not written unless `-f`.',
  '- `-W`/`-E` arguments go through `parseCheckFlag(flag, isError, levels)` in command-line order;',
  '  raising a check raises its prerequisites, lowering one lowers its dependents; an unknown name',
  '  is an error (`Unrecognized check name "x"`), also after `no-`.',
  '- Findings are Diagnostics with rule `dtc/<name>`, path, property and the span of the property',
  '  (or node) definition; `formatDtcDiagnostic` prints them exactly as dtc does.',
  '- Where dtc 1.7.2 aborts on an assertion (a two-cell `interrupt-parent`, say), the checks stop with',
  '  an error naming the property (`crashed`) instead of crashing.',
  '- On an overlay checked without its base, `standaloneOverlay` drops the findings that depend on the',
  '  base tree (pages marked "depends on the base tree") for nodes inside fragments; compiling keeps',
  '  dtc\'s output unchanged.',
  '',
];

/** Findings per check over every fixture, as dtc would print them (fixture-relative paths). */
function examplesByCheck(): Map<string, { fixture: string; flags: string[]; lines: string[] }[]> {
  const byCheck = new Map<string, { fixture: string; flags: string[]; lines: string[] }[]>();
  for (const file of fs.readdirSync(fixturesDir).sort()) {
    if (!/\.dtso?$/.test(file)) continue;
    const text = fs.readFileSync(path.join(fixturesDir, file), 'latin1');
    const first = text.split('\n', 1)[0]!;
    const flags = first.startsWith('// dtc-flags:') ? first.slice(13).trim().split(/\s+/) : [];
    const parsed = parseDts(text, file, { host: new FileSourceHost({ cwd: fixturesDir }) });
    if (!parsed.source) continue;
    const built = buildTree(parsed.source);
    const levels: CheckLevels = {};
    for (const f of flags) parseCheckFlag(f.slice(2), f[1] === 'E', levels);
    const result = runChecks(built.tree, { levels });
    const perCheck = new Map<string, string[]>();
    for (const d of result.diagnostics) {
      if (d.path === undefined) continue; // "Failed prerequisite" notes are not examples
      const name = d.rule.slice(4);
      const list = perCheck.get(name) ?? [];
      list.push(formatDtcDiagnostic(d).trimEnd());
      perCheck.set(name, list);
    }
    for (const [name, lines] of perCheck) {
      const list = byCheck.get(name) ?? [];
      list.push({ fixture: file, flags, lines });
      byCheck.set(name, list);
    }
  }
  return byCheck;
}

const link = (name: string) => `[\`${name}\`](${name}.md)`;

function levelText(def: CheckDefinition): string {
  switch (def.meta.level) {
    case 'error':
      return '**error** (an error stops the compile unless `-f`)';
    case 'warning':
      return '**warning**';
    default:
      return `**off** (enable with \`-W${def.meta.name}\`)`;
  }
}

function page(def: CheckDefinition, dependents: string[], examples: { fixture: string; flags: string[]; lines: string[] }[]): string {
  const { meta } = def;
  const out: string[] = [];
  out.push(`# \`${meta.name}\``, '');
  out.push('<!-- generated by scripts/gen-rule-docs.ts from src/dtc-checks/; do not edit -->', '');
  out.push(meta.description, '');
  out.push('| | |', '| --- | --- |');
  out.push(`| Rule id | \`dtc/${meta.name}\` |`);
  out.push(`| Default level | ${levelText(def)} |`);
  out.push(`| Prerequisites | ${meta.prereqs.length ? meta.prereqs.map(link).join(', ') : 'none'} |`);
  out.push(`| Prerequisite of | ${dependents.length ? dependents.map(link).join(', ') : 'none'} |`);
  out.push(`| Family | ${FAMILY_TITLES[meta.family] ?? meta.family} |`);
  out.push(`| Changes the tree | ${meta.fixup ? 'yes (part of compiling: see below)' : 'no'} |`);
  out.push(
    `| On a standalone overlay | ${meta.needsBase ? 'depends on the base tree: findings inside fragments are dropped by `check` without a base' : 'judged as is'} |`,
  );
  out.push('');
  out.push('## Why', '', meta.rationale, '');
  if (meta.fixup) {
    out.push(
      '## Part of compiling',
      '',
      'dtc resolves references and assigns phandles inside its check phase, so this check runs on every',
      'compile. Turning it off (`-Wno-…`/`-Eno-…`) changes the output, exactly as it does with dtc.',
      '',
    );
  }
  out.push('## Options', '');
  out.push(`- \`-W${meta.name}\` / \`-Wno-${meta.name}\`: raise to / lower from warning.`);
  out.push(`- \`-E${meta.name}\` / \`-Eno-${meta.name}\`: raise to / lower from error.`);
  out.push(
    '- Raising a check also raises its prerequisites; lowering it also lowers every check that',
    '  depends on it. A prerequisite that does not pass stops this check ("Failed prerequisite").',
    '',
  );
  out.push('## Examples', '');
  if (meta.silent) {
    out.push('This check never reports anything itself; see the checks that depend on it.', '');
  } else if (examples.length === 0) {
    out.push('No fixture triggers this check.', '');
  } else {
    for (const ex of examples.slice(0, 2)) {
      const flags = ex.flags.length ? ` with \`${ex.flags.join(' ')}\`` : '';
      out.push(`[\`fixtures/checks/${ex.fixture}\`](../../fixtures/checks/${ex.fixture})${flags}:`, '');
      out.push('```', ...ex.lines.slice(0, MAX_EXAMPLES), '```', '');
    }
  }
  return out.join('\n');
}

function index(): string {
  const out: string[] = [];
  out.push('# dtc checks', '');
  out.push('<!-- generated by scripts/gen-rule-docs.ts from src/dtc-checks/; do not edit -->', '');
  out.push(
    `All ${checkTable.length} checks of dtc 1.7.2's \`checks.c\`, under dtc's names, levels and prerequisites,`,
    "in the order dtc runs them (which is also the order of findings and of phandle allocation).",
    'Findings carry the rule id `dtc/<name>`.',
    '',
    'The other rule families have their own index: [pas/](pas/README.md) (the PAS/SMMU model) and',
    '[overlay/](overlay/README.md) (applying overlays and checking them alone).',
    '',
  );
  for (const [family, title] of Object.entries(FAMILY_TITLES)) {
    const defs = checkTable.filter((d) => d.meta.family === family);
    if (!defs.length) continue;
    out.push(`## ${title}`, '', '| check | default | what it checks |', '| --- | --- | --- |');
    for (const d of defs) out.push(`| ${link(d.meta.name)} | ${d.meta.level} | ${d.meta.description.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  out.push(...USAGE);
  return out.join('\n');
}

/** Every page, by file name. */
export function renderRuleDocs(): Map<string, string> {
  const examples = examplesByCheck();
  const pages = new Map<string, string>();
  for (const def of checkTable) {
    const dependents = checkTable.filter((d) => d.meta.prereqs.includes(def.meta.name)).map((d) => d.meta.name);
    const own = (examples.get(def.meta.name) ?? []).sort(
      (a, b) => Number(b.fixture.startsWith(def.meta.name)) - Number(a.fixture.startsWith(def.meta.name)),
    );
    pages.set(`${def.meta.name}.md`, page(def, dependents, own));
  }
  pages.set('README.md', index());
  return pages;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(rulesDir, { recursive: true });
  const pages = renderRuleDocs();
  for (const [file, text] of pages) fs.writeFileSync(path.join(rulesDir, file), text);
  console.log(`wrote ${pages.size} pages to ${path.relative(repoRoot, rulesDir)}/`);
}
