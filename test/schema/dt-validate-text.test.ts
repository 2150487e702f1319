/**
 * dt-validate's exact text on the 393 qcom DTBs of ../shared/reference/dtschema: through our
 * dt-mk-schema's processed schema (written and read back as JSON) and our dt-validate
 * formatting, each DTB's stderr equals the reference as a multiset of messages (a message is a
 * line and its tab-indented continuation lines). In-process, one schema set for all DTBs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { persistSchemaSet, validate, loadSchemaSet, type SchemaSet } from '../../src/schema/index.js';
import { formatDtValidateMessages } from '../../src/schema/dt-validate-format.js';
import { hasShared } from '../support/shared.js';
import { bindingsDir, buildReferenceDtb, dtschemaDir, hasCpp, readSummary, referenceDir, type ReferenceEntry } from './support/reference-dtbs.js';

const reason = !hasShared ? '../shared is absent' : !fs.existsSync(referenceDir) ? `${referenceDir} is absent` : !hasCpp() ? 'GNU cpp is not installed' : undefined;

/** Messages of a dt-validate stderr: each line with its tab-indented continuation lines. */
export function splitMessages(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('\t') && out.length) out[out.length - 1] += `\n${line}`;
    else out.push(line);
  }
  return out.sort();
}

function ours(set: SchemaSet, entry: ReferenceEntry): string {
  const tree = readDtb(fs.readFileSync(buildReferenceDtb(entry)));
  const result = validate(tree, set, { unmatched: true });
  return formatDtValidateMessages(result.messages, { file: entry.dtb, unmatchedFile: entry.dtb }).join('');
}

describe.skipIf(reason !== undefined)("dt-validate's text on the qcom reference DTBs", () => {
  let set: SchemaSet | undefined;
  const schemaSet = (): SchemaSet => (set ??= loadSchemaSet({ bindings: [bindingsDir], coreSchemas: dtschemaDir }));
  afterAll(() => {
    if (set) persistSchemaSet(set);
  });
  const only = process.env.DTOVERLAY_CHECK_TEXT;

  it('every DTB prints what dt-validate printed', async () => {
    const entries = readSummary().filter((e) => !only || e.dtb.includes(only));
    const differing: { dtb: string; extra: string[]; missing: string[] }[] = [];
    for (const e of entries) {
      await new Promise((resolve) => setImmediate(resolve));
      const mine = splitMessages(ours(schemaSet(), e));
      const theirs = splitMessages(fs.readFileSync(path.join(referenceDir, 'qcom', e.dtb.replace(/\.dtb$/, '.txt')), 'utf8'));
      const rest = [...theirs];
      const extra: string[] = [];
      for (const m of mine) {
        const i = rest.indexOf(m);
        if (i < 0) extra.push(m);
        else rest.splice(i, 1);
      }
      if (extra.length || rest.length) differing.push({ dtb: e.dtb, extra, missing: rest });
    }
    console.log(`dt-validate text: ${entries.length - differing.length}/${entries.length} DTBs identical`);
    if (differing.length) console.log(JSON.stringify(differing.slice(0, 20), null, 1));
    expect(differing).toEqual([]);
  }, 1_800_000);
});
