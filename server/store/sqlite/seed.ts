import type Database from 'better-sqlite3';
import { initialTransition, transition } from 'xstate';
import { CHECK, CHECK_RESULT, OUTCOMES } from '../../../flows/types.ts';
import { stepMeta, type RegisteredFlow } from '../../engine/flow-registry.ts';
import { LANGUAGES } from '../../i18n/locales.ts';
import { CHANNELS } from '../types.ts';

export interface SeedOptions {
  /** About how many step rows to write. */
  steps: number;
  /** Sessions start over this many days before `now`. */
  days: number;
  now?: number;
  /** Deterministic: the same seed gives the same history. */
  seed?: number;
}

/** A small deterministic PRNG (mulberry32), so a seeded history can be reproduced. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VERDICT = { spf: { status: 'ok' }, mx: { status: 'ok' }, dmarc: { status: 'ok' } };

/**
 * Writes a large, realistic history for benchmarks: sessions walking the real flows at random (some abandoned on
 * the way), with their steps, outcomes and some feedback, in big transactions straight into SQLite.
 */
export function seedHistory(db: Database.Database, flows: readonly RegisteredFlow[], options: SeedOptions): { sessions: number; steps: number } {
  const rnd = random(options.seed ?? 42);
  const now = options.now ?? Date.now();
  const span = options.days * 24 * 3600 * 1000;
  // Each flow as a table: state → the (event, next state) pairs a person can take.
  const graphs = flows.map((flow) => {
    const edges = new Map<string, { event: string; to: string }[]>();
    for (const id of Object.keys(flow.machine.states)) {
      const meta = stepMeta(flow, id)!;
      const from = flow.machine.resolveState({ value: id, context: {} });
      const list = (meta.options ?? []).map(({ event }) => {
        const sent = event === CHECK ? { type: CHECK_RESULT, data: VERDICT } : { type: event };
        return { event: sent.type, to: String(transition(flow.machine, from, sent)[0].value) };
      });
      edges.set(id, list);
    }
    return { flow, edges, initial: String(initialTransition(flow.machine)[0].value) };
  });

  const insertSession = db.prepare(
    `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, outcome,
       created_at, updated_at, finished_at)
     VALUES (?, ?, ?, ?, ?, 'participant', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertStep = db.prepare(
    'INSERT INTO steps (session_id, seq, state, event, snapshot, prev_state, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertFeedback = db.prepare('INSERT INTO feedback (session_id, state, helpful, comment, at) VALUES (?, ?, ?, NULL, ?)');
  // Most sessions come from the help site itself.
  const channelMix = ['self', ...CHANNELS];
  let steps = 0;
  let sessions = 0;
  const batch = db.transaction((count: number) => {
    for (let i = 0; i < count && steps < options.steps; i++) {
      const g = graphs[Math.floor(rnd() * graphs.length)]!;
      const id = `seed${(sessions++).toString(36).padStart(8, '0')}`;
      const created = now - Math.floor(rnd() * span);
      let at = created;
      let state = g.initial;
      const rows: [string, string, string | null, number][] = [[state, 'START', null, at]];
      let final = false;
      while (!final && rnd() > 0.08) {
        const options = g.edges.get(state)!;
        if (options.length === 0) break;
        const pick = options[Math.floor(rnd() * options.length)]!;
        at += Math.floor(5_000 + rnd() * 120_000);
        rows.push([pick.to, pick.event, state, at]);
        state = pick.to;
        final = g.flow.machine.states[state]!.type === 'final';
      }
      const outcome = final ? (stepMeta(g.flow, state)!.outcome ?? OUTCOMES[0]) : null;
      const snapshot = JSON.stringify({ value: state, context: {} });
      insertSession.run(id, `S${sessions.toString(36).toUpperCase()}`.slice(0, 7), g.flow.id, g.flow.version, LANGUAGES[sessions % LANGUAGES.length],
        channelMix[sessions % channelMix.length], snapshot, state, final ? 'finished' : 'active', outcome, created, at, final ? at : null);
      rows.forEach(([s, event, prev, t], seq) => insertStep.run(id, seq, s, event, JSON.stringify({ value: s, context: {} }), prev, t));
      steps += rows.length;
      if (final && rnd() < 0.3) insertFeedback.run(id, state, rnd() < 0.7 ? 1 : 0, at + 10_000);
    }
  });
  while (steps < options.steps) batch(5000);
  // The running per-step counts, rebuilt from what was written (the app keeps them up to date step by step).
  db.exec(`DELETE FROM step_stats;
    INSERT INTO step_stats
    SELECT date(s.created_at / 1000, 'unixepoch'), s.flow_id, s.lng, s.channel, s.audience, coalesce(st.prev_state, ''),
      st.event, st.state, count(*), sum(st.first_visit), sum(st.first_move)
    FROM (SELECT *, (row_number() OVER (PARTITION BY session_id, state ORDER BY seq)) = 1 AS first_visit,
      (row_number() OVER (PARTITION BY session_id, coalesce(prev_state, ''), event, state ORDER BY seq)) = 1 AS first_move
      FROM steps) st
    JOIN sessions s ON s.id = st.session_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;`);
  return { sessions, steps };
}
