import { mkdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations, useBrowserApp } from '../support/browser.ts';

/*
 * A participant on a phone, in Swedish, with JavaScript turned off: the whole flow works with plain forms. The same
 * pages pass axe-core's serious and critical rules and can be used by keyboard alone.
 */
const shots = process.env.SCREENSHOT_DIR;

const ui = useBrowserApp();
beforeAll(() => {
  if (shots) mkdirSync(shots, { recursive: true });
});

const phone = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

describe('participant without JavaScript', () => {
  it('finds the guide, answers, goes back, reaches an outcome and gives feedback', async () => {
    const context = await ui.browser.newContext({ ...phone, javaScriptEnabled: false, locale: 'sv-SE' });
    const page = await context.newPage();
    await page.goto(ui.url);
    expect(await page.getAttribute('html', 'lang')).toBe('sv');
    await page.click('a[href="/flows/participant-no-email"]');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]{22}$/);
    const sessionUrl = page.url();

    await page.getByRole('button', { name: 'För mer än en minut sedan' }).click();
    await page.getByRole('button', { name: /Nej/ }).click();
    await expect.poll(() => page.locator('#step-title').textContent()).toMatch(/inloggningslänk/i);
    expect(await page.locator('.history .bubble.answer').count()).toBe(2);

    await page.getByRole('button', { name: 'Tillbaka' }).click();
    expect(await page.locator('.history .bubble.answer').count()).toBe(1);
    await page.getByRole('button', { name: /Ja/ }).click();
    await page.locator('.options button').first().click();
    expect(await page.locator('.badge').textContent()).toBeTruthy();
    if (shots) await page.screenshot({ path: `${shots}/participant-outcome-sv.png`, fullPage: true });

    await page.fill('#feedback-comment', 'Tack!');
    await page.locator('.feedback button[value=yes]').click();
    await expect.poll(() => page.locator('.feedback [role=status]').count()).toBe(1);
    expect(page.url().split('#')[0]).toBe(sessionUrl);
    const id = sessionUrl.split('/s/')[1]!;
    expect(await ui.t.store.listFeedback(id)).toMatchObject([{ helpful: true, comment: 'Tack!' }]);
    expect((await ui.t.store.getSession(id))!.status).toBe('finished');

    // The language switcher keeps the session.
    await page.getByRole('link', { name: 'Deutsch' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    expect(page.url()).toContain(sessionUrl);
    expect(await page.locator('.history .bubble.answer').count()).toBe(3);
    await context.close();
  });
});

describe('accessibility', () => {
  it('start page, a question and an outcome with feedback have no serious axe violations', async () => {
    const context = await ui.browser.newContext({ ...phone, bypassCSP: true, locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(ui.url);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`${ui.url}/flows/participant-no-email`);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/s\//);
    expect(await seriousA11yViolations(page)).toEqual([]);
    for (const event of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await page.click(`button[value=${event}]`);
    // An escalated ending asks no "did this solve your problem?"; it shows the ref to give support.
    expect(await page.locator('.feedback').count()).toBe(0);
    expect(await page.locator('.ref-code').textContent()).toMatch(/^[A-Z2-9]{3}-[A-Z2-9]{3}$/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('every option can be reached and chosen with the keyboard alone', async () => {
    const context = await ui.browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${ui.url}/flows/participant-no-email`);
    // Skip link first, then on to the start button.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await page.locator('button[type=submit]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/s\//);
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value === 'OVER_A_MINUTE');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForSelector('button[value=FOUND_IN_SPAM]');
    await context.close();
  });
});
