/**
 * The compile pipeline, in dtc's order (dtc.c main): read (DTS: parse → build tree; DTB: read
 * blob) → `-b` → checks (which resolve references and assign phandles) → `-A` aliases → `-@`
 * symbols → fixups for plugins (or `-L`) → `-s` sort → output. Nothing is written here; the CLI
 * writes the bytes (to a temporary file renamed into place) only when the compile succeeded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { DiagnosticError, formatSpan } from '../diagnostics.js';
import { dtcPosition, formatDtcInputError } from '../dtc-checks/format.js';
import { SCANNER_FAILED } from '../dts/lexer.js';
import { parseDts } from '../dts/parser.js';
import type { DtsSource } from '../dts/ast.js';
import type { PositionMap } from '../dts/position-map.js';
import { FileSourceHost } from '../dts/source.js';
import { writeDtb } from '../dtb/write.js';
import { buildTree } from '../tree/build.js';
import { generateFixupsTree, generateLabelTree, generateLocalFixupsTree } from '../tree/generate.js';
import type { Tree } from '../tree/model.js';
import { counterAfterChecks, nodesWithPhandleProperty, PhandleAllocator } from '../tree/phandles.js';
import { sortTree } from '../tree/sort.js';
import { sandboxFor, type Sandbox } from '../sandbox.js';
import { FileTooLargeError, readRegularFile, refuseNonRegularInput } from '../input-file.js';
import { limitError, limitsWith, type Limits } from '../limits.js';
import type { Node } from '../tree/model.js';
import { excerpt } from './excerpt.js';
import type { CompileOptions } from './options.js';
import type { PreprocessCache, PreprocessResult } from '../preprocess/index.js';
import { expectLongRun, LONG_RUN_TEXT } from '../tiering.js';

/** dtc's exit statuses: 1 for input errors (`die`, parse errors), 2 when checks found errors. */
export const EXIT_INPUT_ERROR = 1;
export const EXIT_CHECK_ERRORS = 2;

/** What a batch of compiles shares: file contents read once, the preprocessor's cache. */
export interface CompileSession {
  files: Map<string, Buffer | null>;
  preprocessCache?: unknown;
  /**
   * Unsaved editor buffers (the language server's workspace): a file's text when a buffer holds
   * it, read instead of the disk by the preprocessor and by `/include/`. The owner of the session
   * drops what a changed buffer invalidates (src/workspace/workspace.ts).
   */
  unsaved?: (file: string) => string | undefined;
}

export function newSession(): CompileSession {
  return { files: new Map() };
}

export interface CompileResult {
  /** 0 on success, else dtc's status. */
  exitCode: number;
  tree?: Tree;
  /** The output (DTB bytes, DTS or JSON text as UTF-8) when the compile succeeded (not with `treeOnly`). */
  output?: Uint8Array;
  diagnostics: Diagnostic[];
  /** The messages of `stderr`, one per entry, without their final newline. */
  messages: string[];
  /**
   * stderr exactly as dtc would write it: in dtc's order and, for warnings and check findings,
   * dtc's own text — even where dtc omits a newline or adds a blank line.
   */
  stderr: string;
  /** Files read (includes, incbins, headers). */
  dependencies: string[];
  /** Findings beyond dtc's, never printed by `compile` (BuildResult.pitfalls): `check` reports them. */
  pitfalls?: Diagnostic[];
  /** The parsed source (DTS input that parsed): what was written, with spans (the language server's outline). */
  source?: DtsSource;
}

export interface CompileSource {
  /** Name used in positions and to find relative includes. */
  file: string;
  /** Source text instead of reading `file` (a byte string, or any string when `map` is given). */
  text?: string;
  map?: PositionMap;
}

function errorLine(d: Diagnostic, readText?: (file: string) => string | undefined): string {
  const head = d.span ? `${formatSpan(d.span)}: ${d.severity}: ${d.message}` : `${d.severity}: ${d.message}`;
  const lines = d.span && readText ? excerpt(d.span, readText) : [];
  return [head, ...lines].join('\n');
}

/**
 * An input error in the style the options ask for (`--diagnostics`): dtc's own line by default
 * in `compile`, the drop-in for dtc; gcc's line with a source excerpt for every other caller.
 */
