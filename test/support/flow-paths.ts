import { expect } from 'vitest';
import { CHECK, CHECK_RESULT, type BounceVerdicts, type CheckVerdicts, type FlowDefinition, type HeaderVerdicts } from '../../flows/types.ts';
import { factIn } from '../../server/content/document.ts';
import type { Language } from '../../server/i18n/locales.ts';
import { escapeHtml } from '../../server/render/markdown.ts';
import type { Audience } from '../../server/store/types.ts';
import { createDns } from '../../server/checks/dns.ts';
import type { SessionView } from '../../server/engine/engine.ts';
import { tFor } from '../../server/i18n/i18n.ts';
import { checkView } from '../../server/render/check.ts';
import { headersView } from '../../server/render/headers.ts';
import { headersFor } from './header-samples.ts';
import { bounceFor } from './bounce-samples.ts';
import { bounceView, type BounceView } from '../../server/render/bounce.ts';

/** A bounce's explanation and what to do, as the texts a walk checks. */
const bounceVerdictTexts = (v: BounceView) => [
  { part: 'bounce', text: v.explanation },
  { part: 'whatToDo', text: v.whatToDo },
];
import { testApp, type TestApp } from './app.ts';
import { domainFor } from './check-zone.ts';
import { startDnsServer, type Zone } from './dns-server.ts';
import { pathsToOutcomes, SAMPLE_VERDICTS, stateMeta, type FlowPath } from './walk.ts';

/*
 * Walking a flow's paths as a person does, one step at a time through the running app, and checking what they see
 * on the way: the step the path expects, texts with no missing key or unfilled placeholder, the outcome at the end.
 * The same walk runs in-process on the engine (every path) and over HTTP (a few), through a `Driver`.
 */

/** What a person sees after a request, whichever way it was sent. */
export interface Seen {
  step: { id: string; title: string; bodyHtml: string; options: { event: string; label: string }[]; final: boolean };
  status: string;
  outcome?: string | null;
  history: { stepId: string; answer: string }[];
  /** After a check: the domain it looked up and its verdicts in words. */
  check?: { domain: string; verdicts: { part: string; text: string }[] };
}

/** What a person sends with CHECK: a domain at a domain check, pasted headers at a headers check. */
export type CheckInput = { domain: string } | { headers: string } | { text: string };

export interface Driver {
  start(flowId: string, lng: Language, audience: Audience): Promise<{ id: string; seen: Seen }>;
  /** Sends an option; a check step's CHECK comes with the domain to check, or the headers pasted. */
  send(id: string, type: string, input?: CheckInput): Promise<Seen>;
}

/*
 * Check steps are walked for real: each sample verdict becomes a domain in a zone served by a DNS server on
 * 127.0.0.1, and the path sends that domain, so the live check itself yields the verdict the path expects.
 * A failed lookup is a server failure here, not a server that never answers: a timeout short enough to keep
 * hundreds of such walks fast is one a busy machine overruns for a good answer too. Timeouts have their own tests
 * (test/server/checks.test.ts).
 */
export function checkZone(flows: readonly FlowDefinition[]) {
  const domains = new Map<string, string>();
  const zone: Zone = {};
  const servfail: string[] = [];
  for (const flow of flows)
    for (const state of Object.keys(flow.machine.states)) {
      const check = stateMeta(flow.machine, state).check;
      if (check?.type !== 'email-domain') continue;
      SAMPLE_VERDICTS.forEach((verdicts, i) => {
        const d = domainFor(verdicts, check.includes, `v${i}.${state.toLowerCase()}.${flow.id}`);
        if (!d) return;
        domains.set(`${flow.id}/${state}/${JSON.stringify(verdicts)}`, d.name);
        Object.assign(zone, d.zone);
        if (d.silent) servfail.push(d.name, `_dmarc.${d.name}`);
      });
    }
  /** The domain whose check gives `verdicts` at `state`. */
  const domainOf = (flowId: string, state: string, verdicts: unknown) => domains.get(`${flowId}/${state}/${JSON.stringify(verdicts as CheckVerdicts)}`);
  /** What to send at a check step for its check to give `verdicts`: a domain in the zone, or headers saying so. */
  const inputOf = (flow: FlowDefinition, state: string, verdicts: unknown): CheckInput | undefined => {
    if (stateMeta(flow.machine, state).check?.type === 'bounce') return { text: bounceFor(verdicts as BounceVerdicts) };
    if (stateMeta(flow.machine, state).check?.type === 'headers') {
      const headers = headersFor(verdicts as HeaderVerdicts);
      return headers === undefined ? undefined : { headers };
    }
    const domain = domainOf(flow.id, state, verdicts);
    return domain === undefined ? undefined : { domain };
  };
  /**
   * Every path to an outcome of the flow that a live check can take. A verdict no domain can produce for a check
   * (an include missing where none is expected) is not walked.
   */
  const pathsOf = (flow: FlowDefinition): FlowPath[] =>
    pathsToOutcomes(flow.machine).filter((p) => p.events.every((e, i) => e !== CHECK_RESULT || inputOf(flow, p.states[i]!, p.data[i])));
  return { zone, servfail, domainOf, inputOf, pathsOf };
}

export type CheckZone = ReturnType<typeof checkZone>;

/** The app's own engine (built by createApp, with its DNS checker), driven directly. */
export function engineDriver(app: TestApp['app']): Driver {
  const { engine, i18n } = app.locals.ctx;
  const seen = (view: SessionView) => seenOf(view, i18n);
  return {
    async start(flowId, lng, audience) {
      const view = await engine.start({ flowId, lng, audience });
      return { id: view.session.id, seen: seen(view) };
    },
    send: async (id, type, input) => seen(await engine.send(id, type, input)),
  };
}

