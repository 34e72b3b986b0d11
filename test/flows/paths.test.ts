import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK, CHECK_RESULT } from '../../flows/types.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { AUDIENCES } from '../../server/store/types.ts';
import { compileLinked, everyDocument } from '../fixtures/documents.ts';
import { appWithZone, checkZone, engineDriver, expectEveryFactShown, pathWalk } from '../support/flow-paths.ts';
import { optionsBackOnPath, stateMeta } from '../support/walk.ts';

/*
 * Every path of every guide (built-in, or a document file under test/fixtures), in every language and for both
 * audiences, walked through the engine the app runs, on a real SQLite file and with real DNS lookups for check
 * steps: each path ends at its outcome, and no text on the way is a missing key, an unfilled placeholder or a fact
 * placeholder that was not put back. The paths live in the engine, so they are walked here without HTTP;
 * test/http/paths.test.ts walks one per flow and language over HTTP.
 */
const documents = everyDocument();
const zone = checkZone(documents.map(compileLinked));
let app: Awaited<ReturnType<typeof appWithZone>>;
beforeAll(async () => {
  app = await appWithZone(zone);
  // Guides from files join the built-in ones as an import would add them.
  for (const doc of documents) app.t.app.locals.ctx.flows.install(doc, { current: true });
});
afterAll(() => app.close());

const PARALLEL = 64;

/** Runs the tasks, at most `limit` at a time; rejects with the first failure. */
async function inParallel(tasks: (() => Promise<void>)[], limit: number) {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

const combos = LANGUAGES.flatMap((lng) => AUDIENCES.map((audience) => [lng, audience] as const));

describe.each(documents.map((d) => [d.id, compileLinked(d)] as const))('every path of %s', (_id, flow) => {
  const paths = zone.pathsOf(flow);

  it('takes every option of every step on some path it walks', () => {
    // A check's CHECK option is taken by sending a domain; paths a live check cannot take are left out above.
    const taken = new Set(paths.flatMap((p) => p.events.map((e, i) => `${p.states[i]}/${e === CHECK_RESULT ? CHECK : e}`)));
    for (const back of optionsBackOnPath(flow.machine, paths)) taken.add(back);
    const offered = Object.keys(flow.machine.states).flatMap((s) => (stateMeta(flow.machine, s).options ?? []).map((o) => `${s}/${o.event}`));
    expect([...taken].sort()).toEqual(offered.sort());
  });

  it('ends at an outcome on every path, in every language, for both audiences', { timeout: 300_000 }, async () => {
    const driver = engineDriver(app.t.app);
    const walks = combos.map(([lng, audience]) => pathWalk(driver, flow, zone, lng, audience));
    // Many sessions at once: the store commits their steps together, and a check waiting on DNS holds up no other.
    await inParallel(
      walks.flatMap((w) => paths.map((path) => () => w.walk(path))),
      PARALLEL,
    );
    for (const walked of walks) expectEveryFactShown(flow, walked);
  });
});
