import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../server/http/app.ts';
import { embedPolicy } from '../../server/config.ts';
import { testApp, type TestApp } from '../support/app.ts';

const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
});
function appWith(config: AppOptions['config']) {
  const t = testApp(undefined, { config });
  apps.push(t);
  return t;
}

const FLOW = '/embed/flows/participant-no-email';
const frameAncestors = (res: request.Response) =>
  /frame-ancestors ([^;]+)/.exec(String(res.headers['content-security-policy']))?.[1];

describe('who may frame the embed pages', () => {
  it('only the origins EMBED_ORIGINS lists', async () => {
    const t = appWith({ EMBED_ORIGINS: 'https://help.example.com, https://support.example.org' });
    const res = await request(t.app).get(FLOW).expect(200);
    expect(frameAncestors(res)).toBe('https://help.example.com https://support.example.org');
    expect(res.headers['x-frame-options']).toBeUndefined();
    // The site's own pages are never framed.
    expect(frameAncestors(await request(t.app).get('/').expect(200))).toBe("'none'");
  });

  it('nobody in production unless configured; anybody in development', async () => {
    const prod = appWith({ NODE_ENV: 'production' });
    expect(frameAncestors(await request(prod.app).get(FLOW).expect(200))).toBe("'none'");
    await request(prod.app).get('/demo/help-center').expect(404);
    const dev = appWith({});
    expect(frameAncestors(await request(dev.app).get(FLOW).expect(200))).toBe('*');
    await request(dev.app).get('/demo/help-center').expect(200);
  });

  it('records the host origin on widget sessions only when it may embed us', async () => {
    const t = appWith({ EMBED_ORIGINS: 'https://help.example.com' });
    const start = async (origin: string) => {
      const res = await request(t.app).post(FLOW).type('form').send({ origin }).expect(303);
      expect(res.headers.location).toMatch(/^\/embed\/s\//);
      return (await t.store.getSession(String(res.headers.location).split('/').pop()!))!;
    };
    expect(await start('https://help.example.com')).toMatchObject({ channel: 'widget', origin: 'https://help.example.com' });
    expect((await start('https://evil.example')).origin).toBeNull();
    expect((await start('javascript:alert(1)')).origin).toBeNull();
    const page = await request(t.app).get(`${FLOW}?origin=${encodeURIComponent('https://evil.example')}`).expect(200);
    expect(page.text).toContain('data-host=""');
    const allowed = await request(t.app).get(`${FLOW}?origin=${encodeURIComponent('https://help.example.com')}`).expect(200);
    expect(allowed.text).toContain('data-host="https://help.example.com"');
    expect(allowed.text).toContain('name="origin" value="https://help.example.com"');
  });

  it('refuses a malformed EMBED_ORIGINS at start', () => {
    expect(() => embedPolicy({ NODE_ENV: 'production', EMBED_ORIGINS: 'help.example.com' })).toThrow(/EMBED_ORIGINS/);
    expect(() => embedPolicy({ NODE_ENV: 'production', EMBED_ORIGINS: 'https://a.example/path' })).toThrow(/EMBED_ORIGINS/);
  });
});

describe('the loader', () => {
  it('can be loaded by any page and is cached', async () => {
    const t = appWith({});
    const res = await request(t.app).get('/widget.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['cache-control']).toMatch(/max-age=86400/);
    const etag = res.headers.etag!;
    await request(t.app).get('/widget.js').set('if-none-match', etag).expect(304);
    const versioned = await request(t.app).get(`/widget.js?v=${encodeURIComponent(etag)}`).expect(200);
    expect(versioned.headers['cache-control']).toMatch(/immutable/);
  });

  it('stays within 2 KB gzipped, as README promises (the launcher, the panel and its close button)', async () => {
    const res = await request(appWith({}).app).get('/widget.js').buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(gzipSync(res.body as Buffer, { level: 9 }).length).toBeLessThanOrEqual(2048);
  });

  it('embed pages are the same steps in the compact layout, and work as plain forms', async () => {
    const t = appWith({});
    const start = await request(t.app).post(FLOW).type('form').send({}).expect(303);
    const url = start.headers.location as string;
    const page = await request(t.app).get(url).expect(200);
    expect(page.text).toContain('<body class="embed">');
    expect(page.text).toContain(`action="${url}"`);
    await request(t.app).post(url).type('form').send({ event: 'OVER_A_MINUTE' }).expect(303).expect('location', `${url}#step`);
    expect((await request(t.app).get(url).expect(200)).text).toContain('value="FOUND_IN_SPAM"');
  });
});