function inputError(d: Diagnostic, options: CompileOptions, how: { fatal: boolean; readText?: (file: string) => string | undefined; dtcMessage?: string }): string {
  if (options.diagnostics === 'dtc') return formatDtcInputError(d, how.fatal, how.dtcMessage);
  return `${errorLine(d, how.readText)}\n`;
}

/** dtc's last words after errors found while parsing (treesource.c dt_from_source). */
function parseFailedLine(syntaxError: boolean): string {
  return syntaxError ? 'FATAL ERROR: Unable to parse input tree\n' : 'FATAL ERROR: Syntax error parsing input tree\n';
}

/**
 * The preprocessor gives Unicode text (files decoded as UTF-8) and a map over its char offsets;
 * the scanner wants bytes (dtc reads bytes: a UTF-8 string literal must stay UTF-8 in the blob).
 * Re-encode when there is anything beyond ASCII, translating the map's offsets.
 */
function unicodeToBytes(text: string, map: PositionMap | undefined): { text: string; map: PositionMap | undefined } {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return { text, map };
  const bytes = Buffer.from(text, 'utf8');
  if (!map) return { text: bytes.toString('latin1'), map };
  const charOf = new Uint32Array(bytes.length + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) charOf[b + k] = i;
    b += n;
    if (c >= 0x10000) i++; // surrogate pair
  }
  charOf[b] = text.length;
  const inner = map;
  return { text: bytes.toString('latin1'), map: { lookup: (offset) => inner.lookup(charOf[Math.min(offset, b)]!) } };
}

async function loadDts(
  source: CompileSource,
  options: CompileOptions,
  session: CompileSession,
  result: CompileResult,
): Promise<Tree | undefined> {
  const limits = limitsWith(options.limits);
  const host = new FileSourceHost({
    searchPaths: options.includeDirs,
    cache: session.files,
    unsaved: session.unsaved,
    sandbox: sandboxOf(source, options),
    maxBytes: { sourceBytes: limits['input-bytes'], binaryBytes: limits['incbin-bytes'] },
  });
  let text = source.text;
  let map = source.map;
  if (text === undefined && options.cpp) {
    let pre: PreprocessResult;
    try {
      pre = await preprocessFile(source.file, options, session);
    } catch (err) {
      // the preprocessor's errors print as cpp prints them, gcc-style, whatever --diagnostics says
      if (!(err instanceof DiagnosticError)) throw err;
      result.diagnostics.push(err.diagnostic);
      result.messages.push(`${errorLine(err.diagnostic)}\n`);
      result.exitCode = EXIT_INPUT_ERROR;
      return undefined;
    }
    ({ text, map } = unicodeToBytes(pre.text, pre.map));
    for (const dependency of pre.dependencies) result.dependencies.push(dependency);
    for (const d of pre.diagnostics) {
      result.diagnostics.push(d);
      result.messages.push(`${errorLine(d)}\n`);
    }
  }
  if (text === undefined) {
    const bytes = host.read(source.file);
    if (!bytes && host.isDirectory(source.file)) {
      // fopen() opens a folder; flex then fails to read it (status 2)
      result.messages.push(`${SCANNER_FAILED}\n`);
      result.exitCode = EXIT_CHECK_ERRORS;
      return undefined;
    }
    if (!bytes) {
      result.messages.push(`FATAL ERROR: Couldn't open "${source.file}": No such file or directory\n`);
      result.exitCode = EXIT_INPUT_ERROR;
      return undefined;
    }
    text = bytes.toString('latin1');
  }

  if (!options.cpp) result.dependencies.push(source.file);
  if (text.length >= LONG_RUN_TEXT) expectLongRun();
  const topText = map ? undefined : text;
  const readText = (file: string): string | undefined =>
    file === source.file && topText !== undefined ? topText : host.read(file)?.toString('latin1');
  const parsed = parseDts(text, source.file, { host, map, maxIncbinBytes: limits['incbin-bytes'], maxTotalIncbinBytes: limits['input-bytes'] });
  for (const dependency of parsed.dependencies) result.dependencies.push(dependency);
  let failed = false;
  // a thrown error (dtc's die) is the last diagnostic the parser gives, and the run ends with it
  const fatal = parsed.fatal;
  for (const d of parsed.diagnostics) {
    result.diagnostics.push(d);
    if (d.severity === 'error') {
      failed = true;
      result.messages.push(inputError(d, options, { fatal: d === fatal, readText }));
    } else if (d.span) {
      result.messages.push(`WARNING: ${dtcPosition(d.span)}: ${d.message}\n`);
    }
  }
  if (!parsed.source || failed) {
    // flex's own fatal error exits with 2, every other input error with 1
    result.exitCode = parsed.diagnostics.some((d) => d.rule === 'parse/scanner') ? EXIT_CHECK_ERRORS : EXIT_INPUT_ERROR;
    if (options.diagnostics === 'dtc' && !fatal) result.messages.push(parseFailedLine(!parsed.source));
    return undefined;
  }
  result.source = parsed.source;
  const built = buildTree(parsed.source);
  if (built.pitfalls.length) result.pitfalls = built.pitfalls;
  for (const d of built.diagnostics) {
    result.diagnostics.push(d);
    result.messages.push(inputError(d, options, { fatal: false, readText }));
  }
  if (built.diagnostics.some((d) => d.severity === 'error')) {
    result.exitCode = EXIT_INPUT_ERROR;
    if (options.diagnostics === 'dtc') result.messages.push(parseFailedLine(false));
    return undefined;
  }
  return built.tree;
}

