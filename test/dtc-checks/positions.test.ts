/**
 * Findings point at the original source line, also when the property was written by a macro
 * (the kernel's style: `DEVICE(uart, 1000)` in a board file expanding to a node with `reg`).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { repoRoot } from '../support/shared.js';

describe('positions of findings', () => {
  it('names the macro invocation in the board file, with the expansion chain', async () => {
    const file = path.join(repoRoot, 'fixtures/checks/macro/board.dts');
    const result = await compile({ file }, parseCompileArgs(['--cpp', '-O', 'dtb', '-o', '-', file]));
    const finding = result.diagnostics.find((d) => d.rule === 'dtc/reg_format' && d.path === '/uart@1000');
    expect(finding?.property).toBe('reg');
    expect(finding?.span?.file).toBe(file);
    expect([finding?.span?.line, finding?.span?.column]).toEqual([8, 2]); // `DEVICE(uart, 1000);`
    const chain = finding?.span?.via?.map((v) => `${v.name} ${path.basename(v.file)}:${v.line}`);
    expect(chain).toEqual(['SHORT_REG defs.h:3', 'DEVICE board.dts:8']);
    expect(result.messages[0]).toMatch(/^.*board\.dts:8\.2(-\d+)?: Warning \(reg_format\): \/uart@1000:reg: property has invalid length/);
  });
});
