import { ON_POSTGRES } from '../support/app.ts';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDocuments } from '../../server/content/builtin.ts';
import type { FlowDocument } from '../../server/content/document.ts';
import { syncBuiltins } from '../../server/content/sync.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { addAgent, signIn } from '../support/agents.ts';
import type { TestApp } from '../support/app.ts';
import { editedDocument, retitled, syncedApp } from '../support/content.ts';

/*
 * Guides as versioned documents over real HTTP on a real SQLite file: publishing while sessions run, rollback,
 * drafts and their problems, who may do what through /api/admin, the audit log, and analytics per version.
 */

const TOKEN = 'a-test-admin-token-0123456789';
const FLOW = 'participant-no-email';
const bearer = { authorization: `Bearer ${TOKEN}` };

let t: TestApp;
beforeAll(async () => {
  t = await syncedApp(undefined, { config: { ADMIN_TOKEN: TOKEN } });
});
afterAll(() => t.close());

/** The guide with the checkSpam step's FOUND_IN_SPAM renamed SPAM_FOUND (machine and texts) and retitled in English. */
const renamed = () =>
  editedDocument(FLOW, (d) => {
    const on = d.machine.states.checkSpam!.on!;
    d.machine.states.checkSpam!.on = Object.fromEntries(Object.entries(on).map(([e, to]) => [e === 'FOUND_IN_SPAM' ? 'SPAM_FOUND' : e, to]));
    for (const lng of LANGUAGES) {
      const options = d.texts[lng].checkSpam!.options!;
      d.texts[lng].checkSpam!.options = Object.fromEntries(Object.entries(options).map(([e, label]) => [e === 'FOUND_IN_SPAM' ? 'SPAM_FOUND' : e, label]));
    }
    d.texts.en.checkSpam!.title = 'Edited: look in the spam folder';
  });

/** Stores a draft and publishes it with the admin token; returns the new version. */
async function publish(doc: FlowDocument, note = 'test') {
  const draft = await request(t.app).post(`/api/admin/flows/${doc.id}/drafts`).set(bearer).send(doc).expect(201);
  const res = await request(t.app).post(`/api/admin/flows/${doc.id}/publish`).set(bearer).send({ draft: draft.body.draft.id, note }).expect(201);
  return res.body as { number: number; hash: string };
}

const startSession = async (flowId = FLOW) => (await request(t.app).post('/api/sessions').send({ flowId, lng: 'en' }).expect(201)).body;
const answer = (id: string, type: string) => request(t.app).post(`/api/sessions/${id}/events?lng=en`).send({ type });