async function preprocessFile(file: string, options: CompileOptions, session: CompileSession): Promise<PreprocessResult> {
  const { preprocess, PreprocessCache } = await import('../preprocess/index.js');
  if (!(session.preprocessCache instanceof PreprocessCache)) session.preprocessCache = new PreprocessCache();
  // the kernel's command line: cpp -nostdinc -I… -undef -D__DTS__ -x assembler-with-cpp
  const defines: Record<string, string | null> = { __DTS__: '1' };
  for (const d of options.defines) {
    const eq = d.indexOf('=');
    if (eq < 0) defines[d] = '1';
    else defines[d.slice(0, eq)] = d.slice(eq + 1);
  }
  const limits = limitsWith(options.limits);
  // each header's size is checked before it is read: one huge header must not exhaust memory
  const maxBytes = limits['input-bytes'];
  let oversize: { file: string; size: number } | undefined;
  const readFile = (p: string): string => {
    const buffer = session.unsaved?.(p);
    if (buffer !== undefined) return buffer;
    try {
      return readRegularFile(p, maxBytes).toString('utf8');
    } catch (err) {
      if (err instanceof FileTooLargeError) oversize ??= { file: p, size: err.size }; // the cache records it as unreadable; reported below
      throw err;
    }
  };
  const run = () => preprocess(file, {
    includeDirs: options.includeDirs,
    defines,
    cache: session.preprocessCache as PreprocessCache,
    readFile,
    sandbox: sandboxOf({ file }, options),
    maxIncludeDepth: limits['include-depth'],
    maxExpandedTokens: limits['macro-tokens'],
    maxMacroDepth: limits['macro-depth'],
  });
  const tooLarge = () => {
    const big = oversize as { file: string; size: number } | undefined;
    return big && limitError('input-bytes', `${big.file} is ${big.size} bytes, which`, maxBytes, { file: big.file, line: 1, column: 1 });
  };
  try {
    const result = run();
    const err = tooLarge();
    if (err) throw err;
    return result;
  } catch (err) {
    throw tooLarge() ?? err;
  }
}

/** The include sandbox: the input's folder (the working folder for stdin), `-i` folders, extra roots. */
function sandboxOf(source: CompileSource, options: CompileOptions): Sandbox | undefined {
  if (options.allowOutsideIncludes) return undefined;
  const input = source.file === '-' || source.file === '' ? path.join(process.cwd(), '-') : source.file;
  return sandboxFor([input], options.includeDirs, options.sandboxRoots);
}

function looksLikeBlob(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0x0d && bytes[2] === 0xfe && bytes[3] === 0xed;
}

/** dtc's guess_input_format: a blob by its magic, else by the name, else dts. */
function guessInputFormat(file: string, session: CompileSession): 'dts' | 'dtb' | 'fs' {
  try {
    if (fs.statSync(file).isDirectory()) return 'fs';
  } catch {
    // not there: reading it reports that
  }
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4);
    const n = fs.readSync(fd, head, 0, 4, 0);
    fs.closeSync(fd);
    if (n === 4 && looksLikeBlob(head)) return 'dtb';
  } catch {
    // fall back to the name
  }
  void session;
  const lower = file.toLowerCase();
  if (lower.endsWith('.dtb') || lower.endsWith('.dtbo')) return 'dtb';
  return 'dts';
}

