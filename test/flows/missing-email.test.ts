import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RECIPIENT_FLOW_IDS } from '../../flows/index.ts';
import { builtinGuide } from '../fixtures/documents.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { stateMeta, walker } from '../support/walk.ts';
import { testApp, type TestApp } from '../support/app.ts';
import type { FactReference } from '../../flows/types.ts';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { loadResources } from '../../server/i18n/locales.ts';

/*
 * The recipient's guide: the person who is missing an email picks it by what they recognise, gets that article's
 * recipient-side advice with that article's facts, and every ending either confirms the email was found or hands
 * over a message to send (with the session's ref where it goes to the sender).
 */
const doc = builtinGuide('missing-email');
const { machine } = doc;
const walk = walker(machine);
const outcomeOf = (state: string) => stateMeta(machine, state).outcome;

/** The first step of each kind of email, and the product guide whose article it follows. */
const BRANCHES = {
  COURSE_INVITATION: ['courseHowLong', 'participant-no-email'],
  SURVEY: ['surveyCheckSpam', 'survey-emails-blocked'],
  NEWSLETTER: ['newsCheckJunk', 'delivered-not-in-inbox'],
  INVOICE_OR_PAYSLIP: ['invoiceCheckSpam', 'track-sent-email'],
  TRAINING_NOTIFICATION: ['trainingCheckSpam', 'notification-sender-setup'],
  DONT_KNOW: ['unknownSearch', undefined],
} as const;

/** Every ending, the path to it, and its outcome. */
const ENDINGS: [string, string[], string][] = [
  ['courseArrived', ['COURSE_INVITATION', 'UNDER_A_MINUTE', 'ARRIVED'], 'resolved'],
  ['courseFoundInSpam', ['COURSE_INVITATION', 'OVER_A_MINUTE', 'FOUND_IN_SPAM'], 'resolved'],
  ['courseAskLoginLink', ['COURSE_INVITATION', 'UNDER_A_MINUTE', 'STILL_MISSING', 'NOT_IN_SPAM'], 'workaround'],
  ['surveyFoundInSpam', ['SURVEY', 'FOUND_IN_SPAM'], 'resolved'],
  ['surveyAskResend', ['SURVEY', 'NOT_IN_SPAM', 'SENT_TO_IT'], 'escalated'],
  ['newsFoundInJunk', ['NEWSLETTER', 'FOUND_IN_JUNK'], 'resolved'],
  ['newsReleased', ['NEWSLETTER', 'NOT_IN_JUNK', 'FOUND_IN_QUARANTINE'], 'resolved'],
  ['newsAskSender', ['NEWSLETTER', 'NOT_IN_JUNK', 'NOT_IN_QUARANTINE'], 'escalated'],
  ['invoiceFound', ['INVOICE_OR_PAYSLIP', 'FOUND_IN_SPAM'], 'resolved'],
  ['invoiceDelivered', ['INVOICE_OR_PAYSLIP', 'NOT_IN_SPAM', 'DELIVERED'], 'escalated'],
  ['invoiceRejected', ['INVOICE_OR_PAYSLIP', 'NOT_IN_SPAM', 'REJECTED'], 'escalated'],
  ['invoiceNotSent', ['INVOICE_OR_PAYSLIP', 'NOT_IN_SPAM', 'NOT_SENT'], 'escalated'],
  ['invoiceWaiting', ['INVOICE_OR_PAYSLIP', 'NOT_IN_SPAM', 'NO_ANSWER_YET'], 'escalated'],
  ['trainingFoundInSpam', ['TRAINING_NOTIFICATION', 'FOUND_IN_SPAM'], 'resolved'],
  ['trainingAskAdmin', ['TRAINING_NOTIFICATION', 'NOT_IN_SPAM'], 'escalated'],
  ['unknownFound', ['DONT_KNOW', 'FOUND'], 'resolved'],
  ['unknownAskSender', ['DONT_KNOW', 'NOT_FOUND'], 'escalated'],
];

describe('missing-email, the recipient’s guide', () => {
  it('is the guide behind the start page’s first door', () => {
    expect(RECIPIENT_FLOW_IDS).toEqual(['missing-email']);
  });

  it('asks first what the email was about, with "I don’t know" last', () => {
    const first = walk();
    expect(first.state).toBe('whichEmail');
    expect(stateMeta(machine, 'whichEmail').options!.map((o) => o.event)).toEqual(Object.keys(BRANCHES));
    for (const [event, [step]] of Object.entries(BRANCHES)) expect(walk(event).state, event).toBe(step);
  });

  it('names each kind of email by what the person recognises, and the product as a hint', () => {
    for (const lng of LANGUAGES) {
      const options = doc.texts[lng]!.whichEmail!.options!;
      for (const [event, [, guide]] of Object.entries(BRANCHES)) {
        const label = options[event]!;
        if (guide) expect(label, `${lng} ${event}`).toMatch(/\{\{facts\.\w+Product\}\}/);
        // The product name is a hint in brackets, not the whole answer.
        expect(label.replace(/\(.*\)/, '').trim().length, `${lng} ${event}`).toBeGreaterThan(5);
      }
    }
  });

  it.each(ENDINGS)('ends at %s with its outcome', (state, path, outcome) => {
    expect(walk(...path)).toMatchObject({ state, done: true });
    expect(outcomeOf(state)).toBe(outcome);
  });

  it('has no ending the table above leaves out', () => {
    const finals = Object.entries(machine.states)
      .filter(([, s]) => s.type === 'final')
      .map(([id]) => id);
    expect(finals.sort()).toEqual(ENDINGS.map(([s]) => s).sort());
  });

  it('hands every ending that sends the person back to the sender a message to send, with the ref', () => {
    // The one ending that sends the person to their own email provider (the sender can see no further) needs none.
    const toSender = ENDINGS.filter(([state, , outcome]) => outcome !== 'resolved' && state !== 'invoiceDelivered');
    expect(toSender).toHaveLength(8);
    for (const [state] of toSender) {
      for (const lng of LANGUAGES) {
        const body = (doc.texts[lng] as Record<string, { body: string }>)[state]!.body;
        expect(body, `${lng} ${state}`).toContain('{{session.ref}}');
      }
    }
  });

  it('writes no fact of its own: each one is another guide’s, so a value lives in one document', () => {
    const facts = Object.entries(doc.flow.document.facts);
    expect(facts.length).toBeGreaterThan(20);
    const guides = new Set(Object.values(BRANCHES).map(([, g]) => g).filter(Boolean));
    for (const [name, fact] of facts) {
      expect(fact, name).toEqual({ guide: expect.any(String), fact: expect.any(String) });
      const ref = fact as FactReference;
      expect(guides.has(ref.guide as never), name).toBe(true);
      expect(builtinGuide(ref.guide).facts[ref.fact], `${name} → ${ref.guide}.${ref.fact}`).toBeDefined();
    }
  });
});