describe('publishing while sessions run', () => {
  it('a session mid-way finishes on the version it started on; new sessions start on the new one', async () => {
    const before = await startSession();
    const original = before.step.title;
    const atSpam = (await answer(before.sessionId, 'OVER_A_MINUTE').expect(200)).body;
    expect(atSpam.step.id).toBe('checkSpam');
    const spamTitle = atSpam.step.title;

    const v2 = await publish(renamed(), 'rename FOUND_IN_SPAM');
    expect(v2.number).toBe(2);

    // The running session: still the old wording and the old option, to its end.
    const again = (await request(t.app).get(`/api/sessions/${before.sessionId}?lng=en`).expect(200)).body;
    expect(again.step.title).toBe(spamTitle);
    expect(again.notice).toBeUndefined();
    expect(again.step.options.map((o: { event: string }) => o.event)).toContain('FOUND_IN_SPAM');
    const next = (await answer(before.sessionId, 'FOUND_IN_SPAM').expect(200)).body;
    expect(next.step.id).toBe('whyInSpam');
    const stored = await t.store.getSession(before.sessionId);
    expect(stored!.flowVersion).not.toBe(v2.hash);
    // Its transcript is in the words it was shown.
    await addAgent(t, 'reader@example.com', 'agent');
    const { client } = await signIn(t, 'reader@example.com');
    const transcript = (await client.get(`/api/sessions/${before.sessionId}/transcript?lng=en`).expect(200)).text;
    expect(transcript).toContain(spamTitle);
    expect(transcript).not.toContain('Edited: look in the spam folder');

    // A new session: the new version, where the old option no longer exists.
    const fresh = await startSession();
    expect(fresh.step.title).toBe(original);
    const freshSpam = (await answer(fresh.sessionId, 'OVER_A_MINUTE').expect(200)).body;
    expect(freshSpam.step.title).toBe('Edited: look in the spam folder');
    expect((await answer(fresh.sessionId, 'FOUND_IN_SPAM').expect(409)).body.error.code).toBe('event_not_allowed');
    expect((await answer(fresh.sessionId, 'SPAM_FOUND').expect(200)).body.step.id).toBe('whyInSpam');
    expect((await t.store.getSession(fresh.sessionId))!.flowVersion).toBe(v2.hash);

    // Start over is a fresh start: the old session goes on with the new version.
    await request(t.app).post(`/api/sessions/${before.sessionId}/restart`).expect(200);
    expect((await t.store.getSession(before.sessionId))!.flowVersion).toBe(v2.hash);
    expect((await answer(before.sessionId, 'OVER_A_MINUTE').expect(200)).body.step.title).toBe('Edited: look in the spam folder');
  });

  // Reads or writes the SQLite file itself (its rows, a second process on it): SQLite only.
  it.skipIf(ON_POSTGRES)('a pinned version this process never installed is read from the database', async () => {
    const session = await startSession();
    const hash = (await t.store.getSession(session.sessionId))!.flowVersion;
    await publish(retitled('Pinned elsewhere'), 'retitle');
    // A second app over the same file knows only the latest versions, as another instance would after a restart.
    const other = await syncedApp(t.file);
    const { ctx } = other.app.locals;
    expect(ctx.flows.get(FLOW)!.version).not.toBe(hash);
    expect(ctx.flows.version(FLOW, hash)).toBeUndefined();
    const res = await request(other.app).get(`/api/sessions/${session.sessionId}?lng=en`).expect(200);
    expect(res.body.step.title).toBe(session.step.title);
    expect(res.body.notice).toBeUndefined();
    expect(ctx.flows.version(FLOW, hash)).toBeDefined();
    await other.store.close();
  });
});

describe('rollback', () => {
  it('publishes an earlier version again as a new number with the same content, which new sessions get', async () => {
    const versions = (await request(t.app).get(`/api/admin/flows/${FLOW}/versions`).set(bearer).expect(200)).body as { number: number; hash: string }[];
    const latest = versions[0]!;
    const first = versions.at(-1)!;
    expect(first.number).toBe(1);
    const res = await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ version: 1, note: 'back to the built-in' }).expect(201);
    expect(res.body).toMatchObject({ number: latest.number + 1, hash: first.hash, note: 'back to the built-in', via: 'token', publishedBy: null });
    expect(res.headers.location).toBe(`/api/admin/flows/${FLOW}/versions/${latest.number + 1}`);
    const session = await startSession();
    expect((await t.store.getSession(session.sessionId))!.flowVersion).toBe(first.hash);
    const shown = (await request(t.app).get(`/api/admin/flows/${FLOW}`).set(bearer).expect(200)).body;
    expect(shown).toMatchObject({ number: latest.number + 1, hash: first.hash });
    expect(shown.document.version).toBe(latest.number + 1);
    // The same content again is nothing to publish.
    const same = await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ version: 1 }).expect(409);
    expect(same.body.error.code).toBe('document_unchanged');
    expect((await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ version: 999 }).expect(404)).body.error.code).toBe(
      'unknown_version',
    );
  });
});

