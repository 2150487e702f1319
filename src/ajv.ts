/**
 * ajv's constructor, however the module was loaded. ajv is CommonJS: under Node's ESM loader (or
 * a bundle's lazy chunk) `import('ajv')` gives the module object as `default`, with the class as
 * its own `default` and `Ajv` properties; under TypeScript's NodeNext types, a named `Ajv` import.
 * Reaching for one of them only breaks in one of the loaders (`Ajv is not a constructor`).
 */
import type AjvClass from 'ajv';

export type AjvConstructor = typeof AjvClass.default;

export async function loadAjv(): Promise<AjvConstructor> {
  const loaded = (await import('ajv')) as unknown as { default?: unknown; Ajv?: unknown };
  const candidates = [loaded.Ajv, (loaded.default as { default?: unknown } | undefined)?.default, (loaded.default as { Ajv?: unknown } | undefined)?.Ajv, loaded.default];
  const found = candidates.find((c) => typeof c === 'function');
  if (!found) throw new Error('ajv: no constructor in the module');
  return found as AjvConstructor;
}
