import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.ts';
import { tempDir } from '../support/app.ts';

/*
 * Many participants step through every flow while the server is killed with SIGKILL at random moments and
 * restarted on the same file. Whatever a participant was told (a 2xx) must be in the database afterwards, and
 * every session must carry on from there.
 */

const PARTICIPANTS = 24;
const KILLS = 5;
const tmp = tempDir('mailhelp-crash-');
afterAll(() => tmp.remove());

interface View {
  sessionId: string;
  step: { id: string; options: { event: string }[]; final: boolean };
  history: unknown[];
}

interface Tracked {
  id: string;
  /** Transcript rows the server has acknowledged: START, then one per answer, Back or Start over. */
  acked: number;
  view: View;
  /** A request was on its way when the server died: it may or may not have been stored. */
  inFlight: boolean;
}

function start(file: string): Promise<{ url: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DB_PATH: file, NODE_ENV: 'production', LOG_LEVEL: 'silent', SESSIONS_PER_MINUTE: '1000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, proc });
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d));
    proc.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before listening: ${out}`)));
  });
}

const random = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

describe('crash safety', () => {
  it(`${PARTICIPANTS} participants, ${KILLS} SIGKILLs at random moments: no acknowledged step is lost`, { timeout: 60_000 }, async () => {
    const file = join(tmp.dir, 'crash.db');
    const sessions: Tracked[] = [];
    const unexpected: string[] = [];
    let acknowledged = 0;

    /** One participant's next move; false once the server stopped answering. */
    async function act(url: string, mine: Tracked | undefined): Promise<Tracked | false> {
      const post = (path: string, body?: object) =>
        fetch(url + path, {
          method: 'POST',
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
      if (!mine || (mine.view.step.final && Math.random() < 0.3)) {
        let res: Response;
        try {
          res = await post('/api/sessions', { flowId: random(flows).id, lng: random(['sv', 'no', 'de', 'en']) });
        } catch {
          return false; // a session that may exist without anyone knowing its id: nothing was promised
        }
        if (res.status !== 201) {
          unexpected.push(`start: ${res.status} ${await res.text()}`);
          return false;
        }
        const view = (await res.json()) as View;
        const tracked = { id: view.sessionId, acked: 1, view, inFlight: false };
        sessions.push(tracked);
        acknowledged++;
        return tracked;
      }
      const options = mine.view.step.options.filter((o) => o.event !== 'CHECK');
      const canGoBack = mine.view.history.length > 0;
      const move =
        mine.view.step.final || (options.length === 0 && !canGoBack)
          ? () => post(`/api/sessions/${mine.id}/restart`)
          : (canGoBack && Math.random() < 0.15) || options.length === 0
            ? () => post(`/api/sessions/${mine.id}/back`)
            : () => post(`/api/sessions/${mine.id}/events`, { type: random(options).event });
      let res: Response;
      mine.inFlight = true;
      try {
        res = await move();
        const view = (await res.json()) as View;
        if (res.status !== 200) unexpected.push(`${mine.id} at ${mine.view.step.id}: ${res.status} ${JSON.stringify(view)}`);
        else {
          mine.view = view;
          mine.acked++;
          acknowledged++;
        }
      } catch {
        return false;
      }
      mine.inFlight = false;
      return mine;
    }

    /** After a crash: every acknowledged row is stored; adopt what is there (an unacknowledged row may be too). */
    function verifyStored() {
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const rows = db.prepare<[{ id: string }], { n: number; last: number; state: string }>(
          `SELECT count(*) AS n, max(seq) AS last, (SELECT state FROM sessions WHERE id = @id) AS state FROM steps WHERE session_id = @id`,
        );
        for (const s of sessions) {
          const stored = rows.get({ id: s.id })!;
          if (stored.n !== s.acked && !(s.inFlight && stored.n === s.acked + 1))
            unexpected.push(`${s.id}: ${s.acked} acknowledged, ${stored.n} stored`);
          expect(stored.last).toBe(stored.n - 1); // seqs without gaps
          if (stored.n === s.acked) expect(stored.state).toBe(s.view.step.id);
          s.acked = stored.n;
          s.inFlight = false;
        }
      } finally {
        db.close();
      }
    }

    for (let round = 0; round <= KILLS; round++) {
      const { url, proc } = await start(file);
      // Everyone picks up where the server says they are: the step stored last, acknowledged or not.
      for (const s of sessions) {
        const res = await fetch(`${url}/api/sessions/${s.id}`);
        expect(res.status).toBe(200);
        s.view = (await res.json()) as View;
      }
      if (round === KILLS) {
        const after = await Promise.all(sessions.map((s) => act(url, s)));
        expect(after.every(Boolean)).toBe(true);
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
        break;
      }
      const exited = new Promise((r) => proc.once('exit', r));
      setTimeout(() => proc.kill('SIGKILL'), 300 + Math.random() * 700);
      const mine = [...sessions];
      await Promise.all(
        Array.from({ length: PARTICIPANTS }, async (_, i) => {
          let current: Tracked | false | undefined = mine[i];
          while ((current = await act(url, current || undefined)) !== false);
        }),
      );
      await exited;
      verifyStored();
    }
    verifyStored();
    expect(unexpected).toEqual([]);
    // The run did real work: hundreds of acknowledged steps across the crashes.
    expect(acknowledged).toBeGreaterThan(KILLS * PARTICIPANTS);
  });
});
