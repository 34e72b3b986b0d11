import request from 'supertest';
import { describe, expect, it } from 'vitest';
import en from '../../locales/en/common.json' with { type: 'json' };
import type { HandoffRecord } from '../../server/store/types.ts';
import { addAgent, PASSWORD } from '../support/agents.ts';
import { seriousA11yViolations, useBrowserApp } from '../support/browser.ts';
import type { TestApp } from '../support/app.ts';

/*
 * The support side in a browser: a German participant's request waits in the inbox; an agent, without JavaScript,
 * signs in, finds it, opens it and claims it. The inbox and the hand-off's page are checked with axe-core.
 */
let handoff: HandoffRecord;

async function prepare(t: TestApp) {
  await addAgent(t, 'kari@example.com', 'agent', 'Kari');
  const start = await request(t.app).post('/flows/participant-no-email').set('accept-language', 'de').type('form').send('').expect(303);
  const url = String(start.headers.location);
  for (const event of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await request(t.app).post(url).type('form').send({ event }).expect(303);
  handoff = await t.app.locals.ctx.handoffs.request(url.split('/').pop()!, { message: 'Die Einladung kam nie an.', email: 'lena@example.de' });
}

const ui = useBrowserApp(prepare);

describe('the agent’s inbox', () => {
  it('shows a waiting request, and an agent claims it without JavaScript', async () => {
    const context = await ui.browser.newContext({ locale: 'en-GB', javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${ui.url}/agent/inbox`);
    expect(page.url()).toContain('/agent/login');
    await page.fill('#email', 'kari@example.com');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${ui.url}/agent/inbox`);

    const row = page.locator(`tr[data-handoff="${handoff.id}"]`);
    expect(await row.locator('td[data-state]').textContent()).toBe(en.agent.inbox.status.open);
    expect(await row.textContent()).toContain('German');
    await row.locator('a.ref-code').click();
    await page.waitForURL(`${ui.url}/agent/inbox/${handoff.id}`);
    expect(await page.locator('blockquote.message').textContent()).toContain('Die Einladung kam nie an.');

    await page.click(`button:text("${en.agent.inbox.claim}")`);
    await page.waitForURL(`${ui.url}/agent/inbox/${handoff.id}`);
    expect(await page.locator('dd[data-state]').textContent()).toBe(en.agent.inbox.status.claimed);
    expect(await page.locator('.case-facts').textContent()).toContain('Kari');
    expect((await ui.t.store.handoffs.get(handoff.id))!.status).toBe('claimed');

    // axe runs as a script: the same login, in a context with JavaScript (and the CSP bypassed for axe only).
    const checked = await ui.browser.newContext({ locale: 'en-GB', bypassCSP: true, storageState: await context.storageState() });
    const a = await checked.newPage();
    for (const path of ['/agent/inbox', `/agent/inbox/${handoff.id}`, '/agent']) {
      await a.goto(`${ui.url}${path}`);
      expect(a.url()).toBe(`${ui.url}${path}`);
      expect(await seriousA11yViolations(a), path).toEqual([]);
    }
    await checked.close();
    await context.close();
  });
});
