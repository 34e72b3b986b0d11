import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionView } from '../../server/engine/engine.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { tFor } from '../../server/i18n/i18n.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { sessionJsonText } from '../../server/render/session-json.ts';
import { sessionJson } from '../../server/routes/api.ts';
import { AUDIENCES } from '../../server/store/types.ts';
import { appWithZone, checkZone, pathWalk, seenOf, type Driver } from '../support/flow-paths.ts';
import type { FlowPath } from '../support/walk.ts';

/*
 * The API writes a session's JSON directly (sessionJsonText), with each step's JSON kept: it must be exactly what
 * JSON.stringify(sessionJson(view)) gives, byte for byte. Checked on paths that take every move of every built-in
 * guide (every step, and every check verdict), in every language and for both audiences, at every step of the way (check steps with real lookups on a local DNS server),
 * going back once at each outcome, and with a notice.
 */
const flows = new FlowRegistry().list;
const zone = checkZone(flows);
let app: Awaited<ReturnType<typeof appWithZone>>;
beforeAll(async () => {
  app = await appWithZone(zone);
});
afterAll(() => app.close());

/** Paths that between them reach every state and take every move any path takes (the longest first). */
function coveringPaths(paths: FlowPath[]): FlowPath[] {
  const seen = new Set<string>();
  const moves = (p: FlowPath) => p.events.map((e, i) => `${p.states[i]}/${e}/${JSON.stringify(p.data[i] ?? null)}`);
  return [...paths]
    .sort((a, b) => b.events.length - a.events.length)
    .filter((p) => {
      const fresh = moves(p).filter((m) => !seen.has(m));
      fresh.forEach((m) => seen.add(m));
      return fresh.length > 0;
    });
}

describe('session JSON written directly', () => {
  it('is byte for byte the JSON of sessionJson, for every step of every guide in every language', { timeout: 300_000 }, async () => {
    const { engine, i18n } = app.t.app.locals.ctx;
    let compared = 0;
    const same = (view: SessionView) => {
      const t = tFor(i18n, view.lng);
      expect(sessionJsonText(view, t)).toBe(JSON.stringify(sessionJson(view, t)));
      // Twice: the second time the step's JSON comes from what was kept.
      expect(sessionJsonText(view, t)).toBe(JSON.stringify(sessionJson(view, t)));
      compared++;
      return view;
    };
    const seen = (view: SessionView) => seenOf(view, i18n);
    const driver: Driver = {
      async start(flowId, lng, audience) {
        const view = same(await engine.start({ flowId, lng, audience }));
        return { id: view.session.id, seen: seen(view) };
      },
      async send(id, type, input) {
        const view = same(await engine.send(id, type, input));
        if (view.session.status === 'finished') {
          same(await engine.back(id));
          same({ ...(await engine.send(id, type, input)), notice: 'flow_changed' });
        }
        return seen(view);
      },
    };
    const tasks = flows.flatMap((flow) => {
      const paths = coveringPaths(zone.pathsOf(flow));
      return LANGUAGES.flatMap((lng) => AUDIENCES.map((audience) => pathWalk(driver, flow, zone, lng, audience))).flatMap((walk) => paths.map((path) => () => walk.walk(path)));
    });
    // Many sessions at once, as in test/flows/paths.test.ts: the store commits their steps together.
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }));
    expect(compared).toBeGreaterThan(1000);
  });
});
