import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';

/* The pages read every form and query through a schema: a form our pages never send is a 400, a link's odd query is let be. */
const t = useTestApp();

describe('forms and queries on the pages', () => {
  it('a form field sent twice or too long is a 400 page, not quietly ignored', async () => {
    const twice = await request(t.app).post('/flows/participant-no-email').set('Accept-Language', 'sv').type('form').send('step=checkSpf&step=allowList');
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('<html lang="sv">');
    await request(t.app).post('/embed/flows/participant-no-email').type('form').send({ origin: `https://${'a'.repeat(300)}.example` }).expect(400);
    const started = await request(t.app).post('/flows/participant-no-email').type('form').send({ step: 'checkSpf' }).expect(303);
    const url = started.headers.location as string;
    await request(t.app).post(url).type('form').send('event=CHECK&domain=a.example&domain=b.example').expect(400);
    await request(t.app).post(url).type('form').send({ event: 'SKIP_CHECK' }).expect(303);
  });

  it('feedback: yes or no, and a comment cut to 2,000 characters as the field allows', async () => {
    const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email' }).expect(201);
    const id = started.body.sessionId as string;
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'UNDER_A_MINUTE' }).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'ARRIVED' }).expect(200);
    await request(t.app).post(`/s/${id}/feedback`).type('form').send({ helpful: 'maybe' }).expect(400);
    await request(t.app).post(`/s/${id}/feedback`).type('form').send({ helpful: 'no', comment: `  ${'x'.repeat(2500)}  ` }).expect(303);
    expect(await t.store.listFeedback(id)).toMatchObject([{ helpful: false, comment: 'x'.repeat(2000) }]);
  });

  it('a query a link carries twice or oddly falls back to the default instead of failing', async () => {
    const home = await request(t.app).get('/?lng=xx&lng=de&q=spam&q=junk').set('Accept-Language', 'no').expect(200);
    expect(home.text).toContain('<html lang="no">');
    const flow = await request(t.app).get('/flows/participant-no-email?step=checkSpf&step=x').expect(200);
    expect(flow.text).not.toContain('name="step"');
  });
});
