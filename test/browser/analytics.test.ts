import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { addAgent, PASSWORD } from '../support/agents.ts';
import { seriousA11yViolations, useBrowserApp } from '../support/browser.ts';

/* The content owner's view: the flow's diagram with how many reached each step and took each answer. */
const shots = process.env.SCREENSHOT_DIR;

const ui = useBrowserApp(async (t) => {
  await addAgent(t, 'owner@example.com', 'admin', 'Owner');
  const walk = async (events: string[]) => {
    const s = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'en' }).expect(201);
    for (const type of events) await request(t.app).post(`/api/sessions/${s.body.sessionId}/events`).send({ type }).expect(200);
  };
  for (let i = 0; i < 4; i++) await walk(['OVER_A_MINUTE', 'FOUND_IN_SPAM', 'SEVERAL_LINKS']);
  for (let i = 0; i < 2; i++) await walk(['UNDER_A_MINUTE', 'ARRIVED']);
  await walk(['OVER_A_MINUTE', 'NOT_IN_SPAM']);
});

describe('analytics dashboard', () => {
  it('draws the counts on the flow diagram', async () => {
    const context = await ui.browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${ui.url}/agent/login?next=${encodeURIComponent('/admin/analytics?flow=participant-no-email')}`);
    await page.fill('#email', 'owner@example.com');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/analytics/);
    const svg = page.locator('.diagram svg');
    await svg.waitFor();
    if (shots) await page.screenshot({ path: `${shots}/analytics-diagram.png`, fullPage: true });
    const stepCount = (state: string) => page.locator(`g[data-state="${state}"] text.step-count`).textContent();
    expect(await stepCount('howLongAgo')).toBe('7 reached');
    expect(await stepCount('checkSpam')).toBe('5 reached');
    expect(await stepCount('linksToManySites')).toBe('4 reached');
    expect(await stepCount('arrivedAfterWaiting')).toBe('2 reached');
    expect(await stepCount('addSpfRecord')).toBe('0 reached');
    const edge = (from: string, event: string) => page.locator(`text.edge-count[data-from="${from}"][data-event="${event}"]`).textContent();
    expect(await edge('howLongAgo', 'OVER_A_MINUTE')).toBe('5');
    expect(await edge('checkSpam', 'FOUND_IN_SPAM')).toBe('4');
    expect(await edge('howLongAgo', 'UNDER_A_MINUTE')).toBe('2');
    expect(await page.locator('[data-figure="started"]').textContent()).toBe('7');
    expect(await page.locator('[data-figure="finished"]').textContent()).toBe('6');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
