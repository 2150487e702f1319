/**
 * dt-schema's programs, with their own (argparse) command lines, for kbuild's DT_MK_SCHEMA and
 * DT_CHECKER: kbuild starts `dt-validate` once per DTB, so they are dispatched before the command
 * table (commander and every command's options) is loaded.
 */
import { reportFailure } from './failure.js';

export async function runDtSchemaTool(argv: string[]): Promise<number> {
  const tools = await import('./dt-schema-tools.js');
  try {
    return await (argv[0] === 'dt-mk-schema' ? tools.runDtMkSchema(argv.slice(1)) : tools.runDtValidate(argv.slice(1)));
  } catch (err) {
    return reportFailure(err);
  }
}

export function isDtSchemaTool(command: string | undefined): boolean {
  return command === 'dt-mk-schema' || command === 'dt-validate';
}
