import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assetUrls } from '../../server/render/page-data.ts';
import { VIEWS_DIR } from '../../server/render/views.ts';
import { tempDir, testApp, type TestApp } from '../support/app.ts';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

describe('asset URLs', () => {
  it('change exactly when their own file changes', () => {
    const d = tempDir();
    dirs.push(d);
    writeFileSync(join(d.dir, 'app.css'), 'body { color: black }');
    writeFileSync(join(d.dir, 'console.js'), 'console.log(1)');
    const before = assetUrls(d.dir);
    expect(Object.keys(before).sort()).toEqual(['app.css', 'console.js']);
    expect(before['console.js']).toMatch(/^\/assets\/console\.js\?v=[0-9a-f]{10}$/);

    writeFileSync(join(d.dir, 'console.js'), 'console.log(2)');
    const after = assetUrls(d.dir);
    expect(after['console.js']).not.toBe(before['console.js']);
    expect(after['app.css']).toBe(before['app.css']);

    writeFileSync(join(d.dir, 'console.js'), 'console.log(1)');
    expect(assetUrls(d.dir)).toEqual(before);
  });
});

describe('pages', () => {
  let t: TestApp;
  beforeAll(() => {
    t = testApp();
  });
  afterAll(() => t.close());

  /** The URL a page must use for an asset: its name and a hash of its own bytes. */
  const expected = (name: string) =>
    `/assets/${name}?v=${createHash('sha256').update(readFileSync(`${VIEWS_DIR}assets/${name}`)).digest('hex').slice(0, 10)}`;
  const urls = (html: string) =>
    [...html.matchAll(/(?:href|src)="(\/assets\/[^"]*)"/g)].map((m) => m[1]!.replace(/&#x3D;/g, '='));

  it.each([
    ['/', ['favicon.ico', 'app.css', 'copy.js']],
    ['/agent/login', ['favicon.ico', 'app.css', 'console.js']],
    ['/embed/flows/participant-no-email', ['favicon.ico', 'app.css', 'copy.js', 'embed.js']],
  ])('%s links each asset by its own content', async (path, assets) => {
    const page = await request(t.app).get(path).expect(200);
    expect(urls(page.text)).toEqual(assets.map(expected));
    for (const url of urls(page.text)) {
      const served = await request(t.app).get(url).expect(200);
      expect(served.headers['cache-control']).toMatch(/immutable/);
    }
  });

  it('/favicon.ico is the icon the pages link, for browsers that ask for it by that name', async () => {
    const res = await request(t.app).get('/favicon.ico').expect(200);
    expect(res.headers['content-type']).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
    expect(res.headers['cache-control']).toMatch(/max-age=86400/);
    expect(Buffer.compare(res.body as Buffer, readFileSync(`${VIEWS_DIR}assets/favicon.ico`))).toBe(0);
    // An icon file: reserved 0, type 1 (icon), one image.
    expect([...(res.body as Buffer).subarray(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
  });
});
