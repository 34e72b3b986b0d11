import { syncedApp } from './support/content.ts';
import { addAgent, signIn } from './support/agents.ts';
const t = await syncedApp();
await addAgent(t, 'a@x.se', 'author', 'Ann');
const { client, csrf } = await signIn(t, 'a@x.se');
for (const url of ['/admin/studio', '/admin/studio/guides/participant-no-email']) {
  const r = await client.get(url);
  console.log(url, r.status, r.text.length, r.status >= 400 ? r.text.slice(0, 500) : '');
}
const r = await client.post('/admin/studio/guides/participant-no-email/drafts').type('form').send({ _csrf: csrf });
console.log('start draft', r.status, r.headers.location);
console.log(t.errors);
await t.close();
