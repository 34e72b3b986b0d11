import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousA11yViolations, useBrowserApp } from '../support/browser.ts';

/*
 * The check step's domain field as a person meets it: what cannot be checked is said next to the field, which keeps
 * what was typed and has the focus; a pasted web address is offered its domain. With and without JavaScript, on
 * the site and in the widget's frame (where the page is swapped in by script).
 */
const ui = useBrowserApp();

async function atCheckStep(page: Page, path: string) {
  await page.goto(`${ui.url}${path}`);
  await page.click('main button[type=submit]');
  await page.locator('#domain').waitFor();
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('the domain field', () => {
  it('on a phone, with JavaScript: the reason next to the field, the text kept and focused; then a web address is offered its domain', { timeout: 60_000 }, async () => {
    const context = await ui.browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await atCheckStep(page, '/flows/participant-no-email?step=checkSpf');
    await page.fill('#domain', '192.0.2.1');
    await page.click('button[value=CHECK]');
    await page.locator('#domain-error').waitFor();
    expect(await page.textContent('#domain-error')).toContain('192.0.2.1 är en IP-adress, inte en domän.');
    expect(await page.inputValue('#domain')).toBe('192.0.2.1');
    expect(await focusedId(page)).toBe('domain');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.fill('#domain', 'https://www.företag.se/');
    await page.click('button[value=CHECK]');
    await page.locator('#domain-suggestion').waitFor();
    expect(await page.textContent('#domain-suggestion')).toContain('Mejlen kommer oftast från själva domänen: företag.se.');
    expect(await page.inputValue('#domain')).toBe('https://www.företag.se/');
    expect(await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value)).toBe('företag.se');
    expect(await page.locator('#domain-error').count()).toBe(0);
    await context.close();
  });

  it('without JavaScript the same form says what is wrong', { timeout: 60_000 }, async () => {
    const context = await ui.browser.newContext({ locale: 'de-DE', javaScriptEnabled: false });
    const page = await context.newPage();
    await atCheckStep(page, '/flows/participant-no-email?step=checkSpf');
    await page.click('button[value=CHECK]');
    await page.locator('#domain-error').waitFor();
    expect(await page.textContent('#domain-error')).toContain('Geben Sie zuerst Ihre Versanddomain ein');
    await context.close();
  });

  it("in the widget's frame the swapped-in step has the message and the focus", { timeout: 60_000 }, async () => {
    const context = await ui.browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await atCheckStep(page, '/embed/flows/participant-no-email?step=checkSpf&lng=no');
    await page.fill('#domain', 'skole.local');
    await page.click('button[value=CHECK]');
    await page.locator('#domain-error').waitFor();
    expect(await page.textContent('#domain-error')).toContain('skole.local er ikke et offentlig domene');
    expect(await page.inputValue('#domain')).toBe('skole.local');
    expect(await focusedId(page)).toBe('domain');
    await context.close();
  });
});
