import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password.ts';
import { builtinDocuments } from '../../server/content/builtin.ts';
import type { Editor } from '../../server/content/service.ts';
import { syncBuiltins } from '../../server/content/sync.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { addAgent, PASSWORD } from '../support/agents.ts';
import { seriousA11yViolations, useBrowserApp } from '../support/browser.ts';

/*
 * The studio in Chromium, as its three kinds of user meet it: an author who changes a fact and a Swedish text,
 * previews the draft on a phone-size frame, publishes, compares and rolls back; an author who builds a guide from
 * scratch with JavaScript off; and a translator who finds the German text the Swedish change made stale.
 */

const FLOW = 'participant-no-email';
const ui = useBrowserApp(async (t) => {
  await syncBuiltins(t.store, builtinDocuments());
  await t.app.locals.ctx.content.installLatest();
  await addAgent(t, 'ann@example.com', 'author', 'Ann Author');
  await t.store.createAgent({ email: 'dana@example.com', name: 'Dana', role: 'translator', passwordHash: await hashPassword(PASSWORD), languages: ['de'] });
});

async function signedIn(email: string, options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  // axe is injected inline, which the app's CSP forbids: bypassCSP lets the test run it, nothing else.
  const context = await ui.browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, bypassCSP: true, ...options });
  const page = await context.newPage();
  await page.goto(`${ui.url}/agent/login?next=/admin/studio`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${ui.url}/admin/studio`);
  return { context, page };
}

async function expectAccessible(page: Page) {
  const violations = await seriousA11yViolations(page);
  for (const v of violations) for (const n of v.nodes) console.log(v.id, await page.locator(n.target.join(' ')).first().evaluate((e) => e.outerHTML.slice(0, 600)));
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), page.url()).toEqual([]);
}

/** The first step's title as a participant starting the guide in Swedish sees it. */
async function participantSees(context: BrowserContext): Promise<string> {
  const page = await context.newPage();
  await page.goto(`${ui.url}/flows/${FLOW}?lng=sv`);
  await page.click('form[action="/flows/participant-no-email"] button[type=submit]');
  await page.waitForURL(/\/s\//);
  const text = await page.locator('main').innerText();
  await page.close();
  return text;
}

describe('the studio in a browser', () => {
  it('a translator sees the German text a Swedish change made stale, updates it, and cannot change Swedish', { timeout: 90_000 }, async () => {
    // An author's Swedish change, published.
    const { drafts } = ui.t.app.locals.ctx;
    const author: Editor = { actor: { agentId: null, via: 'token' } };
    const d = await drafts.start(FLOW, author);
    const doc = structuredClone(d.document);
    doc.texts.sv.checkSpam!.title = 'Har du tittat i skräpposten?';
    await drafts.publish(await drafts.save(d.id, doc, author, { ifRevision: 1, sourceLng: 'sv' }), author, 'Swedish title');

    const { context, page } = await signedIn('dana@example.com');
    await page.click('a[href="/admin/studio/translate"]');
    await page.click(`a[href="/admin/studio/translate/de/${FLOW}"] >> nth=0`);
    const stale = page.locator('li[data-key="checkSpam.title"] a');
    await expect(stale.count()).resolves.toBe(1);
    await expectAccessible(page);
    await stale.click();
    // The focused view: what the Swedish said when German was written, and what it says now.
    await expect(page.locator('del').first().innerText()).resolves.toBeTruthy();
    await expect(page.locator('ins').allInnerTexts().then((all) => all.join(' '))).resolves.toContain('tittat');
    await expectAccessible(page);
    await page.fill('#text', 'Haben Sie schon im Spam-Ordner nachgesehen?');
    await page.click('form.stack button[type=submit]');
    await page.waitForURL((u) => !u.pathname.endsWith('/checkSpam.title'));

    // The translator's draft has the German text; the Swedish fields of a step are read-only, and the server refuses them.
    const draftId = (await drafts.list(FLOW))[0]!.id;
    await page.goto(`${ui.url}/admin/studio/drafts/${draftId}/steps/checkSpam`);
    await expect(page.inputValue('[name="de.title"]')).resolves.toBe('Haben Sie schon im Spam-Ordner nachgesehen?');
    await expect(page.getAttribute('[name="sv.title"]', 'readonly')).resolves.not.toBeNull();
    const status = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form[data-autosave]')!;
      const body = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
      body.set('sv.title', 'Ändrad av en översättare');
      return (await fetch(form.action, { method: 'POST', body, headers: { 'X-Autosave': '1' } })).status;
    });
    expect(status).toBe(200);
    expect((await drafts.get(draftId)).document.texts.sv.checkSpam!.title).toBe('Har du tittat i skräpposten?');
    const forged = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form[data-autosave]')!;
      const body = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
      body.set('op', 'rename');
      body.set('to', 'renamedByTranslator');
      return (await fetch(form.action, { method: 'POST', body })).status;
    });
    expect(forged).toBe(403);

    // Published, the German text is live and no longer stale.
    await page.goto(`${ui.url}/admin/studio/drafts/${draftId}`);
    await page.fill('#p-note', 'German title');
    await page.click('form[action$="/publish"] button[type=submit]');
    await page.waitForURL(/published=/);
    const latest = await ui.t.app.locals.ctx.content.version(FLOW);
    expect(latest.document.texts.de.checkSpam!.title).toBe('Haben Sie schon im Spam-Ordner nachgesehen?');
    await context.close();
  });

  it('an author changes a fact and a Swedish text, previews on a phone frame, publishes, compares and rolls back', { timeout: 120_000 }, async () => {
    const { context, page } = await signedIn('ann@example.com');
    const before = await participantSees(context);
    expect(before).toContain('När skickades mejlet?');
    await expectAccessible(page);

    await page.click(`a[href="/admin/studio/guides/${FLOW}"]`);
    await expectAccessible(page);
    await page.click(`form[action="/admin/studio/guides/${FLOW}/drafts"] button`);
    await page.waitForURL(/\/admin\/studio\/drafts\/\d+$/);
    const draftUrl = page.url();
    await expectAccessible(page);

    // A fact, in the facts table: every text that shows it changes with it.
    await page.goto(`${draftUrl}/facts`);
    await page.fill('#f-product', 'Learnifier Pro');
    await page.click('#fact-product form.stack button[type=submit]');
    await page.waitForURL(/\/facts$/);
    await expectAccessible(page);

    // The first step's Swedish title, saved by the autosave script as it is typed.
    await page.goto(`${draftUrl}/steps/howLongAgo`);
    await expectAccessible(page);
    await page.fill('[name="sv.title"]', 'När skickade du mejlet?');
    // Saved: the status says so in the page's language (its words are on the element, for the script).
    await page.waitForFunction(() => {
      const status = document.querySelector<HTMLElement>('#texts .autosave-status');
      return status !== null && status.textContent === status.dataset.saved;
    });
    await page.reload();
    await expect(page.inputValue('[name="sv.title"]')).resolves.toBe('När skickade du mejlet?');
    await expect(page.locator('#texts-sv .text-preview').textContent()).resolves.toContain('Learnifier Pro');

    // The preview in Swedish, in a phone-size frame.
    await page.goto(`${draftUrl}/preview?lng=sv`);
    await page.click(`form[action$="/preview-link"] button`);
    await page.waitForURL(/token=/);
    const frame = page.frameLocator('iframe.phone-frame');
    await expect(frame.locator('h1, h2').filter({ hasText: 'När skickade du mejlet?' }).count()).resolves.toBeGreaterThan(0);
    await expect(frame.locator('main').innerText()).resolves.toContain('Learnifier Pro');
    const box = await page.locator('iframe.phone-frame').boundingBox();
    expect(Math.round(box!.width)).toBe(375 + 24);
    await expectAccessible(page);

    // Publish; participants see the change at once.
    await page.goto(draftUrl);
    await page.fill('#p-note', 'Clearer first question');
    await page.click('form[action$="/publish"] button[type=submit]');
    await page.waitForURL(/published=(\d+)/);
    const published = Number(/published=(\d+)/.exec(page.url())![1]);
    expect(await participantSees(context)).toContain('När skickade du mejlet?');

    // Compare with the version before, word by word; then roll back in one click.
    await page.click(`tr[data-version="${published}"] a`);
    await expect(page.locator('.comparison').first().innerText()).resolves.toContain('"Learnifier Pro"');
    await expect(page.locator('dl[lang="sv"] ins').allInnerTexts()).resolves.toEqual(['skickade', 'du ']);
    await expectAccessible(page);
    await page.goto(`${ui.url}/admin/studio/guides/${FLOW}`);
    await page.click(`tr[data-version="${published - 1}"] form[action$="/rollback"] button`);
    await page.waitForURL(/published=/);
    expect(await participantSees(context)).toContain('När skickades mejlet?');
    await context.close();
  });

  it('an author builds a three-step guide from scratch with JavaScript off and publishes it', { timeout: 120_000 }, async () => {
    const { context, page } = await signedIn('ann@example.com', { javaScriptEnabled: false });
    await page.fill('#ng-id', 'router-mail');
    await page.fill('#ng-title', 'The router sends no email');
    await page.click('form[action="/admin/studio/guides"] button[type=submit]');
    await page.waitForURL(/\/admin\/studio\/drafts\/\d+$/);
    const draftUrl = page.url();

    await page.fill('#as-title', 'Restart the router');
    await page.selectOption('#as-kind', 'instruction');
    await page.click('#add-step button[type=submit]');
    await page.waitForURL(/\/steps\/restartTheRouter$/);
    await page.fill('#ao-label', 'Done, it works');
    await page.selectOption('#ao-target', 'done');
    await page.click('#add-option button[type=submit]');
    await page.waitForURL(/#options$/);
    await page.goto(`${draftUrl}/steps/start`);
    await page.fill('#ao-label', 'No');
    await page.selectOption('#ao-target', 'restartTheRouter');
    await page.click('#add-option button[type=submit]');
    await page.waitForURL(/#options$/);

    // Every text in four columns, step by step, then the guide's own texts.
    for (const step of ['start', 'restartTheRouter', 'done']) {
      await page.goto(`${draftUrl}/steps/${step}`);
      for (const lng of LANGUAGES)
        for (const input of await page.locator(`#texts-${lng} input[name^="${lng}."], #texts-${lng} textarea[name="${lng}.title"], #texts-${lng} textarea[name="${lng}.body"]`).all())
          if (!(await input.inputValue()).trim()) await input.fill(`${step} ${await input.getAttribute('name')}`);
      await page.click('#texts button[type=submit]');
      await page.waitForURL(/#texts$/);
    }
    await page.goto(draftUrl);
    for (const lng of LANGUAGES)
      for (const key of ['title', 'summary', 'keywords']) {
        const field = page.locator(`[name="${lng}.${key}"]`);
        if (!(await field.inputValue()).trim()) await field.fill(`Router ${key} ${lng}`);
      }
    await page.click('#guide-texts button[type=submit]');
    await page.waitForURL(/#guide-texts$/);
    await expect(page.locator('#problems .problems').count()).resolves.toBe(0);

    await page.fill('#p-note', 'A new guide');
    await page.click('form[action$="/publish"] button[type=submit]');
    await page.waitForURL(/\/admin\/studio\/guides\/router-mail\?published=1$/);
    await page.goto(`${ui.url}/flows/router-mail?lng=en`);
    await page.click('form[action="/flows/router-mail"] button[type=submit]');
    await page.waitForURL(/\/s\//);
    await expect(page.locator('main').innerText()).resolves.toContain('start en.title');
    await context.close();
  });
});