/** dtc's guess_type_by_name for the output. */
export function guessOutputFormat(outFile: string, inputFormat: 'dts' | 'dtb' | 'fs'): 'dtb' | 'dts' | 'json' {
  const lower = outFile.toLowerCase();
  const dot = lower.lastIndexOf('.');
  const ext = dot < 0 ? '' : lower.slice(dot);
  if (ext === '.dts') return 'dts';
  if (ext === '.dtb' || ext === '.dtbo') return 'dtb';
  if (ext === '.json') return 'json';
  return inputFormat === 'dts' ? 'dtb' : 'dts';
}

export async function compile(
  source: CompileSource,
  options: CompileOptions,
  session: CompileSession = newSession(),
): Promise<CompileResult> {
  const result: CompileResult = { exitCode: 0, diagnostics: [], messages: [], stderr: '', dependencies: [] };
  try {
    await compileInto(source, options, session, result);
  } catch (err) {
    if (!(err instanceof DiagnosticError)) throw err;
    result.diagnostics.push(err.diagnostic);
    result.messages.push(inputError(err.diagnostic, options, { fatal: true, dtcMessage: (err as { dtcMessage?: string }).dtcMessage }));
    result.exitCode = EXIT_INPUT_ERROR;
    result.output = undefined;
  }
  // messages were collected as exact stderr chunks
  result.stderr = result.messages.join('');
  result.messages = result.messages.map((m) => (m.endsWith('\n') ? m.slice(0, -1) : m));
  return result;
}

async function compileInto(source: CompileSource, options: CompileOptions, session: CompileSession, result: CompileResult): Promise<void> {
  // Before anything opens it: a FIFO would block the format sniffing's open, /dev/zero never ends.
  if (source.text === undefined) refuseNonRegularInput(source.file, true);
  const inputFormat = options.inputFormat ?? (source.text !== undefined ? 'dts' : guessInputFormat(source.file, session));
  const outputFormat = options.outputFormat ?? guessOutputFormat(options.outFile, inputFormat);

  const limits = limitsWith(options.limits);
  if (source.text === undefined && inputFormat !== 'fs') checkInputSize(source.file, inputFormat === 'dtb' ? 'dtb-bytes' : 'input-bytes', limits);
  let tree: Tree | undefined;
  if (inputFormat === 'dts') tree = await loadDts(source, options, session, result);
  else if (inputFormat === 'fs') {
    const { readFsTree } = await import('../tree/fstree.js');
    const read = readFsTree(source.file, limits);
    for (const w of read.warnings) result.messages.push(`${w}\n`);
    tree = read.tree;
  } else {
    const { readDtb } = await import('../dtb/read.js');
    let bytes: Uint8Array;
    try {
      // standard input was read by the CLI already, as text of latin1 bytes
      bytes = source.text !== undefined ? Buffer.from(source.text, 'latin1') : readRegularFile(source.file);
    } catch {
      result.messages.push(`FATAL ERROR: Couldn't open "${source.file}": No such file or directory\n`);
      result.exitCode = EXIT_INPUT_ERROR;
      return;
    }
    // what dtc's own reader accepts (flattree.c), not libfdt's stricter rules; its warnings are
    // printed whatever -q says, as dtc prints them
    const warnings: Diagnostic[] = [];
    tree = readDtb(bytes, { file: source.file, lenient: true, warnings, maxDepth: limits['node-depth'], maxBytes: limits['dtb-bytes'], maxReservations: limits['memreserve-entries'] });
    for (const w of warnings) {
      result.diagnostics.push(w);
      result.messages.push(`Warning: ${w.message}\n`);
    }
  }
  if (!tree) return;
  if (inputFormat === 'dts') checkSourceTotal(source, result.dependencies, limits);
  checkTreeLimits(tree.root, limits);
  result.tree = tree;

  if (options.bootCpu !== undefined) tree.bootCpuidPhys = options.bootCpu;
  const fixups = options.localFixups || tree.plugin;

  // checks: they also resolve references and allocate phandles (dtc's fixup checks)
  const hadPhandle = nodesWithPhandleProperty(tree.root);
  const { runChecks, parseCheckFlag } = await import('../dtc-checks/index.js');
  let levels = {};
  for (const { flag, isError } of options.checkFlags) levels = parseCheckFlag(flag, isError, levels);
  const checked = runChecks(tree, {
    levels,
    force: options.force,
    phandleFormat: options.phandleFormat,
    plugin: tree.plugin,
    symbols: options.symbols,
    quiet: options.quiet,
  });
  const { formatDtcDiagnostic } = await import('../dtc-checks/index.js');
  for (const d of checked.diagnostics) {
    result.diagnostics.push(d);
    result.messages.push(formatDtcDiagnostic(d, { outname: options.outFile }));
  }
  if (checked.summary) result.messages.push(`${checked.summary}\n`);
  if (checked.aborted) {
    result.exitCode = EXIT_CHECK_ERRORS;
    return;
  }

  const phandles = new PhandleAllocator(tree.root, options.phandleFormat, counterAfterChecks(tree.root, hadPhandle));
  // dtc prints these without a newline
  // Messages one by one, never push(...list): a list can hold one entry per node of a huge tree.
  if (options.autoAliases) for (const w of generateLabelTree(tree.root, 'aliases', undefined).warnings) result.messages.push(w);
  if (options.symbols) for (const w of generateLabelTree(tree.root, '__symbols__', phandles).warnings) result.messages.push(w);
  if (fixups) {
    generateFixupsTree(tree.root, '__fixups__');
    generateLocalFixupsTree(tree.root, '__local_fixups__');
  }
  if (options.sort) sortTree(tree);

  if (options.treeOnly) return;
  if (outputFormat === 'dtb') {
    const written = writeDtb(tree, {
      version: options.version,
      reserveSlots: options.reserveSlots,
      minSize: options.minSize,
      padSize: options.padSize,
      alignSize: options.alignSize,
      quiet: options.quiet,
    });
    for (const w of written.warnings) result.messages.push(`${w}\n`);
    result.output = written.bytes;
  } else if (outputFormat === 'dts') {
    const { printDts } = await import('../output/dts.js');
    result.output = Buffer.from(printDts(tree, { annotate: options.annotate, initialPath: source.text !== undefined && source.file === '' ? '<stdin>' : source.file }), 'latin1');
  } else if (outputFormat === 'asm') {
    const { treeToAsm } = await import('../output/asm.js');
    const asm = treeToAsm(tree, {
      version: options.version,
      reserveSlots: options.reserveSlots,
      minSize: options.minSize,
      padSize: options.padSize,
      alignSize: options.alignSize,
    });
    result.output = Buffer.from(asm, 'latin1');
  } else {
    result.output = Buffer.from(await printJson(tree, result.diagnostics), 'utf8');
  }
}

