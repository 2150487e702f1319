/** Matching findings across two copies of a tree (review, hook, check --new-since). */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { compareFindings, rebaseFinding } from '../../src/review/compare.js';

const at = (root: string, line: number, message = 'shares the stream-match entry', rule = 'pas/smr-shared-group'): Diagnostic => ({
  rule,
  severity: 'warning',
  message: `${message} (see ${root}/soc.dtsi)`,
  path: '/soc/crypto',
  property: 'iommus',
  span: { file: `${root}/arch/soc.dtsi`, line, column: 2 },
});

describe('compareFindings', () => {
  it('a finding moved down by inserted lines is not new; paths are compared relative to each copy', () => {
    const r = compareFindings([at('/before', 10)], '/before', [at('/after', 14)], '/after');
    expect(r.introduced).toEqual([]);
    expect(r.existing).toHaveLength(1);
    expect(r.fixed).toEqual([]);
  });

  it('counts: a second identical finding is new; a finding gone is fixed', () => {
    const r = compareFindings([at('/b', 1), at('/b', 5, 'other')], '/b', [at('/a', 1), at('/a', 2)], '/a');
    expect(r.introduced).toHaveLength(1);
    expect(r.existing).toHaveLength(1);
    expect(r.fixed.map((d) => d.message)).toEqual(['other (see /b/soc.dtsi)']);
  });

  it('counts as a multiset both ways: three before and two after is one fixed; two before and three after is one new', () => {
    const three = (root: string) => [at(root, 1), at(root, 2), at(root, 3)];
    const two = (root: string) => [at(root, 1), at(root, 2)];
    const fewer = compareFindings(three('/b'), '/b', two('/a'), '/a');
    expect([fewer.introduced.length, fewer.existing.length, fewer.fixed.length]).toEqual([0, 2, 1]);
    const more = compareFindings(two('/b'), '/b', three('/a'), '/a');
    expect([more.introduced.length, more.existing.length, more.fixed.length]).toEqual([1, 2, 0]);
    const same = compareFindings(three('/b'), '/b', three('/a'), '/a');
    expect([same.introduced.length, same.existing.length, same.fixed.length]).toEqual([0, 3, 0]);
  });

  it('another rule, severity or file is another finding', () => {
    const before = [at('/b', 1)];
    expect(compareFindings(before, '/b', [at('/a', 1, undefined, 'pas/overlay-sid-collision')], '/a').introduced).toHaveLength(1);
    expect(compareFindings(before, '/b', [{ ...at('/a', 1), severity: 'error' }], '/a').introduced).toHaveLength(1);
    expect(compareFindings(before, '/b', [{ ...at('/a', 1), span: { file: '/a/arch/other.dtsi', line: 1, column: 2 } }], '/a').introduced).toHaveLength(1);
  });
});

describe('rebaseFinding', () => {
  it('moves spans and paths in messages from the copy to the user tree; files elsewhere stay', () => {
    const d = { ...at('/tmp/wt', 3), related: [{ message: 'here', span: { file: '/elsewhere/x.h', line: 1, column: 1 } }] };
    const moved = rebaseFinding(d, '/tmp/wt', '/home/me/linux');
    expect(moved.span?.file).toBe('/home/me/linux/arch/soc.dtsi');
    expect(moved.message).toBe('shares the stream-match entry (see /home/me/linux/soc.dtsi)');
    expect(moved.related?.[0].span.file).toBe('/elsewhere/x.h');
  });
});
