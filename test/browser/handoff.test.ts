import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import sv from '../../locales/sv/common.json' with { type: 'json' };
import { seriousA11yViolations, useBrowserApp } from '../support/browser.ts';

/*
 * Asking support for help where a guide ends, as a Swedish participant without JavaScript meets it: a refused form
 * says what is wrong next to the field with the cursor in it, a sent one shows the confirmation with the ref.
 */
const ui = useBrowserApp();
const texts = sv.handoff.request;

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('the request to support', () => {
  it('without JavaScript, in Swedish: a field to correct, then sent, then the confirmation; each state passes axe', { timeout: 30_000 }, async () => {
    const context = await ui.browser.newContext({ locale: 'sv-SE', javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    // axe runs as a script, so it looks at the same pages in a second window that has JavaScript.
    const axeContext = await ui.browser.newContext({ locale: 'sv-SE', bypassCSP: true });
    const axePage = await axeContext.newPage();

    await page.goto(`${ui.url}/flows/participant-no-email`);
    await page.click('main form button[type=submit]');
    for (const event of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await page.click(`.options button[value="${event}"]`);
    await page.getByRole('heading', { name: texts.heading }).waitFor();
    const sessionUrl = page.url().split('#')[0]!;
    await axePage.goto(sessionUrl);
    expect(await seriousA11yViolations(axePage)).toEqual([]);
    // With JavaScript, a count of what is left; without, the field's limit and its hint alone.
    await axePage.getByLabel(texts.messageLabel).fill('Hej');
    expect(await axePage.textContent('.counter')).toBe(texts.counter.replace('{{left}}', (4997).toLocaleString('sv')));
    expect(await page.locator('.counter').count()).toBe(0);
    await axePage.getByLabel(texts.messageLabel).fill('');

    await page.getByLabel(texts.messageLabel).fill('Länken i inbjudan fungerar inte.');
    await page.getByLabel(texts.emailLabel).fill('anna@exempel');
    await page.getByRole('button', { name: texts.submit }).click();
    await page.locator('#handoff-email-error').waitFor();
    expect(await page.textContent('#handoff-email-error')).toBe(texts.errors.email.invalid);
    expect(await page.inputValue('#handoff-message')).toBe('Länken i inbjudan fungerar inte.');
    expect(await focusedId(page)).toBe('handoff-email');
    await axePage.getByRole('button', { name: texts.submit }).click();
    await axePage.locator('#handoff-message-error').waitFor();
    expect(await seriousA11yViolations(axePage)).toEqual([]);

    await page.getByLabel(texts.emailLabel).fill('anna@exempel.se');
    await page.getByRole('button', { name: texts.submit }).click();
    await page.waitForURL(`${sessionUrl}#handoff`);
    const ref = (await ui.t.store.getSession(new URL(sessionUrl).pathname.split('/').pop()!))!.ref;
    await page.getByRole('heading', { name: texts.sentHeading }).waitFor();
    expect(await page.locator('#handoff').textContent()).toContain(texts.sentRef.replace('{{ref}}', ref));
    expect(await page.locator('#handoff-message').count()).toBe(0);
    await axePage.goto(sessionUrl);
    await axePage.getByRole('heading', { name: texts.sentHeading }).waitFor();
    expect(await seriousA11yViolations(axePage)).toEqual([]);
    await Promise.all([context.close(), axeContext.close()]);
  });
});
