/**
 * Hover: on a phandle reference, the node it names and where its label is written; on a cell of
 * `iommus`/`iommu-map`, the stream the PAS simulation resolved from it (ID, mask, SMMU,
 * stream-match entry, group, context bank, other devices on the entry); on a macro, its
 * `#define` in the headers the run read.
 */
import type { Hover, Position } from 'vscode-languageserver';
import type { SimulationResult } from '../pas/simulate.js';
import type { Node, Property } from '../tree/model.js';
import { walkLive } from '../tree/walk.js';
import { findLabel, type FileContext } from './context.js';
import { labelSpan, wordAt } from './text.js';
import { findDefine } from './macros.js';
import { nodeAt, propertyDoc } from './bindings.js';

const hex = (n: number) => `0x${n.toString(16)}`;

export function hover(ctx: FileContext, pos: Position): Hover | undefined {
  const lineText = ctx.lines[pos.line] ?? '';
  const word = wordAt(lineText, pos.character);
  if (!word) return undefined;
  const range = { start: { line: pos.line, character: word.start }, end: { line: pos.line, character: word.end } };
  const markdown = (value: string): Hover => ({ contents: { kind: 'markdown', value }, range });
  if (word.word.startsWith('&')) {
    const label = word.word.slice(1);
    const found = findLabel(ctx.runs, label);
    if (!found) return markdown(`\`&${label}\`: no node has this label in ${ctx.runs.map((r) => r.target.name).join(', ') || 'the checked tree'}`);
    const at = labelSpan(found.node, label, ctx.textOf);
    return markdown(`\`&${label}\` → \`${found.node.path}\`${at ? `\n\nlabel defined at ${at.file}:${at.line}` : ''}`);
  }
  if (/^(0x[0-9a-f]+|\d+)$/i.test(word.word)) {
    const stream = streamHover(ctx, pos, word.start);
    if (stream) return markdown(stream);
  }
  if (/^[A-Z_][A-Z0-9_]*$/.test(word.word)) {
    const define = findDefine(ctx, word.word);
    if (define) return markdown(`\`#define ${word.word}${define.params ?? ''} ${define.body}\`\n\n${define.file}:${define.line}`);
  }
  return undefined;
}

/** On a property name, when the workspace has bindings: its type and description from the node's binding. */
export async function bindingHover(ctx: FileContext, pos: Position): Promise<Hover | undefined> {
  const word = wordAt(ctx.lines[pos.line] ?? '', pos.character);
  const set = word && !word.word.startsWith('&') ? await ctx.schemaSet?.() : undefined;
  const node = set && nodeAt(ctx, pos);
  const doc = set && node && propertyDoc(set, node, word!.word);
  return doc ? { contents: { kind: 'markdown', value: doc }, range: { start: { line: pos.line, character: word!.start }, end: { line: pos.line, character: word!.end } } } : undefined;
}

/** The property of the merged tree whose value was written on this line of this file, with its name. */
function propertyAt(ctx: FileContext, line: number, names: string[]): { node: Node; property: Property; simulation: SimulationResult } | undefined {
  for (const { run } of ctx.runs) {
    const simulation = run.report.simulation as SimulationResult | undefined;
    if (!run.merged || !simulation) continue;
    let found: { node: Node; property: Property } | undefined;
    walkLive(run.merged.root, (node) => {
      if (found) return;
      for (const property of node.properties) {
        if (property.deleted || !names.includes(property.name)) continue;
        const span = property.span;
        if (span && ctx.isFile(span.file) && span.line - 1 <= line && (span.endLine ?? span.line) - 1 >= line) found = { node, property };
      }
    });
    if (found) return { ...found, simulation };
  }
  return undefined;
}

/**
 * Which entry of `iommus = <&smmu SID MASK>, <…>` the cursor is in: the phandles written before it
 * on the property's lines count the entries (each entry starts with its SMMU's phandle).
 */
function entryIndex(ctx: FileContext, property: Property, line: number, character: number): number {
  const span = property.span!;
  const before = ctx.lines.slice(span.line - 1, line + 1);
  before[before.length - 1] = before[before.length - 1]!.slice(0, character);
  before[0] = before[0]!.slice(Math.max(0, span.column - 1));
  return Math.max(0, (before.join('\n').match(/&[\w{]/g) ?? []).length - 1);
}

function streamHover(ctx: FileContext, pos: Position, character: number): string | undefined {
  const found = propertyAt(ctx, pos.line, ['iommus', 'iommu-map']);
  if (!found) return undefined;
  const { node, property, simulation } = found;
  const index = entryIndex(ctx, property, pos.line, character);
  const path = node.path;
  for (const smmu of simulation.smmus) {
    const devices = smmu.devices.filter((d) => d.device === path);
    for (const device of devices) {
      const stream = property.name === 'iommus' ? device.streams[index] : device.streams[0];
      if (!stream) continue;
      const entry = stream.entry === undefined ? undefined : smmu.entries.find((e) => e.index === stream.entry);
      const others = entry ? entry.devices.filter((d) => d !== path) : [];
      const sharing = smmu.devices.filter((d) => d.device !== path && d.streams.some((s) => ((s.sid ^ stream.sid) & ~(s.mask | stream.mask) & 0xffff) === 0));
      const lines = [
        `**stream ${hex(stream.sid)}** mask ${hex(stream.mask)} of \`${device.name}\` (${device.status}${device.reason ? `: ${device.reason}` : ''})`,
        `- SMMU: \`${smmu.label ?? smmu.path}\` (${smmu.path})`,
        entry
          ? `- stream-match entry ${entry.index}: id ${hex(entry.sid)} mask ${hex(entry.mask)}${entry.handoff ? ' (handoff from the bootloader)' : ''}`
          : '- no stream-match entry allocated',
        `- group ${device.group ?? entry?.group ?? '—'}, context bank ${device.contextBank ?? entry?.contextBank ?? '—'}`,
      ];
      const names = [...new Set([...others, ...sharing.map((d) => d.device)])];
      lines.push(names.length ? `- also matching these IDs: ${names.map((n) => `\`${smmu.devices.find((d) => d.device === n)?.name ?? n}\``).join(', ')}` : '- no other device matches these IDs');
      lines.push(`\n(simulation at EL${simulation.el}, SoC profile ${simulation.soc ?? 'none'})`);
      return lines.join('\n');
    }
  }
  return undefined;
}
