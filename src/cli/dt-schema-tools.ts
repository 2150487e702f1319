/**
 * `dtoverlay-check dt-mk-schema …` and `dtoverlay-check dt-validate …`: drop-ins for dt-schema
 * v2025.06.1's programs, with their own command lines (argparse: `@file` arguments, one argument
 * a line), so that kbuild runs them unchanged:
 *
 *   make dtbs_check DT_CHECKER='dtoverlay-check dt-validate' DT_MK_SCHEMA='dtoverlay-check dt-mk-schema'
 *
 * dt-mk-schema writes the processed schema in dt-mk-schema's shape (processed-json.ts);
 * dt-validate reads it (ours or the real one) and prints to stderr exactly what dt-validate
 * prints, exiting 0 whatever it found.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDtb } from '../dtb/read.js';
import { formatDtValidateMessages } from '../schema/dt-validate-format.js';
import { persistSchemaSet, schemaSetFrom, schemaSetFromProcessedFile, validate } from '../schema/index.js';
import { chooseCoreSchemas, jsYaml } from '../schema/load.js';
import { DTSCHEMA_VERSION, formatProcessedSchema, makeProcessedSchema, processedSchemaJson } from '../schema/processed-json.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { capBaseline, expectLongRun, ONE_SHOT_DTBS } from '../tiering.js';

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** argparse's fromfile_prefix_chars='@': each line of the file is one argument (files may nest). */
export function expandArgFiles(args: string[], depth = 0): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (!arg.startsWith('@') || depth > 20) {
      out.push(arg);
      continue;
    }
    const text = fs.readFileSync(arg.slice(1), 'utf8');
    out.push(...expandArgFiles(text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1), depth + 1));
  }
  return out;
}

interface OptionSpec {
  /** Short and long spellings. */
  names: string[];
  key: string;
  takesValue: boolean;
}

class UsageError extends Error {}

