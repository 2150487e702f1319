/**
 * The checks on every qcom board of the shared kernel tree, preprocessed by GNU cpp as the kernel
 * build does: our findings (with positions) must equal the reference dtc's, with dtc's defaults
 * and with the kernel's default warning flags.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedOrExplain } from '../support/shared.js';
import { kernelSources, qcomBoards, qcomDir } from '../output/reference-blobs.js';
import { runChecks } from '../../src/dtc-checks/index.js';
import { parseDts } from '../../src/dts/parser.js';
import { FileSourceHost } from '../../src/dts/source.js';
import { buildTree } from '../../src/tree/build.js';
import { findingKeys, ourCheckLines, referenceCheckLines } from './dtc-run.js';

/** scripts/Makefile.dtbs: what `make dtbs` passes to dtc when W= is not given. */
const KERNEL_WARNING_FLAGS = [
  '-Wno-unique_unit_address',
  '-Wno-unit_address_vs_reg',
  '-Wno-avoid_unnecessary_addr_size',
  '-Wno-alias_paths',
  '-Wno-interrupt_map',
  '-Wno-simple_bus_reg',
];

function hasCpp(): boolean {
  const ok = spawnSync('cpp', ['--version']).status === 0;
  if (!ok) console.warn('skipping qcom check differential: GNU cpp is not installed');
  return ok;
}

describe.runIf(sharedOrExplain('qcom check differential') && hasCpp())('checks on the qcom boards vs reference dtc', () => {
  const boards = qcomBoards();
  let sources = new Map<string, Buffer>();

  beforeAll(async () => {
    sources = await kernelSources(boards);
  }, 240_000);

  for (const [variant, flags] of [
    ['dtc defaults', [] as string[]],
    ['kernel flags', KERNEL_WARNING_FLAGS],
  ] as const) {
    it(`reports the same findings at the same positions (${variant})`, async () => {
      const mismatches: string[] = [];
      let findings = 0;
      let ourMs = 0;
      for (const board of boards) {
        await new Promise((resolve) => setImmediate(resolve)); // keep the worker responsive to vitest
        const text = sources.get(board)!;
        const reference = referenceCheckLines(board, { flags: [...flags], files: { [board]: text } });
        const started = performance.now();
        const ours = ourCheckLines(text.toString('latin1'), board, { flags: [...flags] });
        ourMs += performance.now() - started;
        findings += findingKeys(reference.lines).length;
        if (!ours || findingKeys(ours).join('\n') !== findingKeys(reference.lines).join('\n')) {
          mismatches.push(`${board}: findings differ`);
        } else if (ours.join('\n') !== reference.lines.join('\n')) {
          mismatches.push(`${board}: positions or order differ`);
        }
      }
      console.log(
        `qcom checks (${variant}): ${boards.length - mismatches.length}/${boards.length} boards identical, ` +
          `${findings} findings; parse+build+check ${ourMs.toFixed(0)} ms in total`,
      );
      expect(boards.length).toBe(332);
      expect(mismatches).toEqual([]);
    }, 300_000);
  }
});

describe.runIf(sharedOrExplain('qcom overlay checks') && hasCpp())('checks on the qcom overlays (.dtso)', () => {
  // the body runs at collection even when the suite is skipped: no ../shared, no folder to read
  const overlays = fs.existsSync(qcomDir) ? fs.readdirSync(qcomDir).filter((f) => f.endsWith('.dtso')).sort() : [];
  let sources = new Map<string, Buffer>();

  beforeAll(async () => {
    sources = await kernelSources(overlays);
  }, 240_000);

  it('match dtc in compile mode, and say nothing base-dependent standalone', () => {
    const mismatches: string[] = [];
    let dtcFindings = 0;
    let standaloneFindings = 0;
    for (const file of overlays) {
      const text = sources.get(file)!;
      const reference = referenceCheckLines(file, { files: { [file]: text } });
      const ours = ourCheckLines(text.toString('latin1'), file);
      if (!ours || ours.join('\n') !== reference.lines.join('\n')) mismatches.push(file);
      dtcFindings += findingKeys(reference.lines).length;
      const parsed = parseDts(text.toString('latin1'), file, { host: new FileSourceHost({}) });
      const standalone = runChecks(buildTree(parsed.source!).tree, { standaloneOverlay: true });
      standaloneFindings += standalone.diagnostics.length;
    }
    console.log(`qcom overlays: ${overlays.length - mismatches.length}/${overlays.length} identical to dtc (${dtcFindings} findings); standalone: ${standaloneFindings}`);
    expect(overlays.length).toBe(25);
    expect(mismatches).toEqual([]);
    // dtc's findings on these overlays all concern nodes whose reg or siblings live in the base
    expect(dtcFindings).toBeGreaterThan(0);
    expect(standaloneFindings).toBe(0);
  }, 120_000);
});
