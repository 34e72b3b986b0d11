import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, testApp, type TestApp } from '../support/app.ts';
import { launchBrowser, seriousA11yViolations } from '../support/browser.ts';

/*
 * The widget on a help-center page of ANOTHER origin (another port), as a customer embeds it: the loader builds a
 * launcher and a panel, the guide runs in the frame, and the host page hears what happens.
 */
let t: TestApp;
let app: Awaited<ReturnType<typeof listen>>;
let host: Server;
let hostUrl: string;
let browser: Browser;
const pages = new Map<string, string>();

beforeAll(async () => {
  t = testApp();
  app = await listen(t.app);
  // The host's own script records the widget's events, as a help center's analytics would.
  const recorder = `<script>window.events=[];for(const n of ['step','outcome','feedback'])document.addEventListener('mailhelp:'+n,e=>events.push({type:n,detail:e.detail}));</script>`;
  pages.set('/launcher', `<!doctype html><html lang="de"><head><title>Hilfe</title></head><body><h1>Hilfecenter</h1>${recorder}<script src="${app.url}/widget.js" data-flow="participant-no-email" data-label="Hilfe" async></script></body></html>`);
  pages.set('/inline', `<!doctype html><html lang="sv"><head><title>Hjälp</title></head><body><h1>Hjälp</h1><div id="help"></div><script src="${app.url}/widget.js" data-mode="inline" data-target="#help" async></script></body></html>`);
  pages.set('/plain-frame', `<!doctype html><html lang="de"><head><title>Hilfe</title></head><body><iframe title="Hilfe" style="width:400px;height:700px" src="${app.url}/embed/flows/participant-no-email?lng=de"></iframe></body></html>`);
  host = createServer((req, res) => {
    const page = pages.get(req.url ?? '');
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => host?.close(r));
  await app?.stop();
  await t?.close();
});

const frameOf = (page: Page) => page.frameLocator('#mailhelp-panel iframe');

describe('launcher and panel', () => {
  it('completes a guide in German, tells the host page what happened, and closes with Escape', async () => {
    expect(new URL(hostUrl).origin).not.toBe(new URL(app.url).origin);
    const context = await browser.newContext({ locale: 'en-US', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${hostUrl}/launcher`);
    const launcher = page.getByRole('button', { name: 'Hilfe', exact: true });
    await expect.poll(() => launcher.count()).toBe(1);
    expect(await page.locator('#mailhelp-panel').isHidden()).toBe(true);
    await launcher.click();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    const frame = frameOf(page);
    // The host page is German, so the guide is too (data-lang not given).
    await frame.locator('html[lang="de"]').waitFor();
    await frame.locator('button[type=submit]').first().click();
    await frame.locator('button[value=OVER_A_MINUTE]').click();
    await frame.locator('button[value=NOT_IN_SPAM]').click();
    // Each new step takes the focus, so a screen reader announces it.
    await expect.poll(() => frame.locator('#step').evaluate((el) => el === document.activeElement)).toBe(true);
    await frame.locator('button[value=LINK_FAILED]').click();
    await frame.locator('.badge.outcome-escalated').waitFor();
    const axeFrame = page.frames().find((f) => f.url().includes('/embed/'))!;
    expect(await seriousA11yViolations(axeFrame)).toEqual([]);
    // An escalated ending shows the ref to give support and asks no "did this solve your problem?".
    await frame.locator('#session-ref').waitFor();
    expect(await frame.locator('.feedback').count()).toBe(0);

    const events = (await page.evaluate(() => (window as any).events)) as { type: string; detail: any }[];
    expect(events.filter((e) => e.type === 'step').map((e) => e.detail.stepId)).toEqual([
      'howLongAgo',
      'checkSpam',
      'sendLoginLink',
      'contactSupport',
    ]);
    expect(events.find((e) => e.type === 'outcome')?.detail).toMatchObject({ outcome: 'escalated', flowId: 'participant-no-email' });

    // The frame grew to its content.
    const height = await page.locator('#mailhelp-panel iframe').evaluate((f) => (f as HTMLIFrameElement).style.height);
    expect(height).not.toBe('420px');

    const sessionId = events.find((e) => e.type === 'outcome')!.detail.sessionId as string;
    const session = (await t.store.getSession(sessionId))!;
    expect(session).toMatchObject({ channel: 'widget', origin: hostUrl, lng: 'de', outcome: 'escalated' });
    expect(await t.store.listFeedback(sessionId)).toEqual([]);

    await frame.locator('#step-title').press('Escape');
    await expect.poll(() => page.locator('#mailhelp-panel').isHidden()).toBe(true);
    expect(await launcher.evaluate((el) => el === document.activeElement)).toBe(true);

    // The host's own API.
    await page.evaluate(() => (window as any).mailhelp.open());
    expect(await page.locator('#mailhelp-panel').isVisible()).toBe(true);
    await page.evaluate(() => (window as any).mailhelp.start('track-sent-email', { lng: 'no' }));
    await frame.locator('html[lang="no"]').waitFor();
    await page.evaluate(() => (window as any).mailhelp.close());
    expect(await page.locator('#mailhelp-panel').isHidden()).toBe(true);
    await context.close();
  });

  it('works by keyboard alone: Tab to the launcher, Enter, answer, Escape', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${hostUrl}/launcher`);
    await page.getByRole('button', { name: 'Hilfe', exact: true }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Hilfe');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('IFRAME');
    const frame = frameOf(page);
    await frame.locator('button[type=submit]').first().waitFor();
    let found = false;
    for (let i = 0; i < 15 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await frame.locator('button.primary').evaluate((el) => el === document.activeElement);
    }
    expect(found).toBe(true);
    await page.keyboard.press('Enter');
    await frame.locator('button[value=OVER_A_MINUTE]').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#mailhelp-panel').isHidden()).toBe(true);
    await context.close();
  });
});

describe('copy buttons in the panel', () => {
  it('copy a record to the clipboard inside the frame on another origin\'s page, and the close button closes', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hostUrl });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    const page = await context.newPage();
    await page.goto(`${hostUrl}/launcher`);
    await page.getByRole('button', { name: 'Hilfe', exact: true }).click();
    const frame = page.frames().find((f) => f.url().includes('/embed/'))!;
    await frame.goto(`${app.url}/embed/flows/survey-emails-blocked?step=ipAllowList&lng=de&origin=${encodeURIComponent(hostUrl)}`);
    await frame.locator('main form button[type=submit]').first().click();
    const button = frame.locator('.step .body pre + .copy-row button.copy').first();
    expect(await button.textContent()).toBe('Kopieren');
    await button.click();
    await expect.poll(() => frame.locator('.step .body pre + .copy-row .copied').first().textContent()).toBe('✓ Kopiert');
    const record = (await frame.locator('.step .body pre').first().innerText()).trim();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(record);
    await page.getByRole('button', { name: 'Hilfe schließen' }).click();
    await expect.poll(() => page.locator('#mailhelp-panel').isHidden()).toBe(true);
    await context.close();
  });
});

describe('inline mode', () => {
  it('renders the start page in the target element, in the host page language', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${hostUrl}/inline`);
    const frame = page.frameLocator('#help iframe');
    await frame.locator('html[lang="sv"]').waitFor();
    expect(await page.locator('#mailhelp-panel').count()).toBe(0);
    await frame.locator('#q').fill('deltagaren har inte fått inbjudan');
    await frame.locator('#q').press('Enter');
    await frame.locator('.results a').first().click();
    await frame.locator('form button.primary').first().click();
    await frame.locator('#step-title').waitFor();
    await context.close();
  });
});

describe('without JavaScript', () => {
  it('completes the guide in a plain frame with forms alone', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${hostUrl}/plain-frame`);
    const frame = page.frameLocator('iframe');
    await frame.locator('button[type=submit]').first().click();
    for (const event of ['UNDER_A_MINUTE', 'ARRIVED']) await frame.locator(`button[value=${event}]`).click();
    await frame.locator('.badge.outcome-resolved').waitFor();
    expect(await frame.locator('html').getAttribute('lang')).toBe('de');
    await frame.locator('.feedback button[value=no]').click();
    await frame.locator('.feedback [role=status]').waitFor();
    await context.close();
  });
});
