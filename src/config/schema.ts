/** JSON Schema of `.dtoverlay-check.yaml` (draft-07, checked with ajv; docs/cli.md describes it). */
export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: '.dtoverlay-check.yaml',
  type: 'object',
  additionalProperties: false,
  properties: {
    include: { type: 'array', items: { type: 'string', minLength: 1 } },
    bindings: { type: 'array', items: { type: 'string', minLength: 1 } },
    coreSchemas: { type: 'string', minLength: 1 },
    defines: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(=.*)?$' } },
    cpp: { type: 'boolean' },
    soc: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    el: { enum: [1, 2] },
    rules: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9_-]+/([A-Za-z0-9_,.-]+|\\*)$' },
      additionalProperties: { enum: ['off', 'info', 'warning', 'error'] },
    },
    baseline: { type: 'string', minLength: 1 },
  },
} as const;
