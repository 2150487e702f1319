/** ajv validator for docs/output.schema.json (JSON Schema 2020-12), shared by the report tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { repoRoot } from '../support/shared.js';

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs/output.schema.json'), 'utf8'));
export const validateOutput = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** '' when valid, else ajv's errors as text (for expect(...).toBe('')). */
export function outputSchemaErrors(data: unknown): string {
  return validateOutput(data) ? '' : JSON.stringify(validateOutput.errors, null, 1);
}