describe('missing-email over HTTP', () => {
  let t: TestApp;
  beforeAll(() => {
    t = testApp();
  });
  afterAll(() => t.close());
  afterEach(() => expect(t.errors).toEqual([]));

  async function walkTo(lng: string, events: string[]) {
    const start = await request(t.app).post('/flows/missing-email').set('accept-language', lng).type('form').send('').expect(303);
    const url = String(start.headers.location).split('#')[0]!;
    for (const event of events) await request(t.app).post(url).type('form').send({ event }).expect(303);
    const session = (await t.store.getSession(url.split('/').pop()!))!;
    return { page: (await request(t.app).get(url).expect(200)).text, ref: session.ref };
  }

  it.each(LANGUAGES)('opens two doors on the start page (%s): the recipient’s guide, and the senders’ guides', async (lng) => {
    const home = (loadResources()[lng].common as { home: Record<string, string> }).home;
    const page = (await request(t.app).get(`/?lng=${lng}`).expect(200)).text;
    const html = (text: string) => text.replaceAll("'", '&#x27;');
    const doors = page.slice(page.indexOf('<nav class="doors"'), page.indexOf('</nav>', page.indexOf('<nav class="doors"')));
    expect(doors).toContain(`<a class="door" href="/flows/missing-email"><span class="door-title">${html(home.recipientDoor!)}</span>`);
    expect(doors).toContain(`<a class="door" href="#senders"><span class="door-title">${html(home.senderDoor!)}</span>`);
    const senders = page.slice(page.indexOf('id="senders"'));
    for (const id of BUILTIN_FLOW_IDS.filter((id) => id !== 'missing-email')) expect(senders).toContain(`href="/flows/${id}"`);
    expect(senders).not.toContain('href="/flows/missing-email"');
  });

  it.each(LANGUAGES)('shows the ref at an ending that hands on, saying to give it to whoever helps further, not to “support” (%s)', async (lng) => {
    const session = (loadResources()[lng].common as { session: Record<string, string> }).session;
    const html = (text: string) => text.replaceAll("'", '&#x27;');
    const { page, ref } = await walkTo(lng, ['DONT_KNOW', 'NOT_FOUND']);
    expect(page).toContain(`<span class="ref-code" id="session-ref">${ref}</span>`);
    expect(page).toContain(html(session.refHelpRecipient!));
    expect(page).not.toContain(html(session.refHelp!));
  });

  it('leaves the doors out of a search’s results page, where the results come first', async () => {
    const page = (await request(t.app).get('/?lng=sv&q=jag+har+inte+fått+inbjudan').expect(200)).text;
    expect(page).not.toContain('class="doors"');
    expect(page).toContain('href="/flows/missing-email"');
  });

  /** The quoted messages of a page, as HTML. */
  const quotes = (page: string) => [...page.matchAll(/<blockquote>([\s\S]*?)<\/blockquote>/g)].map((m) => m[1]!);

  it.each(LANGUAGES)('puts the session’s ref into the message for the course administrator (%s), with the menu path from the course guide', async (lng) => {
    const { page, ref } = await walkTo(lng, ['COURSE_INVITATION', 'OVER_A_MINUTE', 'NOT_IN_SPAM']);
    const course = builtinGuide('participant-no-email').facts;
    const [message] = quotes(page);
    expect(message).toContain(ref);
    expect(message).toContain(String(course.participantsTab));
    expect(message).toContain(String(course.getLinkItem));
    expect(page).not.toMatch(/[\uE000-\uE003]|\{\{/);
  });

  it('keeps a list fact inside the quoted message to the IT department, every item of it', async () => {
    const { page } = await walkTo('de', ['TRAINING_NOTIFICATION', 'FOUND_IN_SPAM']);
    const train = builtinGuide('notification-sender-setup').facts;
    const [message] = quotes(page);
    expect(message).toContain(String(train.noReplyAddress));
    for (const address of train.noReplyAlternatives as string[]) expect(message).toContain(`<code>${address}</code>`);
    expect(message).toMatch(/<ul>[\s\S]*<\/ul>/);
  });

  it('shows the survey servers’ IP addresses from the survey guide in the message to IT', async () => {
    const { page } = await walkTo('sv', ['SURVEY', 'NOT_IN_SPAM']);
    const [message] = quotes(page);
    for (const ip of builtinGuide('survey-emails-blocked').facts.mailServerIps as string[]) expect(message).toContain(ip);
  });
});