describe('drafts and their problems', () => {
  it('an invalid document is 422 with every problem, and nothing is stored', async () => {
    const audit = (await t.store.listAudit({ limit: 1000, offset: 0 })).length;
    const versions = (await t.store.listVersions(FLOW)).length;
    const broken = editedDocument(FLOW, (d) => {
      (d.machine.states.waitAMinute!.meta as { kind: string }).kind = 'riddle';
      d.texts.de.checkSpam!.title = '';
      d.machine.states.checkSpam!.on!.NOT_IN_SPAM = 'noSuchStep';
    });
    for (const path of ['drafts', 'publish']) {
      const body = path === 'drafts' ? broken : { draft: 'x' };
      const res = await request(t.app).post(`/api/admin/flows/${FLOW}/${path}`).set(bearer).send(body);
      if (path === 'publish') {
        expect(res.status).toBe(400);
        continue;
      }
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_document');
      expect(res.body.error.problems.length).toBeGreaterThanOrEqual(1);
      for (const p of res.body.error.problems) expect(typeof p.message).toBe('string');
      expect(res.body.error.problems).toContainEqual(expect.objectContaining({ path: 'machine.states.waitAMinute.meta.kind' }));
    }
    const wrongId = await request(t.app).post(`/api/admin/flows/another-guide/drafts`).set(bearer).send(retitled('x')).expect(422);
    expect(wrongId.body.error.problems).toEqual([expect.objectContaining({ path: 'id' })]);
    const notAGuide = await request(t.app).post(`/api/admin/flows/${FLOW}/drafts`).set(bearer).send({ id: FLOW }).expect(422);
    expect(notAGuide.body.error.problems.length).toBeGreaterThan(0);
    expect((await t.store.listAudit({ limit: 1000, offset: 0 })).length).toBe(audit);
    expect((await t.store.listVersions(FLOW)).length).toBe(versions);
  });

  it('a draft of another guide, or none, cannot be published here', async () => {
    const other = editedDocument('track-sent-email', (d) => {
      d.texts.en.title = 'Tracked';
    });
    const draft = await request(t.app).post('/api/admin/flows/track-sent-email/drafts').set(bearer).send(other).expect(201);
    expect(draft.body.problems).toEqual([]);
    const res = await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ draft: draft.body.draft.id }).expect(404);
    expect(res.body.error.code).toBe('unknown_draft');
    expect((await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ draft: 99999 }).expect(404)).body.error.code).toBe('unknown_draft');
  });

  it('a document with a new id adds a guide, which the start list offers and a session can run', async () => {
    const doc = editedDocument('track-sent-email', (d) => {
      d.id = 'sixth-guide';
      delete d.machine.id;
      for (const lng of LANGUAGES) d.texts[lng].title = `Sixth guide (${lng})`;
    });
    const v = await publish(doc, 'a new guide');
    expect(v.number).toBe(1);
    const list = (await request(t.app).get('/api/flows?lng=de').expect(200)).body as { id: string; title: string }[];
    expect(list).toContainEqual(expect.objectContaining({ id: 'sixth-guide', title: 'Sixth guide (de)' }));
    const session = await startSession('sixth-guide');
    expect(session.flowId).toBe('sixth-guide');
    const guides = (await request(t.app).get('/api/admin/flows?lng=en').set(bearer).expect(200)).body as { id: string; title: string }[];
    expect(guides).toContainEqual(expect.objectContaining({ id: 'sixth-guide', title: 'Sixth guide (en)', version: expect.objectContaining({ number: 1 }) }));
  });
});

