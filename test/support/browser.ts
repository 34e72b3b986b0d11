import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { listen, testApp, type TestApp } from './app.ts';

/** Debian's Chromium; `.ci/run` installs it. Flags keep it off the network this machine does not have. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (the context needs `bypassCSP`, as axe is injected inline) and returns serious+ findings. */
export async function seriousA11yViolations(page: Page | Frame): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe.run();
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A test file's app on a real port and a browser to drive it; `t` is the app, `url` where it listens. */
export interface BrowserApp {
  readonly t: TestApp;
  readonly url: string;
  readonly browser: Browser;
}

/**
 * Opens the app (after `prepare` has put in what the file needs, e.g. agents or sessions), listens and launches
 * Chromium before the file's first test; closes all three after its last.
 */
export function useBrowserApp(prepare?: (t: TestApp) => Promise<unknown>): BrowserApp {
  let t: TestApp | undefined;
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    t = testApp();
    await prepare?.(t);
    server = await listen(t.app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await t?.close();
  });
  return {
    get t() {
      return t!;
    },
    get url() {
      return server!.url;
    },
    get browser() {
      return browser!;
    },
  };
}