/** What a walk checks of an engine's answer: the step, where the session stands, and a check's verdicts in words. */
export function seenOf(view: SessionView, i18n: TestApp['app']['locals']['ctx']['i18n']): Seen {
  return {
    step: view.step,
    status: view.session.status,
    outcome: view.session.outcome,
    history: view.history,
    ...(view.check ? { check: { domain: view.check.domain, verdicts: checkView(view.check, tFor(i18n, view.lng)).verdicts } } : {}),
    ...(view.headersCheck ? { check: { domain: '', verdicts: headersView(view.headersCheck, tFor(i18n, view.lng)).verdicts } } : {}),
    ...(view.bounceCheck ? { check: { domain: '', verdicts: bounceVerdictTexts(bounceView(view.bounceCheck, tFor(i18n, view.lng))) } } : {}),
  };
}

/** The app on a real SQLite file, its checks asking a DNS server on 127.0.0.1 that serves `zone`. */
export async function appWithZone(zone: CheckZone) {
  const dnsServer = await startDnsServer(zone.zone, [], zone.servfail);
  const t = testApp(undefined, { dns: createDns({ servers: [dnsServer.server], cacheMs: 60_000 }) });
  return {
    t,
    async close() {
      await t.close();
      dnsServer.close();
    },
  };
}

/** Fails unless `text` reads as finished text: not empty, no placeholder, no key that i18next gave back unresolved. */
function cleanTextCheck(flow: FlowDefinition) {
  // i18next answers a missing key with the key itself, e.g. "checkSpam.title".
  const missingKey = new RegExp(`(^|\\s)(${Object.keys(flow.machine.states).join('|')})\\.(title|body|options)`);
  return (text: string, where: string) => {
    const clean = text.trim() !== '' && !/\{\{|\}\}|\uE000|\uE001/.test(text) && !text.includes(`${flow.id}:`) && !missingKey.test(text);
    expect(clean, `${where}: ${text.slice(0, 200)}`).toBe(true);
  };
}

export interface PathWalk {
  lng: Language;
  audience: Audience;
  /** Everything shown on the way (titles, bodies, labels as HTML), each step once. */
  shown: string[];
  /** Walks one path to its outcome, asserting every step on the way. */
  walk(path: FlowPath): Promise<void>;
}

/**
 * Walks paths of one flow in one language and audience. A step's texts are the same on every path that reaches
 * it, so each step (and each checked domain's verdicts) is checked once, then only followed.
 */
export function pathWalk(driver: Driver, flow: FlowDefinition, zone: CheckZone, lng: Language, audience: Audience): PathWalk {
  const expectClean = cleanTextCheck(flow);
  const shown: string[] = [];
  const checked = new Set<string>();
  const walk = async (path: FlowPath) => {
    let { id, seen } = await driver.start(flow.id, lng, audience);
    for (const [i, event] of path.events.entries()) {
      const { step } = seen;
      const where = `${flow.id} ${lng}/${audience} ${path.states.slice(0, i + 1).join('>')}`;
      expect(step.id, where).toBe(path.states[i]);
      if (!checked.has(step.id)) {
        checked.add(step.id);
        shown.push(step.title, step.bodyHtml, ...step.options.map((o) => escapeHtml(o.label)));
        expectClean(step.title, `${where} title`);
        expectClean(step.bodyHtml, `${where} body`);
        for (const o of step.options) expectClean(o.label, `${where} ${o.event}`);
      }
      if (event === CHECK_RESULT) {
        // The person sends the domain (or pastes headers); the check's verdicts are what move the flow on.
        const input = zone.inputOf(flow, path.states[i]!, path.data[i])!;
        expect(step.options.map((o) => o.event), where).toContain(CHECK);
        seen = await driver.send(id, CHECK, input);
        const key = 'domain' in input ? input.domain : `${step.id} ${JSON.stringify(path.data[i])}`;
        expect(seen.check?.domain, `${where} --check ${key}`).toBe('domain' in input ? input.domain : '');
        if (!checked.has(key)) {
          checked.add(key);
          for (const v of seen.check!.verdicts) expectClean(v.text, `${where} verdict ${v.part}`);
        }
        continue;
      }
      expect(step.options.map((o) => o.event), where).toContain(event);
      seen = await driver.send(id, event);
    }
    const last = path.states.at(-1)!;
    const where = `${flow.id} ${lng}/${audience} ${last}`;
    expect(seen.step.id, where).toBe(last);
    expect(seen.step.final, where).toBe(true);
    expect(seen.status, where).toBe('finished');
    expect(seen.outcome, where).toBe(stateMeta(flow.machine, last).outcome);
    expectClean(seen.step.title, `${where} title`);
    expectClean(seen.step.bodyHtml, `${where} body`);
    expect(seen.history.map((h) => h.stepId), where).toEqual(path.states.slice(0, -1));
    for (const h of seen.history) expectClean(h.answer, `${flow.id} ${lng} history ${h.stepId}`);
    if (!checked.has(last)) {
      checked.add(last);
      shown.push(seen.step.title, seen.step.bodyHtml);
    }
  };
  return { lng, audience, shown, walk };
}

/** Every fact of the flow reaches the person: each value appears, exactly as written, in some step on the way. */
export function expectEveryFactShown(flow: FlowDefinition, walked: PathWalk) {
  const pages = walked.shown.join('\n');
  for (const [name, value] of Object.entries(flow.facts))
    for (const v of [factIn(value, walked.lng)].flat())
      expect(pages.includes(escapeHtml(v)), `fact ${name} ("${v}") in ${walked.lng}/${walked.audience}`).toBe(true);
}
