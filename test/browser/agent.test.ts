import { describe, expect, it } from 'vitest';
import { addAgent, PASSWORD } from '../support/agents.ts';
import { seriousA11yViolations, useBrowserApp } from '../support/browser.ts';

/*
 * Hand-off end to end: a participant in Norwegian reaches "handed to support" and reads out the code; an agent
 * signs in, picks the session up by that code, sees what happened, finishes it with a note and copies the
 * transcript. Then the console pages are checked with axe-core and by keyboard alone.
 */
const shots = process.env.SCREENSHOT_DIR;

const ui = useBrowserApp((t) => addAgent(t, 'kari@example.com', 'agent', 'Kari'));

describe('hand-off from participant to agent', () => {
  it('an agent picks up a Norwegian session by its code, finishes it with a note and copies the transcript', async () => {
    // The participant, on a phone, in Norwegian.
    const participant = await ui.browser.newContext({ locale: 'nb-NO', viewport: { width: 390, height: 800 } });
    const p = await participant.newPage();
    await p.goto(`${ui.url}/flows/participant-no-email`);
    expect(await p.getAttribute('html', 'lang')).toBe('no');
    await p.click('button[type=submit]');
    for (const event of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await p.click(`button[value=${event}]`);
    const ref = (await p.locator('#session-ref').textContent())!.trim();
    expect(ref).toMatch(/^[A-Z2-9]{3}-[A-Z2-9]{3}$/);
    await participant.close();

    // The agent: console in English, the caller's content in Norwegian.
    const console_ = await ui.browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await console_.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
    const a = await console_.newPage();
    await a.goto(`${ui.url}/agent`);
    expect(a.url()).toContain('/agent/login');
    expect(await seriousA11yViolations(a)).toEqual([]);
    await a.fill('#email', 'kari@example.com');
    await a.fill('#password', PASSWORD);
    await a.click('button[type=submit]');
    await a.waitForURL(`${ui.url}/agent`);

    await a.fill('#ref', ref.toLowerCase().replace('-', ''));
    await a.click('#pickup-heading + form button[type=submit]');
    await a.waitForURL(/\/agent\/s\//);
    expect(await a.locator('.history .bubble.question').count()).toBe(3);
    expect(await a.locator('.readout').getAttribute('lang')).toBe('no');
    expect(await seriousA11yViolations(a)).toEqual([]);

    // Back one step with the keyboard shortcut, then answer differently with a note.
    await a.keyboard.press('b');
    await a.waitForSelector('button[value=LINK_WORKED]');
    expect(await a.locator('#step-title').textContent()).toBeTruthy();
    await a.fill('#note', 'Lenken sendt på telefon <b>ok</b>');
    await a.click('button[value=LINK_WORKED]');
    await a.waitForSelector('button[value=DONE]');
    // Option 2 by keyboard: "No, this is enough".
    await a.keyboard.press('2');
    await a.waitForSelector('.badge.outcome-workaround');
    if (shots) await a.screenshot({ path: `${shots}/agent-outcome.png`, fullPage: true });

    await a.click('a[href$="/transcript"]');
    await a.waitForURL(/\/transcript$/);
    expect(await seriousA11yViolations(a)).toEqual([]);
    const text = await a.inputValue('#transcript-text');
    expect(text).toContain(ref);
    expect(text).toContain('Lenken sendt på telefon <b>ok</b>');
    expect(text).toContain('Kari');
    await a.click('button.copy[data-copy="#transcript-text"]');
    const copied = await a.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(text);

    const id = a.url().split('/s/')[1]!.split('/')[0]!;
    const session = (await ui.t.store.getSession(id))!;
    expect(session.outcome).toBe('workaround');
    expect(session.agentId).not.toBeNull();
    const steps = await ui.t.store.listSteps(id);
    expect(steps.find((s) => s.note)?.note).toBe('Lenken sendt på telefon <b>ok</b>');
    await console_.close();
  });
});

describe('console by keyboard alone', () => {
  it('signs in and reaches every option of a triage step with Tab', async () => {
    const context = await ui.browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${ui.url}/agent/login`);
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    let focused = await page.evaluate(() => document.activeElement?.id);
    for (let i = 0; i < 10 && focused !== 'email'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id);
    }
    expect(focused).toBe('email');
    await page.keyboard.type('kari@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${ui.url}/agent`);

    await page.focus('#flowId');
    await page.keyboard.press('Enter');
    await page.locator('#start-heading ~ form.stack button[type=submit]').last().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/agent\/s\//);
    const values: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const v = await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value);
      if (v) values.push(v);
    }
    expect(values).toEqual(expect.arrayContaining(['UNDER_A_MINUTE', 'OVER_A_MINUTE']));
    await context.close();
  });
});

describe('starting a guide from the console search, without JavaScript', () => {
  it('a hit starts in the caller language and with the ticket reference chosen below it; Enter there starts the best hit', { timeout: 60_000 }, async () => {
    const context = await ui.browser.newContext({ locale: 'sv-SE', javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${ui.url}/agent/login`);
    await page.fill('#email', 'kari@example.com');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${ui.url}/agent`);

    await page.fill('#q', 'no reply adress');
    await page.press('#q', 'Enter');
    await page.waitForURL(/\/agent\?q=/);
    await page.selectOption('#caller-lng', 'de');
    await page.fill('#ticketRef', 'T-77');
    await page.click('button[name=hit][value="notification-sender-setup#noReplySender"]');
    await page.waitForURL(/\/agent\/s\//);
    const id = page.url().split('/s/')[1]!;
    expect(await ui.t.store.getSession(id)).toMatchObject({ flowId: 'notification-sender-setup', lng: 'de', ticketRef: 'T-77', snapshot: { value: 'noReplySender' } });
    // The agent reads Swedish; the text for the caller is German.
    expect(await page.getAttribute('html', 'lang')).toBe('sv');
    expect(await page.locator('.readout').getAttribute('lang')).toBe('de');

    await page.goto(`${ui.url}/agent?q=${encodeURIComponent('agro epost logg')}`);
    await page.selectOption('#caller-lng', 'no');
    await page.fill('#ticketRef', 'T-78');
    await page.press('#ticketRef', 'Enter');
    await page.waitForURL(/\/agent\/s\//);
    expect(await ui.t.store.getSession(page.url().split('/s/')[1]!)).toMatchObject({ flowId: 'track-sent-email', lng: 'no', ticketRef: 'T-78' });
    await context.close();

    // The hits page passes axe (which needs JavaScript to run).
    const checked = await ui.browser.newContext({ locale: 'sv-SE', bypassCSP: true });
    const a = await checked.newPage();
    await a.goto(`${ui.url}/agent/login`);
    await a.fill('#email', 'kari@example.com');
    await a.fill('#password', PASSWORD);
    await a.click('button[type=submit]');
    await a.waitForURL(`${ui.url}/agent`);
    await a.goto(`${ui.url}/agent?q=${encodeURIComponent('no reply adress')}`);
    expect(await a.locator('button[name=hit]').count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(a)).toEqual([]);
    await checked.close();
  });
});