/** A file larger than its limit is refused before it is read. */
function checkInputSize(file: string, limit: 'input-bytes' | 'dtb-bytes', limits: Limits): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return; // reading it reports the problem
  }
  if (size > limits[limit]) throw limitError(limit, `${file} is ${size} bytes, which`, limits[limit], { file, line: 1, column: 1 });
}

/** The source, its includes and incbins together. */
function checkSourceTotal(source: CompileSource, dependencies: string[], limits: Limits): void {
  let total = source.text?.length ?? 0;
  for (const file of new Set(dependencies)) {
    try {
      total += fs.statSync(file).size;
    } catch {
      // a dependency named but not on disk (stdin, a test's in-memory text)
    }
  }
  const limit = limits['input-bytes'];
  if (total > limit) throw limitError('input-bytes', `the source with its includes and incbins (${total} bytes)`, limit, { file: source.file, line: 1, column: 1 });
}

/** Node depth and property size of a built tree. */
function checkTreeLimits(root: Node, limits: Limits): void {
  const maxDepth = limits['node-depth'];
  const maxBytes = limits['property-bytes'];
  const pending: [Node, number][] = [[root, 1]];
  while (pending.length) {
    const [node, depth] = pending.pop()!;
    if (depth > maxDepth) throw limitError('node-depth', `node nesting (${depth} levels at ${node.path})`, maxDepth, node.span, node.path);
    for (const prop of node.properties) {
      const size = prop.value.bytes.length;
      if (size > maxBytes) throw limitError('property-bytes', `property ${prop.name} (${size} bytes)`, maxBytes, prop.span, node.path);
    }
    for (const child of node.children) pending.push([child, depth + 1]);
  }
}

async function printJson(tree: Tree, diagnostics: Diagnostic[]): Promise<string> {
  const { printJson: print } = await import('../output/json.js');
  return print(tree, diagnostics);
}
