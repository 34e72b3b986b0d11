import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import de from '../../locales/de/common.json' with { type: 'json' };
import { testApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(() => {
  t = testApp();
});
afterAll(() => t.close());
afterEach(() => expect(t.errors).toEqual([]));

/** Walks participant-no-email in German on one surface (the help site or the widget's frame) and returns the page. */
async function walkTo(base: string, events: string[]) {
  const start = await request(t.app).post(`${base}/flows/participant-no-email`).set('accept-language', 'de').type('form').send('').expect(303);
  const url = String(start.headers.location);
  for (const event of events) await request(t.app).post(url).type('form').send({ event }).expect(303);
  const session = (await t.store.getSession(url.split('/').pop()!))!;
  return { page: (await request(t.app).get(url).expect(200)).text, ref: session.ref, url };
}

describe.each([
  ['the help site', ''],
  ['the widget', '/embed'],
])('an escalated ending on %s', (_surface, base) => {
  it('names whose support to contact, shows the ref with a copy button, and does not ask whether it solved the problem', async () => {
    const { page, ref, url } = await walkTo(base, ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']);
    expect(page).toContain('<html lang="de">');
    expect(page).toContain('Wenden Sie sich an den Support von Learnifier');
    // Plainly in the page, selectable without JavaScript; the copy button is shown by copy.js where a clipboard is.
    expect(page).toContain(`<span class="ref-code" id="session-ref">${ref}</span>`);
    expect(page).toContain(`data-copy="#session-ref" hidden>${de.session.refCopy}</button>`);
    expect(page).toContain(de.session.refHeading);
    expect(page).not.toContain(de.feedback.question);
    expect(page).not.toContain(`action="${url}/feedback"`);
  });

  it('still asks at an ending that did solve it', async () => {
    const { page, url } = await walkTo(base, ['UNDER_A_MINUTE', 'ARRIVED']);
    expect(page).toContain(de.feedback.question);
    expect(page).toContain(`action="${url}/feedback"`);
    expect(page).not.toContain('id="session-ref"');
  });
});
