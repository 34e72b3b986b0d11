import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { useBrowserApp } from '../support/browser.ts';
import { pathsToOutcomes } from '../support/walk.ts';

/*
 * A person on a small phone (360 px wide): after every answer the current step is in view, records and
 * ready-to-send messages read and copy whole, the search's example is not cut off, and the widget's demo page
 * neither scrolls sideways nor loses its launcher.
 */
const ui = useBrowserApp();
const phone = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true };

/** The longest path through a guide that needs no domain check: many answers, so the history fills the screen. */
function longestPlainPath(flowId: string) {
  const flow = new FlowRegistry().get(flowId)!;
  const paths = pathsToOutcomes(flow.machine).filter((p) => p.events.every((e) => e !== 'CHECK_RESULT'));
  return paths.sort((a, b) => b.events.length - a.events.length)[0]!;
}

/** Where the step's title is on the screen, and whether the page scrolled to get there. */
const titleInView = (page: Page) =>
  page.evaluate(() => {
    const box = document.getElementById('step-title')!.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, height: innerHeight, scrolled: scrollY, focused: document.activeElement?.id || document.activeElement?.tagName || null };
  });

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);

describe('after every answer the current step is in view', () => {
  for (const javaScriptEnabled of [false, true]) {
    it(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
      const path = longestPlainPath('delivered-not-in-inbox');
      expect(path.events.length).toBeGreaterThanOrEqual(6);
      const context = await ui.browser.newContext({ ...phone, javaScriptEnabled, locale: 'de-DE' });
      const page = await context.newPage();
      await page.goto(`${ui.url}/flows/delivered-not-in-inbox`);
      await page.click('main form button[type=submit]');
      let scrolledOnce = false;
      for (const [i, event] of path.events.entries()) {
        await page.click(`.options button[name=event][value="${event}"]`);
        await expect.poll(() => page.locator('.history .bubble.answer').count()).toBe(i + 1);
        await page.waitForLoadState('load');
        const seen = await titleInView(page);
        expect(seen.top, `answer ${i + 1} (${event})`).toBeGreaterThanOrEqual(0);
        expect(seen.bottom, `answer ${i + 1} (${event})`).toBeLessThanOrEqual(seen.height);
        // The focus is on the new step too (a screen reader reads it first), with or without JavaScript.
        expect(seen.focused, `answer ${i + 1} (${event})`).toBe('step');
        scrolledOnce ||= seen.scrolled > 0;
        expect(await noSidewaysScroll(page)).toBe(true);
      }
      // The answers so far did push the step below the first screen: it was the jump that kept it in view.
      expect(scrolledOnce).toBe(true);
      await context.close();
    }, 120_000);
  }
});

/** Every word of every code block sits on one line: blocks wrap only at spaces, or scroll. */
const wordsBrokenInBlocks = (page: Page) =>
  page.evaluate(() => {
    const broken: string[] = [];
    for (const pre of document.querySelectorAll('main pre')) {
      const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.textContent!.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index!);
          range.setEnd(node, m.index! + m[0].length);
          const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (tops.size > 1) broken.push(m[0]);
        }
      }
    }
    return broken;
  });

