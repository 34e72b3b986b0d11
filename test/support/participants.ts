import Database from 'better-sqlite3';
import pg from 'pg';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';

/*
 * Simulated participants for the crash test and `npm run soak`: each walks a flow through the JSON API with random
 * answers, Back and Start over, and remembers how many transcript rows the server acknowledged, so the database can
 * be checked against what people were told.
 */

export interface View {
  sessionId: string;
  step: { id: string; options: { event: string }[]; final: boolean };
  history: unknown[];
}

export interface Tracked {
  id: string;
  /** Transcript rows the server acknowledged: START, then one per answer, Back or Start over. */
  acked: number;
  view: View;
  /** A request was on its way when the server stopped answering: it may or may not have been stored. */
  inFlight: boolean;
}

const random = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** What the database holds of one session: its rows, the last seq and the session's state. */
interface StoredRows {
  n: number;
  last: number | null;
  state: string | null;
}

export class Participants {
  readonly sessions: Tracked[] = [];
  /** Answers nobody should get: anything but 201 for a start and 200 for a step. */
  readonly unexpected: string[] = [];
  acknowledged = 0;

  /** @param timing called with each answered request's duration */
  constructor(private readonly timing?: (ms: number) => void) {}

  private async post(url: string, body?: object) {
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    this.timing?.(performance.now() - t0);
    return { status: res.status, text };
  }

  /** One participant's next move on `base`; false once the server stopped answering (or answered wrongly). */
  async act(base: string, mine: Tracked | undefined): Promise<Tracked | false> {
    if (!mine || (mine.view.step.final && Math.random() < 0.3)) {
      let res: { status: number; text: string };
      try {
        res = await this.post(`${base}/api/sessions`, { flowId: random(BUILTIN_FLOW_IDS), lng: random(LANGUAGES) });
      } catch {
        return false; // a session that may exist without anyone knowing its id: nothing was promised
      }
      if (res.status !== 201) {
        this.unexpected.push(`start: ${res.status} ${res.text.slice(0, 200)}`);
        return false;
      }
      const view = JSON.parse(res.text) as View;
      const tracked = { id: view.sessionId, acked: 1, view, inFlight: false };
      this.sessions.push(tracked);
      this.acknowledged++;
      return tracked;
    }
    // A check step's CHECK needs DNS; the participant skips it or goes back, as many would.
    const options = mine.view.step.options.filter((o) => o.event !== 'CHECK');
    const canGoBack = mine.view.history.length > 0;
    const path =
      mine.view.step.final || (options.length === 0 && !canGoBack)
        ? { url: `${base}/api/sessions/${mine.id}/restart` }
        : (canGoBack && Math.random() < 0.15) || options.length === 0
          ? { url: `${base}/api/sessions/${mine.id}/back` }
          : { url: `${base}/api/sessions/${mine.id}/events`, body: { type: random(options).event } };
    mine.inFlight = true;
    let res: { status: number; text: string };
    try {
      res = await this.post(path.url, path.body);
    } catch {
      return false;
    }
    mine.inFlight = false;
    if (res.status !== 200) {
      this.unexpected.push(`${mine.id} at ${mine.view.step.id}: ${res.status} ${res.text.slice(0, 200)}`);
      return false;
    }
    mine.view = JSON.parse(res.text) as View;
    mine.acked++;
    this.acknowledged++;
    return mine;
  }

  /** Picks every session up where the server says it is (after a restart). */
  async resync(base: string) {
    for (const s of this.sessions) {
      const res = await fetch(`${base}/api/sessions/${s.id}`);
      if (res.status !== 200) this.unexpected.push(`${s.id} after restart: ${res.status}`);
      else s.view = (await res.json()) as View;
    }
  }

  /**
   * Compares the database with what was acknowledged: every acknowledged row is stored (a request in flight may
   * have been stored too), seqs have no gaps, the session's state is its last step. Returns the steps that were
   * acknowledged but are missing; other problems go to `unexpected`. Then adopts what is stored.
   */
  verifyStored(file: string): number {
    const db = new Database(file, { readonly: true });
    try {
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') this.unexpected.push(`integrity_check: ${String(integrity)}`);
      const rows = db.prepare<[{ id: string }], StoredRows>(
        'SELECT count(*) AS n, max(seq) AS last, (SELECT state FROM sessions WHERE id = @id) AS state FROM steps WHERE session_id = @id',
      );
      return this.compare((id) => rows.get({ id })!);
    } finally {
      db.close();
    }
  }

  /** verifyStored for a PostgreSQL database (another process's): the same comparison, by SQL through `pg`. */
  async verifyStoredPostgres(url: string): Promise<number> {
    const client = new pg.Client(url);
    await client.connect();
    try {
      const stored = new Map<string, StoredRows>();
      for (const s of this.sessions) {
        const { rows } = await client.query(
          'SELECT count(*)::int AS n, max(seq) AS last, (SELECT state FROM sessions WHERE id = $1) AS state FROM steps WHERE session_id = $1',
          [s.id],
        );
        stored.set(s.id, rows[0] as StoredRows);
      }
      return this.compare((id) => stored.get(id)!);
    } finally {
      await client.end();
    }
  }

  private compare(storedOf: (id: string) => StoredRows): number {
    let lost = 0;
    for (const s of this.sessions) {
      const stored = storedOf(s.id);
      if (stored.n < s.acked) lost += s.acked - stored.n;
      else if (stored.n > s.acked + (s.inFlight ? 1 : 0)) this.unexpected.push(`${s.id}: ${s.acked} acknowledged, ${stored.n} stored`);
      if (stored.last !== stored.n - 1) this.unexpected.push(`${s.id}: seqs have gaps (${stored.n} rows, last ${stored.last})`);
      if (stored.n === s.acked && stored.state !== s.view.step.id)
        this.unexpected.push(`${s.id}: stored at ${stored.state}, acknowledged at ${s.view.step.id}`);
      s.acked = stored.n;
      s.inFlight = false;
    }
    return lost;
  }
}

/**
 * Calls `kill` at a random moment (within 700 ms) once `people` have had `steps` more steps acknowledged: on a
 * loaded machine a fixed delay could kill a server before it had served anyone, and the test would prove nothing.
 */
export async function killOnceBusy(people: Participants, steps: number, kill: () => void): Promise<void> {
  const from = people.acknowledged;
  while (people.acknowledged < from + steps) await new Promise((r) => setTimeout(r, 20));
  setTimeout(kill, Math.random() * 700);
}
