import Handlebars from 'handlebars';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorFor } from '../../server/auth/editors.ts';
import type { FlowDocument } from '../../server/content/document.ts';
import { PREVIEW_PATH_MAX, previewChoices } from '../../server/content/preview.ts';
import type { Language } from '../../server/i18n/locales.ts';
import type { AgentRecord, DraftRecord } from '../../server/store/types.ts';
import { addAgent, signIn } from '../support/agents.ts';
import type { TestApp } from '../support/app.ts';
import { syncedApp } from '../support/content.ts';

/*
 * Previewing a draft through its private link: no login, any language and audience, option links walked to an
 * ending, changes shown at once, nothing stored or counted, links replaced and closed, framing by the studio only.
 */

const FLOW = 'participant-no-email';
let t: TestApp;
let author: AgentRecord;
let studio: Awaited<ReturnType<typeof signIn>>;

beforeAll(async () => {
  t = await syncedApp();
  author = await addAgent(t, 'author@example.com', 'author');
  studio = await signIn(t, 'author@example.com');
}, 30_000);
afterAll(() => t.close());

const ctx = () => t.app.locals.ctx;
const newDraft = () => ctx().drafts.start(FLOW, editorFor(author));
/** Text as a page shows it: Handlebars escapes `&`, `=`, quotes and angle brackets. */
const escapeHtml = (text: string) => Handlebars.escapeExpression(text);
/** The studio's words in a language, as the pages show them (the texts are the locale files', not the test's). */
const studioText = (lng: Language, key: string, values?: Record<string, unknown>) => ctx().i18n.getFixedT(lng, 'studio')(key, values);
const attr = escapeHtml;
const unescape = (href: string) => href.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=');
const previewUrl = (token: string, lng: Language, audience: string, tokens: string[] = []) =>
  `/preview/${token}?lng=${lng}&audience=${audience}${tokens.length ? `&path=${tokens.join('.')}` : ''}`;
const optionLinks = (html: string) => [...(html.match(/<ul class="preview-options"[\s\S]*?<\/ul>/)?.[0] ?? '').matchAll(/href="([^"]+)"/g)].map((m) => unescape(m[1]!));

/** Makes a private link through the studio's form; returns its token and the studio page it leads to. */
async function makeLink(draftId: number, lng: Language = 'sv', audience = 'participant') {
  const res = await studio.client.post(`/admin/studio/drafts/${draftId}/preview-link`).type('form').send({ _csrf: studio.csrf, lng, audience }).expect(303);
  const location = res.headers.location as string;
  const token = /[?&]token=([A-Za-z0-9_-]{24})(&|$)/.exec(location)?.[1];
  expect(location).toMatch(new RegExp(`^/admin/studio/drafts/${draftId}/preview\\?`));
  expect(token).toBeDefined();
  const page = await studio.client.get(location).expect(200);
  // The studio page's address holds the token too: it must not leave in a Referer header either.
  expect(page.headers['referrer-policy']).toBe('no-referrer');
  return { token: token!, page: page.text };
}

/** The shortest way (as path tokens) from the first step to a step that `goal` accepts. */
function wayTo(doc: FlowDocument, goal: (step: string) => boolean): string[] {
  const seen = new Set([doc.machine.initial]);
  const queue: [string, string[]][] = [[doc.machine.initial, []]];
  while (queue.length) {
    const [step, way] = queue.shift()!;
    if (goal(step)) return way;
    for (const c of previewChoices(doc, step))
      if (!seen.has(c.target)) {
        seen.add(c.target);
        queue.push([c.target, [...way, c.token]]);
      }
  }
  throw new Error('no way there');
}

async function counts() {
  const sessions = await t.store.listSessions({ limit: 10, offset: 0 });
  const figures = await t.store.analytics({ from: 0, to: Date.now() + 86_400_000, abandonedBefore: 0 });
  return { sessions: sessions.total, started: figures.started };
}

