import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { escapeHtml } from '../../server/render/markdown.ts';
import { CHECK, CHECK_RESULT, type CheckVerdicts } from '../../flows/types.ts';
import { createDns } from '../../server/checks/dns.ts';
import { pathsToOutcomes, SAMPLE_VERDICTS, stateMeta } from '../support/walk.ts';
import { listen, testApp, type TestApp } from '../support/app.ts';
import { domainFor } from '../support/check-zone.ts';
import { startDnsServer, type Zone } from '../support/dns-server.ts';

/*
 * Every path of every flow, walked through the HTTP API as an integrator would: in each language and for both
 * audiences, each path ends at its outcome, and no text on the way is a missing key, an unfilled placeholder or
 * a fact placeholder that was not put back.
 */
/*
 * Check steps are walked for real: each sample verdict becomes a domain in a zone served by a DNS server on
 * 127.0.0.1, and the path sends that domain, so the live check itself yields the verdict the path expects.
 */
const domains = new Map<string, string>();
const zone: Zone = {};
const silent: string[] = [];
for (const flow of flows)
  for (const [state, node] of Object.entries(flow.machine.states)) {
    const check = (node.config.meta as { check?: { includes: readonly string[] } }).check;
    if (!check) continue;
    SAMPLE_VERDICTS.forEach((verdicts, i) => {
      const d = domainFor(verdicts, check.includes, `v${i}.${state.toLowerCase()}.${flow.id}`);
      if (!d) return;
      domains.set(`${flow.id}/${state}/${JSON.stringify(verdicts)}`, d.name);
      Object.assign(zone, d.zone);
      if (d.silent) silent.push(d.name, `_dmarc.${d.name}`);
    });
  }

let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  dnsServer = await startDnsServer(zone, silent);
  // The silent domains stand for a dead resolver; on loopback a short timeout tells the same story faster.
  t = testApp(undefined, { dns: createDns({ servers: [dnsServer.server], timeoutMs: 40, cacheMs: 60_000 }) });
  server = await listen(t.app);
});
afterAll(async () => {
  await server.stop();
  await t.close();
  dnsServer.close();
});

async function call(method: string, path: string, body?: object) {
  const res = await fetch(server.url + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

const keyPatterns = new Map<string, RegExp>();
function expectCleanText(text: string, where: string, flowId: string, stateIds: string[]) {
  // i18next answers a missing key with the key itself, e.g. "checkSpam.title".
  let missingKey = keyPatterns.get(flowId);
  if (!missingKey) keyPatterns.set(flowId, (missingKey = new RegExp(`(^|\\s)(${stateIds.join('|')})\\.(title|body|options)`)));
  const clean = text.trim() !== '' && !/\{\{|\}\}|\uE000|\uE001/.test(text) && !text.includes(`${flowId}:`) && !missingKey.test(text);
  expect(clean, `${where}: ${text.slice(0, 200)}`).toBe(true);
}

describe.each(flows.map((f) => [f.id, f] as const))('every path of %s', (flowId, flow) => {
  // A verdict no domain can produce for this check (an include missing where none is expected) is not walked.
  const paths = pathsToOutcomes(flow.machine).filter((p) =>
    p.events.every((e, i) => e !== CHECK_RESULT || domains.has(`${flowId}/${p.states[i]}/${JSON.stringify(p.data[i])}`)),
  );
  const stateIds = Object.keys(flow.machine.states);

  const combos = LANGUAGES.flatMap((lng) => (['participant', 'agent'] as const).map((audience) => [lng, audience] as const));

  // The eight language/audience walks run side by side: each waits on the server most of the time.
  it('ends at an outcome on every path, in every language, for both audiences', { timeout: 300_000 }, async () => {
    await Promise.all(combos.map(([lng, audience]) => walkAll(lng, audience)));
  });

  async function walkAll(lng: (typeof LANGUAGES)[number], audience: 'participant' | 'agent') {
      expect(paths.length).toBeGreaterThan(0);
      const shown: string[] = [];
      // A step's texts are the same on every path that reaches it: check each once, then only follow the path.
      const checked = new Set<string>();
      for (const path of paths) {
        let res = await call('POST', '/api/sessions', { flowId, lng, audience });
        expect(res.status).toBe(201);
        const id = res.body.sessionId;
        for (const [i, event] of path.events.entries()) {
          const { step } = res.body;
          const where = `${lng}/${audience} ${path.states.slice(0, i + 1).join('>')}`;
          expect(step.id, where).toBe(path.states[i]);
          if (!checked.has(step.id)) {
            checked.add(step.id);
            shown.push(step.title, step.bodyHtml, ...step.options.map((o: { label: string }) => escapeHtml(o.label)));
            expectCleanText(step.title, `${where} title`, flowId, stateIds);
            expectCleanText(step.bodyHtml, `${where} body`, flowId, stateIds);
            for (const o of step.options) expectCleanText(o.label, `${where} ${o.event}`, flowId, stateIds);
          }
          if (event === CHECK_RESULT) {
            const domain = domains.get(`${flowId}/${path.states[i]}/${JSON.stringify(path.data[i] as CheckVerdicts)}`)!;
            res = await call('POST', `/api/sessions/${id}/events`, { type: CHECK, data: { domain } });
            expect(res.status, `${where} --check ${domain}`).toBe(200);
            expect(res.body.step.check.report.domain).toBe(domain);
            if (!checked.has(domain)) {
              checked.add(domain);
              for (const v of res.body.step.check.verdicts) expectCleanText(v.text, `${where} verdict ${v.part}`, flowId, stateIds);
            }
            continue;
          }
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
        if (!checked.has(last)) {
          checked.add(last);
          shown.push(body.step.title, body.step.bodyHtml);
        }
      }
      // Every fact of the flow reaches the person: each value appears, exactly as written, in some step on the way.
      const pages = shown.join('\n');
      for (const [name, value] of Object.entries(flow.facts))
        for (const v of [value].flat()) expect(pages.includes(escapeHtml(v)), `fact ${name} ("${v}") in ${lng}/${audience}`).toBe(true);
      expect(t.errors).toEqual([]);
  }
});
