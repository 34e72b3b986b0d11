import request from 'supertest';
import { hashPassword } from '../../server/auth/password.ts';
import type { Role } from '../../server/store/types.ts';
import type { TestApp } from './app.ts';

export const PASSWORD = 'correct horse battery';

export async function addAgent(t: TestApp, email: string, role: Role = 'agent', name = email.split('@')[0]!) {
  return t.store.createAgent({ email, name, role, passwordHash: await hashPassword(PASSWORD) });
}

export const hidden = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];

/** Signs in through the real login form; returns a cookie-keeping client and the login's CSRF token. */
export async function signIn(t: TestApp, email: string, password = PASSWORD) {
  const client = request.agent(t.app);
  const form = await client.get('/agent/login').expect(200);
  const res = await client
    .post('/agent/login')
    .type('form')
    .send({ _csrf: hidden(form.text, '_csrf')!, email, password, next: '/agent' });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const home = await client.get('/agent').expect(200);
  return { client, csrf: hidden(home.text, '_csrf')! };
}