describe('who may change guides', () => {
  let author: Awaited<ReturnType<typeof signIn>>;
  let translator: Awaited<ReturnType<typeof signIn>>;
  let agent: Awaited<ReturnType<typeof signIn>>;
  let admin: Awaited<ReturnType<typeof signIn>>;
  beforeAll(async () => {
    await addAgent(t, 'author@example.com', 'author');
    await t.store.createAgent({ ...(await addAgent(t, 'tmp@example.com', 'agent')), email: 'translator@example.com', role: 'translator', languages: ['de'] });
    await addAgent(t, 'agent@example.com', 'agent');
    await addAgent(t, 'admin@example.com', 'admin');
    author = await signIn(t, 'author@example.com');
    translator = await signIn(t, 'translator@example.com');
    agent = await signIn(t, 'agent@example.com');
    admin = await signIn(t, 'admin@example.com');
  });

  const latest = async () => (await request(t.app).get(`/api/admin/flows/${FLOW}`).set(bearer).expect(200)).body as { number: number; document: FlowDocument };

  it('nobody without a login or a valid token; agents not at all', async () => {
    for (const path of [`/api/admin/flows`, `/api/admin/flows/${FLOW}`, `/api/admin/flows/${FLOW}/versions`, `/api/admin/flows/${FLOW}/versions/1`, '/api/admin/audit'])
      for (const [client, status] of [
        [request(t.app), 401],
        [agent.client, 403],
      ] as const) {
        const res = await client.get(path).expect(status);
        expect(res.body.error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
      }
    await request(t.app).post(`/api/admin/flows/${FLOW}/drafts`).send(retitled('anon')).expect(401);
    await agent.client.post(`/api/admin/flows/${FLOW}/drafts`).set('x-csrf-token', agent.csrf).send(retitled('agent')).expect(403);
    const wrong = await request(t.app).get('/api/admin/flows').set('authorization', 'Bearer not-the-token-at-all').expect(401);
    expect(wrong.body.error.code).toBe('unauthorized');
  });

  it('an author drafts and publishes (with the login CSRF token), but cannot read the audit log', async () => {
    const doc = retitled('By the author');
    const noCsrf = await author.client.post(`/api/admin/flows/${FLOW}/drafts`).send(doc).expect(403);
    expect(noCsrf.body.error.code).toBe('csrf_failed');
    const draft = await author.client.post(`/api/admin/flows/${FLOW}/drafts`).set('x-csrf-token', author.csrf).send(doc).expect(201);
    const v = await author.client
      .post(`/api/admin/flows/${FLOW}/publish`)
      .set('x-csrf-token', author.csrf)
      .send({ draft: draft.body.draft.id, note: 'author edit' })
      .expect(201);
    expect(v.body).toMatchObject({ via: 'console', publishedBy: { name: 'author', email: 'author@example.com' }, note: 'author edit' });
    await author.client.get('/api/admin/flows').expect(200);
    expect((await author.client.get('/api/admin/audit').expect(403)).body.error.code).toBe('forbidden');
  });

  it('a translator changes the texts of their languages only', async () => {
    const base = await latest();
    const german = structuredClone(base.document);
    german.texts.de.howLongAgo!.title = 'Wann wurde die E-Mail gesendet? (überarbeitet)';
    const ok = await translator.client.post(`/api/admin/flows/${FLOW}/drafts`).set('x-csrf-token', translator.csrf).send(german).expect(201);
    const v = await translator.client.post(`/api/admin/flows/${FLOW}/publish`).set('x-csrf-token', translator.csrf).send({ draft: ok.body.draft.id }).expect(201);
    expect(v.body.number).toBe(base.number + 1);

    const english = structuredClone(german);
    english.texts.en.howLongAgo!.title = 'Not theirs';
    const refused = await translator.client.post(`/api/admin/flows/${FLOW}/drafts`).set('x-csrf-token', translator.csrf).send(english).expect(403);
    expect(refused.body.error.message).toContain('texts.en.howLongAgo.title');
    const structure = structuredClone(german);
    structure.facts.product = 'Something else';
    expect((await translator.client.post(`/api/admin/flows/${FLOW}/drafts`).set('x-csrf-token', translator.csrf).send(structure).expect(403)).body.error.message).toContain(
      'facts.product',
    );
    // A rollback changes more than German texts; a new guide is more than a translation.
    await translator.client.post(`/api/admin/flows/${FLOW}/publish`).set('x-csrf-token', translator.csrf).send({ version: 1 }).expect(403);
    const newGuide = editedDocument('track-sent-email', (d) => {
      d.id = 'translated-guide';
      delete d.machine.id;
    });
    await translator.client.post('/api/admin/flows/translated-guide/drafts').set('x-csrf-token', translator.csrf).send(newGuide).expect(403);
    // A draft made against an older version is judged against the version it would replace.
    const draft = await translator.client.post(`/api/admin/flows/${FLOW}/drafts`).set('x-csrf-token', translator.csrf).send(
      Object.assign(structuredClone(german), { texts: { ...german.texts, de: { ...german.texts.de, title: 'Neuer Titel' } } }),
    );
    expect(draft.status).toBe(201);
    await publish(retitled('Moved on meanwhile'));
    await translator.client.post(`/api/admin/flows/${FLOW}/publish`).set('x-csrf-token', translator.csrf).send({ draft: draft.body.draft.id }).expect(403);
  });

  it('the audit log says who did what, from which version to which', async () => {
    const log = (await admin.client.get(`/api/admin/audit?flow=${FLOW}&limit=100`).expect(200)).body as {
      action: string;
      via: string;
      agent: { email: string } | null;
      fromVersion: number | null;
      toVersion: number | null;
      note: string | null;
    }[];
    expect(log.at(-1)).toMatchObject({ action: 'publish', via: 'release', agent: null, fromVersion: null, toVersion: 1 });
    expect(log).toContainEqual(expect.objectContaining({ action: 'rollback', via: 'token', toVersion: expect.any(Number), note: 'back to the built-in' }));
    const byAuthor = log.filter((e) => e.agent?.email === 'author@example.com');
    expect(byAuthor.map((e) => e.action)).toEqual(['publish', 'draft']);
    expect(byAuthor[0]!.toVersion).toBe(byAuthor[0]!.fromVersion! + 1);
    expect(log.filter((e) => e.agent?.email === 'translator@example.com').map((e) => e.action)).toEqual(['draft', 'publish', 'draft']);
    // Refused attempts leave no entry; newest first.
    const ids = log.map((e) => (e as unknown as { id: number }).id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const all = (await request(t.app).get('/api/admin/audit?limit=500').set(bearer).expect(200)).body as { flowId: string }[];
    expect(new Set(all.map((e) => e.flowId))).toEqual(new Set([...BUILTIN_FLOW_IDS, 'sixth-guide']));
    expect((await request(t.app).get('/api/admin/audit?limit=0').set(bearer).expect(400)).body.error.code).toBe('invalid_input');
  });
});

describe('a release’s update held back', () => {
  it('is shown beside the guide, published on request, and then gone', async () => {
    // A release whose participant-no-email differs, after people published edits: it waits.
    const release = builtinDocuments().map((d) => (d.id === FLOW ? editedDocument(FLOW, (e) => void (e.texts.en.summary = 'From the next release')) : d));
    expect((await syncBuiltins(t.store, release)).find((o) => o.flowId === FLOW)!.result).toBe('pending');
    const shown = (await request(t.app).get(`/api/admin/flows/${FLOW}`).set(bearer).expect(200)).body;
    expect(shown.pending.document.texts.en.summary).toBe('From the next release');
    expect(shown.document.texts.en.summary).not.toBe('From the next release');
    const listed = (await request(t.app).get('/api/admin/flows').set(bearer).expect(200)).body as { id: string; pending?: unknown }[];
    expect(listed.find((g) => g.id === FLOW)!.pending).toMatchObject({ hash: shown.pending.hash });
    const published = await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ pending: true, note: 'reviewed' }).expect(201);
    expect(published.body).toMatchObject({ number: shown.number + 1, hash: shown.pending.hash, note: 'reviewed' });
    expect((await request(t.app).get(`/api/admin/flows/${FLOW}`).set(bearer).expect(200)).body.pending).toBeUndefined();
    expect((await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ pending: true }).expect(404)).body.error.code).toBe('unknown_version');
  });
});

