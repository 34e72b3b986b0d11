import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_RESULT } from '../../flows/types.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { AUDIENCES } from '../../server/store/types.ts';
import { listen } from '../support/app.ts';
import { compileLinked, everyDocument } from '../fixtures/documents.ts';
import { appWithZone, checkZone, pathWalk, type Driver, type Seen } from '../support/flow-paths.ts';

/*
 * A path of every flow in every language, walked through the HTTP API as an integrator would, with real DNS
 * lookups for check steps: the routes carry a session from start to outcome with the same texts, checks and
 * outcome the engine gives. Every path in every language and audience is walked in-process by
 * test/flows/paths.test.ts; here each language takes a different long path, through a check where the flow has
 * one, and the languages alternate between the two audiences.
 */
const documents = everyDocument();
const zone = checkZone(documents.map(compileLinked));
let app: Awaited<ReturnType<typeof appWithZone>>;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  app = await appWithZone(zone);
  // Guides from files join the built-in ones as an import would add them.
  for (const doc of documents) app.t.app.locals.ctx.flows.install(doc, { current: true });
  server = await listen(app.t.app);
});
afterAll(async () => {
  await server.stop();
  await app.close();
});

async function call(method: string, path: string, body: object) {
  const res = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** The public Session JSON, read as what a person sees. */
const seen = (body: Seen & { step: { check?: { report: { domain?: string }; verdicts?: { part: string; text: string }[]; explanation?: string } } }): Seen => ({
  ...body,
  ...(body.step.check ? { check: { domain: body.step.check.report.domain ?? '', verdicts: body.step.check.verdicts ?? [{ part: 'bounce', text: body.step.check.explanation ?? '' }] } } : {}),
});

const api: Driver = {
  async start(flowId, lng, audience) {
    const res = await call('POST', '/api/sessions', { flowId, lng, audience });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ flowId, lng, audience });
    return { id: res.body.sessionId, seen: seen(res.body) };
  },
  async send(id, type, input) {
    const res = await call('POST', `/api/sessions/${id}/events`, input === undefined ? { type } : { type, data: input });
    expect(res.status, `--${type} ${JSON.stringify(input ?? '')}: ${JSON.stringify(res.body)}`).toBe(200);
    return seen(res.body);
  },
};

describe.each(documents.map((d) => [d.id, compileLinked(d)] as const))('a path of %s over HTTP', (_id, flow) => {
  // Long paths first, and those through a check before the rest.
  const withCheck = (p: { events: string[] }) => (p.events.includes(CHECK_RESULT) ? 1 : 0);
  const paths = zone.pathsOf(flow).sort((a, b) => withCheck(b) - withCheck(a) || b.events.length - a.events.length);

  it.each(LANGUAGES.map((lng, i) => [lng, AUDIENCES[i % AUDIENCES.length]!, i] as const))(
    'ends at its outcome in %s for the %s',
    async (lng, audience, i) => {
      await pathWalk(api, flow, zone, lng, audience).walk(paths[i % paths.length]!);
      expect(app.t.errors).toEqual([]);
    },
  );
});
