import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { migrations } from '../../server/store/sqlite/migrations.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import type { AnalyticsFilter, Channel } from '../../server/store/types.ts';
import { tempDir } from '../support/app.ts';

/*
 * A history built step by step through the real engine on a clock we set, with known counts, so every figure can be
 * asserted exactly, including sessions that cross the period's edges.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
let clock = 0;
const tmp = tempDir();
const store = createSqliteStore(join(tmp.dir, 'analytics.db'), { now: () => clock });
const engine = new Engine(store, new FlowRegistry(), new StepRenderer(createI18n()), { emailDomain: () => Promise.reject(new Error('no checks here')), headers: () => Promise.reject(new Error('no checks here')), bounce: () => Promise.reject(new Error('no checks here')) });
const FLOW = 'participant-no-email';

async function session(at: number, lng: 'sv' | 'de' | 'en', channel: Channel, steps: [number, string][], feedback?: [boolean, string | null]) {
  clock = at;
  const { session } = await engine.start({ flowId: FLOW, lng, channel });
  for (const [after, event] of steps) {
    clock = at + after;
    await engine.send(session.id, event, undefined);
  }
  if (feedback) await engine.feedback(session.id, feedback[0], feedback[1]);
  return session.id;
}

const MARCH_1 = day('2026-03-01');
const NOW = day('2026-03-02') + 12 * HOUR;
const period = (extra: Partial<AnalyticsFilter> = {}): AnalyticsFilter => ({
  from: MARCH_1,
  to: MARCH_1 + 24 * HOUR,
  abandonedBefore: NOW - 30 * MIN,
  ...extra,
});

let s1 = '';
beforeAll(async () => {
  const t0 = MARCH_1 + 10 * HOUR;
  // S1: escalated after 3 minutes, "not helpful" with a comment.
  s1 = await session(t0, 'sv', 'self', [[MIN, 'OVER_A_MINUTE'], [2 * MIN, 'NOT_IN_SPAM'], [3 * MIN, 'LINK_FAILED']], [false, 'Still broken']);
  // S2: resolved after 90 s, from the widget, helpful.
  await session(t0 + HOUR, 'de', 'widget', [[30_000, 'UNDER_A_MINUTE'], [90_000, 'ARRIVED']], [true, null]);
  // S3: left at checkSpam in the morning: abandoned.
  await session(t0 + 2 * HOUR, 'sv', 'self', [[MIN, 'OVER_A_MINUTE']]);
  // S4: resolved after 5 minutes, through the API.
  await session(t0 + 3 * HOUR, 'en', 'api', [[10_000, 'OVER_A_MINUTE'], [20_000, 'FOUND_IN_SPAM'], [5 * MIN, 'MARKED_SIMILAR_AS_SPAM']]);
  // S5: started 5 minutes before midnight, last step after midnight, then nothing: in the period, abandoned.
  await session(day('2026-03-02') - 5 * MIN, 'sv', 'self', [[10 * MIN, 'OVER_A_MINUTE']]);
  // S6: started after the period: not counted, although it finished.
  await session(day('2026-03-02') + 10 * MIN, 'sv', 'self', [[MIN, 'UNDER_A_MINUTE'], [2 * MIN, 'ARRIVED']]);
  // S7: started before the period, finished inside it: not counted.
  await session(MARCH_1 - 10 * MIN, 'sv', 'self', [[MIN, 'UNDER_A_MINUTE'], [20 * MIN, 'ARRIVED']]);
  // S8: started in the period, its last step 5 minutes before "now": still in progress, not abandoned.
  await session(day('2026-03-02') - HOUR, 'sv', 'self', [[12 * HOUR + 55 * MIN, 'OVER_A_MINUTE']]);
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

describe('figures for a period', () => {
  it('counts sessions, outcomes, abandonment, feedback and time to outcome exactly', async () => {
    const f = await store.analytics(period());
    expect(f).toMatchObject({
      started: 6,
      finished: 3,
      outcomes: { resolved: 2, workaround: 0, escalated: 1, informational: 0 },
      abandoned: 2,
      inProgress: 1,
      resolutionRate: 2 / 3,
      feedback: { yes: 1, no: 1, rate: 0.5 },
      medianSecondsToOutcome: 180,
      perDay: [{ day: '2026-03-01', started: 6, finished: 3 }],
    });
    expect(f.comments).toEqual([{ at: expect.any(Number), flowId: FLOW, helpful: false, comment: 'Still broken' }]);
  });

  it('counts a session by the day it started, even when it finished on the next', async () => {
    const next = await store.analytics(period({ from: day('2026-03-02'), to: day('2026-03-03') }));
    expect(next).toMatchObject({ started: 1, finished: 1, medianSecondsToOutcome: 120 });
    const previous = await store.analytics(period({ from: day('2026-02-28'), to: MARCH_1 }));
    expect(previous).toMatchObject({ started: 1, finished: 1, medianSecondsToOutcome: 20 * 60 });
    const both = await store.analytics(period({ from: day('2026-02-28'), to: day('2026-03-03') }));
    expect(both.started).toBe(8);
    expect(both.perDay.map((d) => d.started)).toEqual([1, 6, 1]);
    // The median of 90 s, 120 s, 180 s, 300 s and 1200 s.
    expect(both.medianSecondsToOutcome).toBe(180);
  });

  it('filters by language and channel', async () => {
    expect((await store.analytics(period({ lng: 'sv' }))).started).toBe(4);
    expect(await store.analytics(period({ channel: 'widget' }))).toMatchObject({ started: 1, finished: 1, outcomes: { resolved: 1 } });
    expect((await store.analytics(period({ audience: 'agent' }))).started).toBe(0);
  });

  it('per step: who reached it, who left there, and which options they took', async () => {
    const f = await store.analytics(period({ flowId: FLOW }));
    expect(f.steps).toEqual({
      howLongAgo: { reached: 6, abandoned: 0 },
      checkSpam: { reached: 5, abandoned: 2 },
      waitAMinute: { reached: 1, abandoned: 0 },
      arrivedAfterWaiting: { reached: 1, abandoned: 0 },
      sendLoginLink: { reached: 1, abandoned: 0 },
      contactSupport: { reached: 1, abandoned: 0 },
      whyInSpam: { reached: 1, abandoned: 0 },
      markedAsSpamBefore: { reached: 1, abandoned: 0 },
    });
    expect(f.transitions).toEqual(
      expect.arrayContaining([
        { from: 'howLongAgo', event: 'OVER_A_MINUTE', to: 'checkSpam', count: 5 },
        { from: 'howLongAgo', event: 'UNDER_A_MINUTE', to: 'waitAMinute', count: 1 },
        { from: 'checkSpam', event: 'NOT_IN_SPAM', to: 'sendLoginLink', count: 1 },
        { from: 'checkSpam', event: 'FOUND_IN_SPAM', to: 'whyInSpam', count: 1 },
      ]),
    );
    expect(f.transitions).toHaveLength(7);
  });

  it('an outcome left with Back is no longer finished', async () => {
    clock = MARCH_1 + 20 * HOUR;
    await engine.back(s1);
    const f = await store.analytics(period());
    expect(f).toMatchObject({ finished: 2, outcomes: { escalated: 0 } });
    clock = MARCH_1 + 20 * HOUR + MIN;
    await engine.send(s1, 'LINK_FAILED', undefined);
    expect((await store.analytics(period())).finished).toBe(3);
  });

  it('an arrow counts the sessions that took it, as its step does: Back and the same answer again count once', async () => {
    // s1 (above) answered LINK_FAILED at sendLoginLink, went Back and answered it again.
    const arrow = (f: Awaited<ReturnType<typeof store.analytics>>) =>
      f.transitions!.find((t) => t.from === 'sendLoginLink' && t.event === 'LINK_FAILED')!.count;
    const f = await store.analytics(period({ flowId: FLOW }));
    expect(f.steps!.contactSupport!.reached).toBe(1);
    expect(arrow(f)).toBe(1);
    // The same from the steps of one version.
    const version = new FlowRegistry().get(FLOW)!.version;
    const v = await store.analytics(period({ flowId: FLOW, flowVersion: version }));
    expect(v.steps!.contactSupport!.reached).toBe(1);
    expect(arrow(v)).toBe(1);
  });
});

describe('counts kept before arrows counted sessions', () => {
  it('the migration finds the repeated moves in the steps kept, so old arrows agree with their steps', async () => {
    const path = join(tmp.dir, 'before-first-move.db');
    const before = migrations.findIndex((sql) => sql.includes('first_move'));
    const old = new Database(path);
    for (const sql of migrations.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    const at = MARCH_1 + HOUR;
    old.prepare(
      `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, created_at, updated_at)
       VALUES ('old', 'OLD-OLD', ?, 'v1', 'sv', 'participant', 'self', '{}', 'checkSpam', 'active', ?, ?)`,
    ).run(FLOW, at, at);
    const step = old.prepare('INSERT INTO steps (session_id, seq, state, event, snapshot, prev_state, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    step.run('old', 0, 'howLongAgo', 'START', '{}', null, at);
    step.run('old', 1, 'checkSpam', 'OVER_A_MINUTE', '{}', 'howLongAgo', at);
    step.run('old', 2, 'howLongAgo', 'BACK', '{}', 'checkSpam', at);
    step.run('old', 3, 'checkSpam', 'OVER_A_MINUTE', '{}', 'howLongAgo', at);
    // The running counts as the release before kept them: the arrow twice, the step once.
    const stats = old.prepare(`INSERT INTO step_stats VALUES ('2026-03-01', ?, 'sv', 'self', 'participant', ?, ?, ?, ?, ?)`);
    stats.run(FLOW, '', 'START', 'howLongAgo', 1, 1);
    stats.run(FLOW, 'howLongAgo', 'OVER_A_MINUTE', 'checkSpam', 2, 1);
    stats.run(FLOW, 'checkSpam', 'BACK', 'howLongAgo', 1, 0);
    old.close();
    const migrated = createSqliteStore(path, { now: () => NOW });
    const f = await migrated.analytics(period({ flowId: FLOW }));
    expect(f.steps!.checkSpam!.reached).toBe(1);
    expect(f.transitions).toEqual([{ from: 'howLongAgo', event: 'OVER_A_MINUTE', to: 'checkSpam', count: 1 }]);
    await migrated.close();
  });
});
