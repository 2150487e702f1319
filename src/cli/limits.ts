/** `--limit NAME=VALUE` for the commander-parsed commands (compile parses its own, src/compile/options.ts). */
import { InvalidArgumentError } from 'commander';
import { parseLimit, type Limits } from '../limits.js';

export const LIMIT_FLAGS = '--limit <name=value>';
export const LIMIT_HELP = 'change a resource limit, e.g. node-depth=8192 or input-bytes=1G (repeatable; docs/security.md)';

export function collectLimit(value: string, previous: Partial<Limits>): Partial<Limits> {
  try {
    return parseLimit(value, { ...previous });
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
