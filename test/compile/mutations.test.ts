/**
 * Seeded mutations of dtc's test sources (characters deleted, tokens inserted): whatever dtc
 * does with the broken text — accept it, reject it at parse time (1) or in the checks (2) — we
 * do the same, with the same bytes when it compiles, and never crash.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dtcTestsDir } from '../output/reference-blobs.js';
import { referenceDtc } from '../support/reference.js';
import { sharedOrExplain } from '../support/shared.js';
import { compileWith } from './support.js';

const PIECES = ['{', '}', ';', '<', '>', '/', '&', ':', '"', "'", '[', ']', '(', ')', ' ', '\n', '0x1', 'a', '@', ',', '=',
  '/delete-node/', '/bits/ 8', '#', '\\', '/*', '*/', '//', 'lbl:', '&lbl', '-', '+'];

describe.runIf(sharedOrExplain('mutation differential'))('mutated sources vs dtc', () => {
  it('agrees with dtc on 300 seeded mutations (status, bytes; -@)', async () => {
    const seeds = fs
      .readdirSync(dtcTestsDir)
      .filter((f) => f.endsWith('.dts') && !/search_paths|include|incbin|dependencies|overlay_bad_fixup/.test(f))
      .sort();
    let state = 20261130;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-mutations-'));
    const problems: string[] = [];
    try {
      for (let i = 0; i < 300; i++) {
        const seed = seeds[Math.floor(next() * seeds.length)]!;
        let text = fs.readFileSync(path.join(dtcTestsDir, seed), 'latin1');
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
          const pos = Math.floor(next() * text.length);
          text = next() < 0.4
            ? text.slice(0, pos) + text.slice(pos + 1 + Math.floor(next() * 3))
            : text.slice(0, pos) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(pos);
        }
        const file = `m${i}.dts`;
        fs.writeFileSync(path.join(dir, file), text, 'latin1');
        const ref = referenceDtc(['-q', '-@', '-O', 'dtb', '-o', '-', file], { cwd: dir });
        const ours = await compileWith(['-q', '-@', '-O', 'dtb'], file, dir);
        if (ours.exitCode !== ref.status) problems.push(`${file} (from ${seed}): status ${ours.exitCode}, dtc ${ref.status}`);
        else if (ref.status === 0 && Buffer.from(ours.output!).toString('latin1') !== ref.stdout) problems.push(`${file}: bytes`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