describe('analytics per version', () => {
  it('counts only the sessions of the version asked for', async () => {
    const versions = (await request(t.app).get(`/api/admin/flows/${FLOW}/versions`).set(bearer).expect(200)).body as { number: number; hash: string }[];
    const counts = new Map<number, number>();
    for (const v of versions) {
      const sessions = (await t.store.listSessions({ flowId: FLOW, limit: 10_000, offset: 0 })).sessions.filter((s) => s.flowVersion === v.hash);
      const figures = (await request(t.app).get(`/api/analytics/flows/${FLOW}?version=${v.number}`).set(await adminCookie()).expect(200)).body;
      expect(figures.version).toBe(v.number);
      expect(figures.started).toBe(sessions.length);
      counts.set(v.number, figures.started);
    }
    // Sessions ran on at least two different versions, so the filter had something to tell apart.
    expect(new Set(counts.values()).size).toBeGreaterThan(1);
    const v2 = (await request(t.app).get(`/api/analytics/flows/${FLOW}?version=2`).set(await adminCookie()).expect(200)).body;
    expect(v2.steps.checkSpam.reached).toBeGreaterThan(0);
    expect(v2.transitions).toContainEqual(expect.objectContaining({ from: 'checkSpam', event: 'SPAM_FOUND', to: 'whyInSpam' }));
    // Version 1's sessions never saw version 2's option. (A session counts under the version it is on now: the one
    // restarted onto version 2 brought its earlier FOUND_IN_SPAM along, so that is not asked of version 2.)
    const v1 = (await request(t.app).get(`/api/analytics/flows/${FLOW}?version=1`).set(await adminCookie()).expect(200)).body;
    expect(v1.started).toBeGreaterThan(0);
    expect(JSON.stringify(v1.transitions)).not.toContain('"SPAM_FOUND"');
    expect((await request(t.app).get(`/api/analytics/flows/${FLOW}?version=999`).set(await adminCookie()).expect(404)).body.error.code).toBe('unknown_version');
    const csv = await request(t.app).get(`/admin/analytics/sessions.csv?flow=${FLOW}&version=2`).set(await adminCookie()).expect(200);
    expect(csv.text.trim().split('\n').length - 1).toBe(counts.get(2));
    await request(t.app).get(`/admin/analytics/sessions.csv?version=2`).set(await adminCookie()).expect(400);
    // The dashboard offers the guide's versions to choose from, the one shown selected.
    const page = await request(t.app).get(`/admin/analytics?flow=${FLOW}&version=1`).set(await adminCookie()).set('accept-language', 'sv').expect(200);
    const select = /<select id="a-version" name="version">(.*?)<\/select>/s.exec(page.text)?.[1] ?? '';
    expect([...select.matchAll(/<option value="(\d+)"( selected)?>/g)].map((m) => `${m[1]}${m[2] ? '*' : ''}`)).toEqual(
      (await t.store.listVersions(FLOW)).map((v) => `${v.number}${v.number === 1 ? '*' : ''}`),
    );
    expect(select).toMatch(/<option value="1" selected>Version 1 \(\d{4}-\d\d-\d\d\)</);
    expect(select).toContain('Alla versioner');
    expect((await request(t.app).get('/admin/analytics').set(await adminCookie()).expect(200)).text).not.toContain('name="version"');
  });
});

let cookie: { cookie: string } | undefined;
/** The admin's login cookie, for routes that read it directly (analytics takes its own token, not ADMIN_TOKEN). */
async function adminCookie() {
  if (cookie) return cookie;
  const { client } = await signIn(t, 'admin@example.com');
  const res = await client.get('/agent');
  cookie = { cookie: (res.request as unknown as { cookies: string }).cookies };
  return cookie;
}
