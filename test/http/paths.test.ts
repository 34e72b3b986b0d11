import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.ts';
import { LANGUAGES } from '../../server/locales.ts';
import { escapeHtml } from '../../server/render/markdown.ts';
import { pathsToOutcomes, stateMeta } from '../flows/walk.ts';
import { listen, testApp, type TestApp } from '../support/app.ts';

/*
 * Every path of every flow, walked through the HTTP API as an integrator would: in each language and for both
 * audiences, each path ends at its outcome, and no text on the way is a missing key, an unfilled placeholder or
 * a fact placeholder that was not put back.
 */
let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  t = testApp();
  server = await listen(t.app);
});
afterAll(async () => {
  await server.stop();
  await t.close();
});

async function call(method: string, path: string, body?: object) {
  const res = await fetch(server.url + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

function expectCleanText(text: string, where: string, flowId: string, stateIds: string[]) {
  expect(text.trim(), where).not.toBe('');
  expect(text, where).not.toMatch(/\{\{|\}\}|\uE000|\uE001/);
  expect(text, where).not.toContain(`${flowId}:`);
  // i18next answers a missing key with the key itself, e.g. "checkSpam.title".
  for (const s of stateIds) expect(text, where).not.toMatch(new RegExp(`(^|\\s)${s}\\.(title|body|options)`));
}

describe.each(flows.map((f) => [f.id, f] as const))('every path of %s', (flowId, flow) => {
  const paths = pathsToOutcomes(flow.machine);
  const stateIds = Object.keys(flow.machine.states);

  it.each(LANGUAGES.flatMap((lng) => (['participant', 'agent'] as const).map((audience) => [lng, audience] as const)))(
    'in %s for the %s audience ends at an outcome',
    async (lng, audience) => {
      expect(paths.length).toBeGreaterThan(0);
      const shown: string[] = [];
      for (const path of paths) {
        let res = await call('POST', '/api/sessions', { flowId, lng, audience });
        expect(res.status).toBe(201);
        const id = res.body.sessionId;
        for (const [i, event] of path.events.entries()) {
          const { step } = res.body;
          const where = `${lng}/${audience} ${path.states.slice(0, i + 1).join('>')}`;
          expect(step.id, where).toBe(path.states[i]);
          shown.push(step.title, step.bodyHtml, ...step.options.map((o: { label: string }) => escapeHtml(o.label)));
          expectCleanText(step.title, `${where} title`, flowId, stateIds);
          expectCleanText(step.bodyHtml, `${where} body`, flowId, stateIds);
          for (const o of step.options) expectCleanText(o.label, `${where} ${o.event}`, flowId, stateIds);
          expect(step.options.map((o: { event: string }) => o.event)).toContain(event);
          res = await call('POST', `/api/sessions/${id}/events`, { type: event });
          expect(res.status, `${where} --${event}`).toBe(200);
        }
        const last = path.states[path.states.length - 1]!;
        const { body } = res;
        expect(body.step.id).toBe(last);
        expect(body.step.final).toBe(true);
        expect(body.status).toBe('finished');
        expect(body.outcome).toBe(stateMeta(flow.machine, last).outcome);
        expectCleanText(body.step.title, `${lng}/${audience} ${last} title`, flowId, stateIds);
        expectCleanText(body.step.bodyHtml, `${lng}/${audience} ${last} body`, flowId, stateIds);
        expect(body.history.map((h: { stepId: string }) => h.stepId)).toEqual(path.states.slice(0, -1));
        for (const h of body.history) expectCleanText(h.answer, `${lng} history ${h.stepId}`, flowId, stateIds);
        shown.push(body.step.title, body.step.bodyHtml);
      }
      // Every fact of the flow reaches the person: each value appears, exactly as written, in some step on the way.
      const pages = shown.join('\n');
      for (const [name, value] of Object.entries(flow.facts))
        for (const v of [value].flat()) expect(pages.includes(escapeHtml(v)), `fact ${name} ("${v}") in ${lng}/${audience}`).toBe(true);
      expect(t.errors).toEqual([]);
    },
  );
});