describe('the studio preview page', () => {
  it('asks for a link first, then frames the private link at a phone size and offers it to copy', async () => {
    const draft = await newDraft();
    const first = await studio.client.get(`/admin/studio/drafts/${draft.id}/preview?lng=sv`).expect(200);
    expect(first.text).toContain(`action="/admin/studio/drafts/${draft.id}/preview-link"`);
    expect(first.text).toContain(escapeHtml(studioText('sv', 'preview.makeLink')));
    expect(first.text).not.toContain('<iframe');

    const { token, page } = await makeLink(draft.id, 'sv', 'participant');
    const src = previewUrl(token, 'sv', 'participant');
    expect(page).toMatch(new RegExp(`<iframe class="phone-frame" src="${attr(src).replace(/[?.]/g, '\\$&')}" width="375" height="667"`));
    expect(page).toContain(`<a href="${attr(src)}"`);
    expect(page).toContain(`readonly value="http://`);
    // The selectors keep the token, so changing the language reframes the same link.
    expect(page).toContain(`<input type="hidden" name="token" value="${token}">`);
    expect(page).toMatch(/<option value="sv" selected>Svenska<\/option>/);
  });

  it('needs a signed-in editor and the CSRF token to make a link', async () => {
    const draft = await newDraft();
    await request(t.app).post(`/admin/studio/drafts/${draft.id}/preview-link`).type('form').send({ _csrf: 'x' }).expect(401);
    await studio.client.post(`/admin/studio/drafts/${draft.id}/preview-link`).type('form').send({ _csrf: 'wrong' }).expect(403);
    await studio.client.post('/admin/studio/drafts/999999/preview-link').type('form').send({ _csrf: studio.csrf }).expect(404);
    await request(t.app).get(`/admin/studio/drafts/${draft.id}/preview`).expect(302);
  });
});

