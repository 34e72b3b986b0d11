import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { BOUNCE_CATEGORIES } from '../../server/checks/bounce.ts';
import { testApp, useTestApp } from '../support/app.ts';

const sample = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url), 'utf8');
const t = useTestApp();

describe('POST /api/checks/bounce', () => {
  it('explains a bounce in the language asked for, with the step that deals with it', async () => {
    const text = sample('gmail-dmarc.txt');
    const en = await request(t.app).post('/api/checks/bounce').send({ text }).expect(200);
    expect(en.body).toMatchObject({ code: '550', enhanced: '5.7.26', category: 'dmarc', lng: 'en', flowId: 'delivered-not-in-inbox', stepId: 'checkSendingDomain' });
    expect(en.body.explanation).toMatch(/DMARC check of the sender's domain/);
    expect(en.body.whatToDo).toMatch(/SPF record or set up DKIM/);
    expect(en.body.recipient).toBe('a***@example.com');
    expect(JSON.stringify(en.body)).not.toContain('anna.svensson');

    const de = await request(t.app).post('/api/checks/bounce?lng=de').send({ text }).expect(200);
    expect(de.body.lng).toBe('de');
    expect(de.body.explanation).toMatch(/DMARC-Prüfung der Absenderdomain/);
    // The step's title in the reader's language, for a link that starts the guide there.
    expect(en.body.stepTitle).toBe('Check your sending domain now');
    expect(de.body.stepTitle).not.toBe(en.body.stepTitle);
    await request(t.app).post('/api/sessions').send({ flowId: en.body.flowId, startAt: en.body.stepId }).expect(201);
    const sv = await request(t.app).post('/api/checks/bounce').set('accept-language', 'sv-SE,sv;q=0.9').send({ text }).expect(200);
    expect(sv.body.explanation).toMatch(/DMARC-kontrollen/);
    const no = await request(t.app).post('/api/checks/bounce').set('accept-language', 'nb-NO').send({ text: sample('exchange-sv-no-such-user.txt') }).expect(200);
    expect(no.body).toMatchObject({ category: 'no_such_user', lng: 'no' });
    expect(no.body.explanation).toMatch(/finnes ikke hos mottakeren/);
    // No step deals with a recipient address that does not exist: none is named.
    expect(no.body).not.toHaveProperty('stepId');
  });

  it('has a text in every language for every category', async () => {
    for (const lng of ['sv', 'no', 'de', 'en']) {
      for (const category of BOUNCE_CATEGORIES) {
        const [code, enhanced] = {
          no_such_user: ['550', '5.1.1'],
          mailbox_full: ['552', '5.2.2'],
          policy: ['550', '5.7.1'],
          dmarc: ['550', '5.7.26'],
          spf: ['550', '5.7.23'],
          temporary: ['451', '4.3.0'],
          other: ['554', '5.3.0'],
        }[category];
        const res = await request(t.app).post(`/api/checks/bounce?lng=${lng}`).send({ text: `${code} ${enhanced} x` }).expect(200);
        expect(res.body.category).toBe(category);
        expect(res.body.explanation).not.toMatch(/^bounce\./);
        expect(res.body.whatToDo).not.toMatch(/^bounce\./);
      }
    }
  });

  it('refuses a text with no code, too long a text, another content type, an unknown language', async () => {
    const none = await request(t.app).post('/api/checks/bounce').send({ text: 'Hi, my survey email never arrived. What now?' }).expect(400);
    expect(none.body.error).toMatchObject({ code: 'invalid_input' });
    expect(none.body.error.message).toMatch(/no status code found/);
    await request(t.app).post('/api/checks/bounce').send({ text: '' }).expect(400);
    await request(t.app).post('/api/checks/bounce').send({ text: 42 }).expect(400);
    await request(t.app).post('/api/checks/bounce').send({ text: '550 5.1.1', more: 1 }).expect(400);
    await request(t.app).post('/api/checks/bounce?lng=xx').send({ text: '550 5.1.1 x' }).expect(400);

    const long = await request(t.app).post('/api/checks/bounce').send({ text: `550 5.1.1 ${'x'.repeat(65_536)}` }).expect(413);
    expect(long.body.error.code).toBe('payload_too_large');
    // Exactly 64 KB is read; escaping can make the body far longer than the text, and that is fine.
    await request(t.app).post('/api/checks/bounce').send({ text: `550 5.1.1 ${'\n'.repeat(65_536 - 10)}` }).expect(200);
    const huge = await request(t.app).post('/api/checks/bounce').set('content-type', 'application/json').send(`{"text":"${'x'.repeat(600_000)}"}`).expect(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const plain = await request(t.app).post('/api/checks/bounce').set('content-type', 'text/plain').send('550 5.1.1 x').expect(415);
    expect(plain.body.error.code).toBe('unsupported_media_type');
  });

  it('counts against the check limit', async () => {
    const limited = testApp(undefined, { config: { CHECKS_PER_MINUTE: 2 } });
    try {
      await request(limited.app).post('/api/checks/bounce').send({ text: '550 5.1.1 x' }).expect(200);
      await request(limited.app).post('/api/checks/bounce').send({ text: '550 5.1.1 x' }).expect(200);
      const res = await request(limited.app).post('/api/checks/bounce').send({ text: '550 5.1.1 x' }).expect(429);
      expect(res.body.error.code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });
});
