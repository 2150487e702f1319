/**
 * The checks on every qcom board of the shared kernel tree, preprocessed by GNU cpp as the kernel
 * build does: our findings (with positions) must equal the reference dtc's, with dtc's defaults
 * and with the kernel's default warning flags.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedOrExplain } from '../support/shared.js';
import { kernelSources, qcomBoards } from '../output/reference-blobs.js';
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
