/**
 * What the SID map pictures and tables mark as a conflict: the stream IDs, stream-match entries and
 * SMMUv3 ranges behind each finding of a rule that says two masters want one stream ID. One
 * finding is one conflict; its parties are the finding's node and the devices its related
 * locations name (the overlay-sid-collision on cdsp1 names cdsp0 as "/soc@0/remoteproc@… has …").
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SimulationResult, SmmuResult } from '../pas/simulate.js';

type RangeRow = NonNullable<SmmuResult['ranges']>[number];
import { matchedIds, matches } from '../pas/smr.js';

/** Every ID a specifier matches in the 16-bit stream-ID space. */
export function idsOf(s: { sid: number; mask: number }): number[] {
  return matchedIds({ id: s.sid, mask: s.mask }, 0x10000)!;
}

export function matchesId(s: { sid: number; mask: number }, x: number): boolean {
  return matches({ id: s.sid, mask: s.mask }, x);
}

/** Rules whose finding is two masters claiming one stream ID (docs/rules/pas/). */
export const CONFLICT_RULES: ReadonlySet<string> = new Set([
  'pas/overlay-sid-collision',
  'pas/smr-partial-overlap',
  'pas/smr-containment-order',
  'pas/cross-smmu-duplicate',
  'pas/map-sid-overlap',
  'pas/its-device-id-unique',
]);

export interface SidConflict {
  finding: Diagnostic;
  smmu: SmmuResult;
  /** The devices that want the IDs, the finding's node first. */
  parties: string[];
  /** Stream IDs wanted by two parties (all of the party's IDs when only one is known), ascending. */
  ids: number[];
  /** Indexes of the stream-match entries (SMRs) that match a conflicting ID for a party. */
  entries: number[];
  /** Indexes into `smmu.ranges` (SMMUv3) of the ranges the finding is about. */
  ranges: number[];
}

function partiesOf(d: Diagnostic, known: ReadonlySet<string>): string[] {
  const out = d.path ? [d.path] : [];
  for (const r of d.related ?? []) {
    for (const m of r.message.matchAll(/\/[^\s,;:()]+/g)) if (known.has(m[0]) && !out.includes(m[0])) out.push(m[0]);
  }
  return out;
}

export function sidConflicts(sim: SimulationResult, diagnostics: readonly Diagnostic[]): SidConflict[] {
  const out: SidConflict[] = [];
  for (const d of diagnostics) {
    if (!CONFLICT_RULES.has(d.rule) || d.severity === 'info') continue;
    for (const smmu of sim.smmus) {
      const known = new Set([...smmu.devices.map((x) => x.device), ...(smmu.ranges ?? []).map((r) => r.device)]);
      const parties = partiesOf(d, known);
      if (!parties.length) continue;
      // The ranges the finding flags, and the other parties' ranges that overlap them.
      const all = smmu.ranges ?? [];
      const flagged = all.filter((r) => r.rule === d.rule && parties.includes(r.device));
      const overlaps = (a: RangeRow, b: RangeRow) => a.outBase < b.outBase + b.length && b.outBase < a.outBase + a.length;
      const ranges = all.flatMap((r, i) => (parties.includes(r.device) && flagged.some((f) => f === r || overlaps(f, r)) ? [i] : []));
      const wanted = new Map<number, Set<string>>();
      for (const dev of smmu.devices) {
        if (!parties.includes(dev.device)) continue;
        for (const s of dev.streams) for (const id of idsOf(s)) wanted.set(id, (wanted.get(id) ?? new Set()).add(dev.device));
      }
      const shared = [...wanted].filter(([, who]) => who.size > 1).map(([id]) => id);
      const ids = (shared.length || parties.length > 1 ? shared : [...wanted.keys()]).sort((a, b) => a - b);
      const entries = smmu.entries.filter((e) => e.devices.some((x) => parties.includes(x)) && ids.some((id) => matchesId(e, id))).map((e) => e.index);
      if (ids.length || ranges.length) out.push({ finding: d, smmu, parties, ids, entries, ranges });
    }
  }
  return out;
}