describe('a private preview link', () => {
  let draft: DraftRecord;
  let token: string;
  beforeAll(async () => {
    draft = await newDraft();
    ({ token } = await makeLink(draft.id));
  });

  it('shows the draft without a login, as participants see it, marked as a preview, never indexed', async () => {
    const res = await request(t.app).get(previewUrl(token, 'sv', 'participant')).expect(200);
    const first = draft.document.texts.sv.howLongAgo!;
    expect(res.text).toContain('<html lang="sv">');
    expect(res.text).toContain(escapeHtml(studioText('sv', 'preview.banner', { id: draft.id })));
    expect(res.text).toContain(`<h1 id="step-title" tabindex="-1">${escapeHtml(first.title)}</h1>`);
    for (const label of Object.values(first.options!)) expect(res.text).toContain(`>${escapeHtml(label)}</a>`);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toMatch(/noindex/);
    expect(res.headers['cache-control']).toBe('no-store');
    // The language switcher keeps the audience and the way taken.
    const deeper = await request(t.app).get(previewUrl(token, 'sv', 'agent', ['OVER_A_MINUTE'])).expect(200);
    expect(deeper.text).toContain(`href="${attr(previewUrl(token, 'de', 'agent', ['OVER_A_MINUTE']))}"`);
  });

  it.each(['sv', 'de'] as const)('is walked by its option links to an ending in %s, writing no session and counting nothing', async (lng) => {
    const before = await counts();
    const doc = draft.document;
    const way = wayTo(doc, (s) => doc.machine.states[s]!.type === 'final');
    expect(way.length).toBeGreaterThan(1);
    let url = previewUrl(token, lng, 'participant');
    for (let i = 0; i < way.length; i++) {
      const page = await request(t.app).get(url).expect(200);
      const next = previewUrl(token, lng, 'participant', way.slice(0, i + 1));
      expect(optionLinks(page.text)).toContain(next);
      url = next;
    }
    const end = await request(t.app).get(url).expect(200);
    const ending = way.reduce((step, token) => previewChoices(doc, step).find((c) => c.token === token)!.target, doc.machine.initial);
    expect(end.text).toContain(`<h1 id="step-title" tabindex="-1">${escapeHtml(doc.texts[lng][ending]!.title)}</h1>`);
    expect(end.text).toMatch(new RegExp(`class="badge outcome-${doc.machine.states[ending]!.meta.outcome}"`));
    expect(optionLinks(end.text)).toEqual([]);
    // An escalated ending shows a stand-in for the ref the participant gives support.
    const escalated = wayTo(doc, (s) => doc.machine.states[s]!.meta.outcome === 'escalated');
    const support = await request(t.app).get(previewUrl(token, lng, 'participant', escalated)).expect(200);
    expect(support.text).toContain('<span class="ref-code">ABC-123</span>');
    // The way so far is listed as on a participant's page, and Back drops the last answer.
    expect(end.text).toContain('class="history"');
    expect(end.text).toContain(`href="${attr(previewUrl(token, lng, 'participant', way.slice(0, -1)))}"`);
    expect(await counts()).toEqual(before);
  });

  it('shows the agent wording for the agent audience, and what the participant reads beside it', async () => {
    const de = draft.document.texts.de.howLongAgo!;
    expect(de.body_agent).toContain('Fragen Sie den Kunden');
    const agent = await request(t.app).get(previewUrl(token, 'de', 'agent')).expect(200);
    expect(agent.text).toContain('Fragen Sie den Kunden, wann die E-Mail verschickt wurde.');
    expect(agent.text).toContain('id="participant-heading"');
    const participant = await request(t.app).get(previewUrl(token, 'de', 'participant')).expect(200);
    expect(participant.text).not.toContain('Fragen Sie den Kunden');
    expect(participant.text).toContain('landet normalerweise');
  });

  it("offers a check step's routes in place of a real check and follows them", async () => {
    const doc = draft.document;
    const way = wayTo(doc, (s) => s === 'checkSpf');
    const url = previewUrl(token, 'en', 'participant', way);
    const res = await request(t.app).get(url).expect(200);
    expect(res.text).toContain('In the real guide the person types a domain here and the server checks it.');
    expect(res.text).not.toContain('name="domain"');
    expect(res.text).toContain('Preview: the check finds SPF ok</a>');
    expect(res.text).toContain('Preview: the check finds any other result</a>');
    const links = optionLinks(res.text);
    expect(links).toContain(previewUrl(token, 'en', 'participant', [...way, 'CHECK_RESULT~0']));
    expect(links).toContain(previewUrl(token, 'en', 'participant', [...way, 'SKIP_CHECK']));
    const verified = await request(t.app).get(previewUrl(token, 'en', 'participant', [...way, 'CHECK_RESULT~0'])).expect(200);
    expect(verified.text).toContain(`${escapeHtml(doc.texts.en.spfVerified!.title)}</h1>`);
  });

  it('shows a saved change (a fact and a Swedish text) at once, and never installs the draft in the app', async () => {
    const own = await newDraft();
    const { token: link } = await makeLink(own.id);
    const before = await request(t.app).get(previewUrl(link, 'sv', 'participant')).expect(200);
    expect(before.text).not.toContain('Hur länge sedan? (utkast)');
    const doc = structuredClone(own.document);
    doc.texts.sv.howLongAgo!.title = 'Hur länge sedan? (utkast)';
    doc.facts.deliveryMinutes = '4711';
    const saved = await ctx().drafts.save(own.id, doc, editorFor(author), { ifRevision: own.revision, sourceLng: 'sv' });
    const after = await request(t.app).get(previewUrl(link, 'sv', 'participant')).expect(200);
    expect(after.text).toContain('Hur länge sedan? (utkast)</h1>');
    expect(after.text).toContain('4711');
    // Neither the registry nor the app's i18next instance got the draft's version.
    expect(ctx().flows.version(FLOW, saved.hash)).toBeUndefined();
    expect(ctx().i18n.hasResourceBundle('sv', `${FLOW}@${saved.hash}`)).toBe(false);
    // The published guide is as it was.
    const live = await request(t.app).get(`/flows/${FLOW}?lng=sv`).expect(200);
    expect(live.text).not.toContain('(utkast)');
  });

  it('answers a path the draft does not have with a 400 page in the preview language, not a 500', async () => {
    const wrong = await request(t.app).get(previewUrl(token, 'de', 'participant', ['OVER_A_MINUTE', 'NO_SUCH_OPTION'])).expect(400);
    expect(wrong.text).toContain('<html lang="de">');
    expect(wrong.text).toContain(`href="${attr(previewUrl(token, 'de', 'participant'))}"`);
    // A check's route index that does not exist, CHECK itself (a real check), lower case, junk, too long.
    const check = wayTo(draft.document, (s) => s === 'checkSpf');
    for (const path of [[...check, 'CHECK_RESULT~9'], [...check, 'CHECK'], ['over_a_minute'], ['OVER_A_MINUTE', '']]) {
      await request(t.app).get(previewUrl(token, 'en', 'participant', path)).expect(400);
    }
    await request(t.app).get(`/preview/${token}?path=%3Cscript%3E`).expect(400);
    await request(t.app).get(`/preview/${token}?path=A&path=B`).expect(400);
    const loop = Array.from({ length: PREVIEW_PATH_MAX + 1 }, (_, i) => (i % 2 ? 'STILL_MISSING' : 'UNDER_A_MINUTE'));
    await request(t.app).get(previewUrl(token, 'en', 'participant', loop)).expect(400);
    expect(t.errors).toEqual([]);
  });

  it('falls back to defaults for an odd language or audience', async () => {
    const res = await request(t.app).get(`/preview/${token}?lng=xx&audience=robot`).set('accept-language', 'de').expect(200);
    expect(res.text).toContain('<html lang="de">');
    expect(res.text).toContain(escapeHtml(studioText('de', 'preview.audience.participant')));
  });
});

