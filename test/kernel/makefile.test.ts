import { describe, expect, it } from 'vitest';
import { checkFlagsOf, logicalLines, parseKbuildMakefile } from '../../src/kernel/makefile.js';
import { selectBoards, shard } from '../../src/kernel/targets.js';

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

  it('joins continuation lines and drops comments', () => {
    expect(logicalLines('a := 1 \\\n  2\n# c\n\nb += 3 # x')).toEqual(['a := 1    2', 'b += 3']);
  });

  it('selects boards by name or glob, and shards interleaved', () => {
    const t = ['a', 'a-el2', 'b', 'c'].map((name) => ({ name, dir: 'qcom' }));
    expect(selectBoards(t as never, ['a*']).map((x) => x.name)).toEqual(['a', 'a-el2']);
    expect(selectBoards(t as never, ['qcom/b']).map((x) => x.name)).toEqual(['b']);
    expect(shard([1, 2, 3, 4, 5], 1, 2)).toEqual([1, 3, 5]);
    expect(shard([1, 2, 3, 4, 5], 2, 2)).toEqual([2, 4]);
  });
});
