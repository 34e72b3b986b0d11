import { beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../server/checks/spf-syntax.ts';
import { AGREEING, GROUPS, type SuiteResult } from '../fixtures/spf-rfc7208.ts';
import { figures, runConformance, type CaseRun } from '../support/spf-conformance.ts';

/*
 * The auditor against the RFC 7208 test suite receivers are tested with: every record-level case, served by a real
 * DNS server on 127.0.0.1. `npx tsx test/support/spf-conformance.ts` prints the same figures and each disagreement.
 */

/**
 * Cases where the auditor answers otherwise, and why. The suite serves a TXT record with no strings at all next to
 * the real one (illegal on the wire, RFC 1035 §3.3.14); Node's resolver (c-ares) refuses the whole answer as
 * malformed (EBADRESP) before the auditor sees a record, so the check says it could not look the domain up.
 */
const KNOWN: Record<string, { actual: string; why: string }> = {
  'initial processing/record-in-two-strings-and-an-empty-txt': { actual: 'error', why: 'c-ares refuses an answer with an empty TXT record' },
};

const key = (group: string, id: string) => `${group}/${id}`;
const all = GROUPS.flatMap((g) => g.cases.map((c) => ({ group: g.name, ...c })));
let runs: Map<string, CaseRun>;
beforeAll(async () => {
  runs = new Map((await runConformance()).map((r) => [key(r.group, r.case.id), r]));
});

describe('the corpus', () => {
  it('holds the suite: 201 cases in 16 groups, each selected with a verdict or skipped with a reason, ids unique', () => {
    expect(GROUPS).toHaveLength(16);
    expect(all).toHaveLength(201);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const c of all) expect(Boolean(c.expect) !== Boolean(c.skip), c.id).toBe(true);
  });

  it.each(all.filter((c) => c.expect))('$group/$id: the verdict agrees with what a receiver concludes', (c) => {
    const results = [c.result].flat() as SuiteResult[];
    expect(results.some((r) => AGREEING[r].includes(c.expect!))).toBe(true);
  });
});

describe('the auditor on every selected case', () => {
  it('agrees on all but the known disagreements; figures: 199 selected, 198 agreed, 2 skipped', () => {
    const f = figures([...runs.values()]);
    expect(f).toEqual({ total: 201, selected: 199, agreed: 198, skipped: 2 });
  });

  it.each(all.filter((c) => c.expect))('$group/$id → $expect', ({ group, id, expect: verdict }) => {
    const run = runs.get(key(group, id))!;
    const known = KNOWN[key(group, id)];
    expect(run.actual).toBe(known ? known.actual : verdict);
  });

  it('names the term and the rule for every invalid record, and none for an accepted one', () => {
    for (const run of runs.values()) {
      if (!run.spf) continue;
      const id = key(run.group, run.case.id);
      if (run.spf.status === 'invalid') {
        expect(run.spf.errors.length, id).toBeGreaterThan(0);
        for (const e of run.spf.errors) expect(e.term, id).not.toBe('');
      }
      if (run.spf.status === 'ok') expect(run.spf.errors, id).toEqual([]);
    }
  });

  it('never suggests a record with a term that breaks a rule', () => {
    const suggested = [...runs.values()].flatMap((r) => (r.spf?.suggestedRecord ? [r.spf.suggestedRecord] : []));
    expect(suggested.length).toBeGreaterThan(30);
    for (const record of suggested) expect(parseRecord(record).filter((t) => t.error), record).toEqual([]);
  });
});