async function copyContext(): Promise<BrowserContext> {
  const context = await ui.browser.newContext({ ...phone, locale: 'sv-SE' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
  return context;
}

describe('records and ready-to-send messages', () => {
  it('code blocks never break inside a word and each has a copy button that copies it whole', async () => {
    const context = await copyContext();
    const page = await context.newPage();
    await page.goto(`${ui.url}/flows/survey-emails-blocked?step=ipAllowList&lng=sv`);
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/s\//);
    const blocks = page.locator('.step .body pre');
    expect(await blocks.count()).toBeGreaterThan(0);
    expect(await wordsBrokenInBlocks(page)).toEqual([]);
    expect(await noSidewaysScroll(page)).toBe(true);
    for (let i = 0; i < (await blocks.count()); i++) {
      const button = page.locator('.step .body pre + .copy-row button.copy').nth(i);
      expect(await button.textContent()).toBe('Kopiera');
      await button.click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toBe((await blocks.nth(i).innerText()).trim());
      await expect.poll(() => page.locator('.step .body pre + .copy-row .copied').nth(i).textContent()).toBe('✓ Kopierat');
    }
    await context.close();
  });

  it('a message to send (a quote in the step) has a copy button that copies its text', async () => {
    const context = await copyContext();
    const page = await context.newPage();
    await page.goto(`${ui.url}/flows/survey-emails-blocked?step=findOutTls&lng=sv`);
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/s\//);
    const quote = page.locator('.step .body blockquote').first();
    await page.locator('.step .body blockquote + .copy-row button.copy').first().click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.length).toBeGreaterThan(20);
    expect(copied).toBe((await quote.innerText()).trim());
    await context.close();
  });

  it('without JavaScript there are no copy buttons that do nothing', async () => {
    const context = await ui.browser.newContext({ ...phone, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${ui.url}/flows/survey-emails-blocked?step=findOutTls&lng=sv`);
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/s\//);
    expect(await page.locator('.step .body blockquote').count()).toBeGreaterThan(0);
    expect(await page.locator('button.copy:visible').count()).toBe(0);
    await context.close();
  });
});

describe('the start page on a 360 px phone', () => {
  it('shows the search example whole in every language, and nothing scrolls sideways', async () => {
    const context = await ui.browser.newContext(phone);
    const page = await context.newPage();
    for (const lng of LANGUAGES) {
      await page.goto(`${ui.url}/?lng=${lng}`);
      const seen = await page.evaluate(() => {
        const input = document.getElementById('q') as HTMLInputElement;
        const example = document.getElementById('q-example')!;
        // A placeholder cannot wrap: if there is one, its text must fit the field's content box.
        const style = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = style.font;
        const inner = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return {
          placeholderFits: !input.placeholder || ctx.measureText(input.placeholder).width <= inner,
          example: example.textContent!.trim(),
          exampleFits: example.scrollWidth <= example.clientWidth && example.getBoundingClientRect().right <= innerWidth,
          describes: input.getAttribute('aria-describedby'),
        };
      });
      expect(seen, lng).toMatchObject({ placeholderFits: true, exampleFits: true, describes: 'q-example' });
      expect(seen.example.length, lng).toBeGreaterThan(10);
      expect(await noSidewaysScroll(page), lng).toBe(true);
    }
    await context.close();
  });

  it('shows both doors (missing an email / someone did not get mine) without scrolling, in every language', async () => {
    const context = await ui.browser.newContext(phone);
    const page = await context.newPage();
    for (const lng of LANGUAGES) {
      await page.goto(`${ui.url}/?lng=${lng}`);
      const doors = await page.evaluate(() =>
        [...document.querySelectorAll('.door-title')].map((t) => ({ text: t.textContent, bottom: t.getBoundingClientRect().bottom, height: innerHeight })),
      );
      expect(doors, lng).toHaveLength(2);
      for (const door of doors) expect(door.bottom, `${lng}: ${door.text}`).toBeLessThanOrEqual(door.height);
    }
    await context.close();
  });
});

describe('the widget demo page on a phone', () => {
  it('does not scroll sideways, keeps the launcher on screen, and the panel has a close button in the guide language', async () => {
    const context = await ui.browser.newContext(phone);
    const page = await context.newPage();
    await page.goto(`${ui.url}/demo/help-center`);
    const launcher = page.getByRole('button', { name: 'Hilfe', exact: true });
    await launcher.waitFor();
    expect(await noSidewaysScroll(page)).toBe(true);
    const box = (await launcher.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    expect(box.y + box.height).toBeLessThanOrEqual(640);

    await launcher.click();
    const close = page.locator('#mailhelp-panel button').first();
    // The frame names the button in the guide's language once it has loaded.
    await expect.poll(() => close.getAttribute('aria-label')).toBe('Hilfe schließen');
    const closeBox = (await close.boundingBox())!;
    expect(closeBox.width).toBeGreaterThanOrEqual(44);
    expect(closeBox.x + closeBox.width).toBeLessThanOrEqual(360);
    expect(closeBox.y).toBeGreaterThanOrEqual(0);
    await page.getByRole('button', { name: 'Hilfe schließen' }).click();
    expect(await page.locator('#mailhelp-panel').isHidden()).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await context.close();
  });
});