/** A small argparse: short and long options, `--opt=value`, `-ovalue`, bundled flags, `--` ends options. */
function parseArgs(args: string[], specs: OptionSpec[]): { options: Record<string, string | true>; positional: string[] } {
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unrecognized arguments: ${arg}`);
      if (spec.takesValue) {
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined) throw new UsageError(`argument ${name}: expected one argument`);
        options[spec.key] = value;
      } else options[spec.key] = true;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const spec = byName.get(`-${arg[j]}`);
        if (!spec) throw new UsageError(`unrecognized arguments: ${arg}`);
        if (spec.takesValue) {
          const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
          if (value === undefined) throw new UsageError(`argument -${arg[j]}: expected one argument`);
          options[spec.key] = value;
          break;
        }
        options[spec.key] = true;
      }
      continue;
    }
    positional.push(arg);
  }
  return { options, positional };
}

function usage(program: string, message: string): number {
  process.stderr.write(`dtoverlay-check ${program}: ${message}\n`);
  return EXIT_USAGE;
}

const MK_SCHEMA_HELP = `usage: dtoverlay-check dt-mk-schema [-h] [-o OUTFILE] [-j] [-u] [-V] [--core-schemas DIR] [schemas ...]

dt-schema's dt-mk-schema (v2025.06.1): process binding files and folders into one schema file.
Arguments can also be passed in a file prefixed with a "@" character.

  schemas               binding folders, or YAML binding files
  -o, --outfile FILE    write the processed schema there (default: stdout)
  -j, --json            JSON (as the kernel asks); default: YAML
  -u, --useronly        only the given schemas, without dt-schema's core schemas
  --core-schemas DIR    dt-schema's core schemas (default: the ones validate uses)
  -V, --version         print dt-schema's version
`;

export async function runDtMkSchema(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(expandArgFiles(argv), [
      { names: ['-o', '--outfile'], key: 'outfile', takesValue: true },
      { names: ['-j', '--json'], key: 'json', takesValue: false },
      { names: ['-u', '--useronly'], key: 'useronly', takesValue: false },
      { names: ['-V', '--version'], key: 'version', takesValue: false },
      { names: ['-h', '--help'], key: 'help', takesValue: false },
      { names: ['--core-schemas'], key: 'coreSchemas', takesValue: true },
    ]);
  } catch (err) {
    return usage('dt-mk-schema', (err as Error).message);
  }
  const { options, positional } = parsed;
  if (options.help) {
    process.stdout.write(MK_SCHEMA_HELP);
    return EXIT_OK;
  }
  if (options.version) {
    process.stdout.write(`${DTSCHEMA_VERSION}\n`);
    return EXIT_OK;
  }
  const coreSchemas = typeof options.coreSchemas === 'string' ? options.coreSchemas : undefined;
  if (coreSchemas !== undefined && !fs.existsSync(coreSchemas)) return usage('dt-mk-schema', `--core-schemas: no such folder: ${coreSchemas}`);
  const set = makeProcessedSchema(positional, options.useronly ? null : chooseCoreSchemas(coreSchemas).dir);
  for (const d of set.diagnostics) process.stderr.write(`${d.span?.file ?? ''}: ${d.message}\n`);
  if (set.schemas.length <= 1) {
    process.stderr.write('dtoverlay-check dt-mk-schema: no schema found\n');
    return 255;
  }
  const json = processedSchemaJson(set);
  const text = options.json ? formatProcessedSchema(json) : jsYaml().dump(json, { lineWidth: -1 });
  if (typeof options.outfile === 'string') {
    // all or nothing, like our other outputs (kbuild must not take a cut-short schema for a made one)
    const { writeOutput } = await import('./output.js');
    await writeOutput(options.outfile, Buffer.from(text));
  } else process.stdout.write(text);
  return EXIT_OK;
}

const VALIDATE_HELP = `usage: dtoverlay-check dt-validate [-h] [-s SCHEMA] [-p PREPARSE] [-l LIMIT] [-c] [-m] [-n] [-v] [-u URL_PATH] [-V] [dtbs ...]

dt-schema's dt-validate (v2025.06.1): validate DTBs against a processed schema; messages on stderr,
exit status 0. Arguments can also be passed in a file prefixed with a "@" character.

  dtbs                  DTB files, or folders searched for *.dtb
  -s, --schema SCHEMA   processed schema (dt-mk-schema output) or a folder of bindings
  -p, --preparse FILE   processed schema (deprecated, use -s)
  -l, --limit LIMIT     only schemas whose $id contains LIMIT (several: a:b:c)
  -c, --compatible-match  only the schema of each node's most specific compatible
  -m, --show-unmatched  print compatibles that no schema documents
  -n, --line-number     obsolete, ignored
  -v, --verbose         print "Check:  FILE" for each DTB
  -u, --url-path PATH   ignored but for -l (deprecated)
  --core-schemas DIR    with a folder of bindings for -s: dt-schema's core schemas
  -V, --version         print dt-schema's version
`;

export async function runDtValidate(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(expandArgFiles(argv), [
      { names: ['-s', '--schema'], key: 'schema', takesValue: true },
      { names: ['-p', '--preparse'], key: 'preparse', takesValue: true },
      { names: ['-l', '--limit'], key: 'limit', takesValue: true },
      { names: ['-c', '--compatible-match'], key: 'compatibleMatch', takesValue: false },
      { names: ['-m', '--show-unmatched'], key: 'unmatched', takesValue: false },
      { names: ['-n', '--line-number'], key: 'lineNumber', takesValue: false },
      { names: ['-v', '--verbose'], key: 'verbose', takesValue: false },
      { names: ['-u', '--url-path'], key: 'urlPath', takesValue: true },
      { names: ['-V', '--version'], key: 'version', takesValue: false },
      { names: ['-h', '--help'], key: 'help', takesValue: false },
      { names: ['--core-schemas'], key: 'coreSchemas', takesValue: true },
    ]);
  } catch (err) {
    return usage('dt-validate', (err as Error).message);
  }
  const { options, positional } = parsed;
  // one DTB is a short run (kbuild's way); several, or a folder of them, a long one
  if (positional.length > 1 || positional.some(isFolder)) expectLongRun();
  if (options.help) {
    process.stdout.write(VALIDATE_HELP);
    return EXIT_OK;
  }
  if (options.version) {
    process.stdout.write(`${DTSCHEMA_VERSION}\n`);
    return EXIT_OK;
  }
  const schemaArg = (typeof options.preparse === 'string' ? options.preparse : undefined) ?? (typeof options.schema === 'string' ? options.schema : undefined);
  let limit = typeof options.limit === 'string' ? options.limit.split(':') : undefined;
  // As dt-validate: with -u, a limit given as a file path loses the search path's folders.
  if (limit && typeof options.urlPath === 'string') {
    const dirs = options.urlPath.split(path.sep).filter((d) => d);
    limit = limit.map((l) => dirs.reduce((m, d) => (m.startsWith(d) ? m.slice(d.length + 1) : m), l));
  }

  if (schemaArg !== undefined && !fs.existsSync(schemaArg)) return usage('dt-validate', `no such schema file or folder: ${schemaArg}`);
  const dtbs: string[] = [];
  for (const d of positional) {
    if (fs.statSync(d, { throwIfNoEntry: false })?.isDirectory()) dtbs.push(...findDtbs(d));
  }
  for (const f of positional) if (fs.statSync(f, { throwIfNoEntry: false })?.isFile()) dtbs.push(f);
  // kbuild runs one DTB per process: there V8's optimizing compiler costs more than it gains
  if (dtbs.length <= ONE_SHOT_DTBS) capBaseline();

  const coreSchemas = typeof options.coreSchemas === 'string' ? options.coreSchemas : undefined;
  let set;
  if (schemaArg !== undefined && fs.statSync(schemaArg).isFile()) {
    try {
      set = schemaSetFromProcessedFile(schemaArg);
    } catch (err) {
      return usage('dt-validate', `${schemaArg}: ${(err as Error).message}`);
    }
  } else {
    set = schemaSetFrom(makeProcessedSchema(schemaArg !== undefined ? [schemaArg] : [], chooseCoreSchemas(coreSchemas).dir));
  }

  let status = EXIT_OK;
  for (const file of dtbs) {
    if (options.verbose) process.stdout.write(`Check:  ${file}\n`);
    let tree;
    try {
      tree = readDtb(fs.readFileSync(file));
    } catch (err) {
      process.stderr.write(`dtoverlay-check dt-validate: ${file}: not a valid DTB: ${(err as Error).message}\n`);
      status = EXIT_USAGE;
      continue;
    }
    const result = validate(tree, set, { unmatched: !!options.unmatched, ...(limit ? { limit } : {}), compatibleMatch: !!options.compatibleMatch });
    process.stderr.write(formatDtValidateMessages(result.messages, { file: path.resolve(file), unmatchedFile: file }).join(''));
  }
  persistSchemaSet(set);
  return status;
}

/** dt-validate's `glob(d + "/**" + "/*.dtb", recursive=True)`, sorted. */
function findDtbs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.dtb')) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}
