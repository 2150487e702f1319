import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFlagsOf, logicalLines, parseKbuildMakefile } from '../../src/kernel/makefile.js';
import { selectBoards, shard } from '../../src/kernel/targets.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

/** A fixture of fixtures/kernel/makefile/, parsed; the expectations below were checked against GNU make 4. */
function parseFixture(name: string) {
  return parseKbuildMakefile(fs.readFileSync(path.join(repoRoot, 'fixtures/kernel/makefile', name), 'utf8'));
}

describe('kbuild dts Makefiles', () => {
  it('reads dtb lists, compositions (also continued lines) and DTC_FLAGS', () => {
    const parsed = parseKbuildMakefile(
      [
        '# SPDX-License-Identifier: GPL-2.0',
        'dtb-$(CONFIG_ARCH_QCOM)\t+= a.dtb b.dtb # two boards',
        'dtb-y += c.dtbo',
        'a-el2-dtbs\t:= a.dtb el2.dtbo',
        'x-lvds-auo,g133-dtbs\t:= \\',
        '\ta.dtb x-lvds-auo,g133.dtbo',
        'DTC_FLAGS_a := -@',
        'DTC_FLAGS += -Wno-foo -E bar',
        'subdir-y += qcom',
        'dtb-$(CONFIG_ARCH_QCOM) += a.dtb a-el2.dtb',
      ].join('\n'),
    );
    expect(parsed.dtbs).toEqual(['a.dtb', 'b.dtb', 'c.dtbo', 'a-el2.dtb']);
    expect([...parsed.compositions]).toEqual([
      ['a-el2', ['a.dtb', 'el2.dtbo']],
      ['x-lvds-auo,g133', ['a.dtb', 'x-lvds-auo,g133.dtbo']],
    ]);
    expect(parsed.targetDtcFlags.get('a')).toEqual(['-@']);
    expect(checkFlagsOf(parsed.dtcFlags)).toEqual([
      { flag: 'no-foo', isError: false },
      { flag: 'bar', isError: true },
    ]);
    expect(parsed.subdirs).toEqual(['qcom']);
  });

  it('joins continuation lines and drops comments, as make does', () => {
    expect(logicalLines('a := 1 \\\n  2\n# c\n\nb += 3 # x')).toEqual(['a := 1 2', 'b += 3']);
    expect(logicalLines('a := 1 # c \\\nb := 2\nc := 3 \\')).toEqual(['a := 1', 'c := 3']);
    expect(logicalLines('a := x\\\ny\nb\n')).toEqual(['a := x y', 'b']);
  });

  it('accumulates compositions with += and starts again with :=', () => {
    const parsed = parseFixture('accumulating-compositions.mk');
    expect([...parsed.compositions]).toEqual([
      ['board-camera-display', ['board.dtb', 'camera.dtbo', 'display.dtbo', 'touch.dtbo']],
      ['board-reset', ['board.dtb', 'fresh.dtbo']],
    ]);
    expect(parsed.dtbs).toEqual(['board.dtb', 'board-camera-display.dtb', 'board-reset.dtb']);
  });

  it('reads :=, =, ?= and += on compositions, DTC_FLAGS and DTC_FLAGS_<target>', () => {
    const parsed = parseFixture('assignment-operators.mk');
    expect([...parsed.compositions]).toEqual([
      ['a-el2', ['a.dtb', 'el2.dtbo']],
      ['b-el2', ['b.dtb', 'el2.dtbo']],
      ['c-el2', ['c.dtb', 'el2.dtbo']],
      ['d-el2', ['d.dtb', 'el2.dtbo']],
    ]);
    expect(parsed.dtcFlags).toEqual(['-@', '-Wno-graph_port']);
    expect([...parsed.targetDtcFlags]).toEqual([
      ['a', ['-Wno-unique_unit_address', '-E', 'reg_format']],
      ['b', ['-Wno-b']],
      ['c', ['-@']],
    ]);
    expect(checkFlagsOf(parsed.targetDtcFlags.get('a')!)).toEqual([
      { flag: 'no-unique_unit_address', isError: false },
      { flag: 'reg_format', isError: true },
    ]);
  });

  it('reads continued dtb lists with comments, dtb-$(CONFIG_…), dtb-y and subdirs; ignores dtb-n', () => {
    const parsed = parseFixture('continued-lines.mk');
    expect(parsed.dtbs).toEqual(['alpha.dtb', 'beta.dtb', 'gamma.dtb', 'talos-evk-lvds-auo,g133han01.dtb', 'epsilon.dtbo', 'zeta.dtb']);
    expect([...parsed.compositions]).toEqual([['talos-evk-lvds-auo,g133han01', ['talos-evk.dtb', 'talos-evk-lvds-auo,g133han01.dtbo']]]);
    expect(parsed.subdirs).toEqual(['vendor', 'other']);
  });

  it('selects boards by name or glob, and shards interleaved', () => {
    const t = ['a', 'a-el2', 'b', 'c'].map((name) => ({ name, dir: 'qcom' }));
    expect(selectBoards(t as never, ['a*']).map((x) => x.name)).toEqual(['a', 'a-el2']);
    expect(selectBoards(t as never, ['qcom/b']).map((x) => x.name)).toEqual(['b']);
    expect(shard([1, 2, 3, 4, 5], 1, 2)).toEqual([1, 3, 5]);
    expect(shard([1, 2, 3, 4, 5], 2, 2)).toEqual([2, 4]);
  });
});

describe.skipIf(!sharedOrExplain('the real qcom Makefile (../shared/corpus/linux)'))('the real arch/arm64/boot/dts/qcom/Makefile', () => {
  // Figures from GNU make on the same file: $(words $(sort $(dtb-y))) with CONFIG_ARCH_QCOM=y, and the *-dtbs variables.
  it('lists 411 targets and 63 compositions, each composition a listed dtb', () => {
    const parsed = parseKbuildMakefile(fs.readFileSync(path.join(sharedDir, 'corpus/linux/arch/arm64/boot/dts/qcom/Makefile'), 'utf8'));
    expect(parsed.dtbs).toHaveLength(411);
    expect(parsed.dtbs.filter((d) => d.endsWith('.dtbo'))).toEqual(['talos-evk-camera-imx577.dtbo']);
    expect([parsed.dtbs[0], parsed.dtbs.at(-1)]).toEqual(['apq8016-sbc.dtb', 'x1p42100-microsoft-sp12in-el2.dtb']);
    expect(parsed.compositions.size).toBe(63);
    expect([...parsed.compositions.keys()].filter((name) => !parsed.dtbs.includes(`${name}.dtb`))).toEqual([]);
    expect(parsed.compositions.get('talos-evk-lvds-auo,g133han01')).toEqual(['talos-evk.dtb', 'talos-evk-lvds-auo,g133han01.dtbo']);
    expect(parsed.compositions.get('sm8550-hdk-display-card-rear-camera-card')).toEqual(['sm8550-hdk.dtb', 'sm8550-hdk-display-card.dtbo', 'sm8550-hdk-rear-camera-card.dtbo']);
    expect(parsed.compositions.get('lemans-evk-el2')).toEqual(['lemans-evk.dtb', 'lemans-el2.dtbo']);
    expect(parsed.dtcFlags).toEqual([]);
    expect(parsed.subdirs).toEqual([]);
  });
});