describe('links that no longer work', () => {
  it('an old token stops working after a new link, and every link after the draft is discarded', async () => {
    const draft = await newDraft();
    const { token: old } = await makeLink(draft.id);
    const { token: fresh } = await makeLink(draft.id);
    expect(fresh).not.toBe(old);
    await request(t.app).get(previewUrl(old, 'sv', 'participant')).expect(404);
    await request(t.app).get(previewUrl(fresh, 'sv', 'participant')).expect(200);
    await ctx().drafts.discard(draft.id, editorFor(author));
    const closed = await request(t.app).get(previewUrl(fresh, 'sv', 'participant')).expect(404);
    expect(closed.text).toContain('<html lang="sv">');
    // The studio page of a closed draft says so and offers no link.
    const page = await studio.client.get(`/admin/studio/drafts/${draft.id}/preview?token=${fresh}`).expect(200);
    expect(page.text).not.toContain('<iframe');
    await studio.client.post(`/admin/studio/drafts/${draft.id}/preview-link`).type('form').send({ _csrf: studio.csrf }).expect(409);
  });

  it('an unknown or malformed token is a 404', async () => {
    await request(t.app).get('/preview/AAAAAAAAAAAAAAAAAAAAAAAA').expect(404);
    await request(t.app).get('/preview/short').expect(404);
    await request(t.app).get(`/preview/${'x'.repeat(5000)}`).expect(404);
  });
});

describe('a draft that cannot be put together', () => {
  it('shows its problems with a link to the draft instead of a step', async () => {
    const draft = await newDraft();
    const doc = structuredClone(draft.document);
    doc.machine.states.howLongAgo!.on!.OVER_A_MINUTE = 'nowhereYet';
    await ctx().drafts.save(draft.id, doc, editorFor(author), { ifRevision: draft.revision, sourceLng: 'en' });
    const { token } = await makeLink(draft.id, 'en');
    const res = await request(t.app).get(previewUrl(token, 'en', 'participant')).expect(200);
    expect(res.text).toContain('This draft cannot be shown yet');
    expect(res.text).toContain('nowhereYet');
    expect(res.text).toContain(`href="/admin/studio/drafts/${draft.id}"`);
    expect(t.errors).toEqual([]);
  });
});

describe('framing', () => {
  it('the preview may be framed by this site only; every other page by none', async () => {
    const draft = await newDraft();
    const { token } = await makeLink(draft.id);
    for (const url of [previewUrl(token, 'sv', 'participant'), '/preview/AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await request(t.app).get(url);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'self'(;|$)/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
    for (const res of [await studio.client.get(`/admin/studio/drafts/${draft.id}/preview?token=${token}`), await request(t.app).get('/'), await request(t.app).get('/previews')]) {
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['content-security-policy']).not.toMatch(/frame-ancestors 'self'/);
    }
  });
});
