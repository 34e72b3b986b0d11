import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sitePath } from '../../server/http/request.ts';
import { listen, testApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  t = testApp();
  server = await listen(t.app);
});
afterAll(async () => {
  await server.stop();
  await t.close();
});

/** A GET with the request target exactly as given: HTTP clients (and URL parsers) would tidy `/\` up first. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}/`, { path, headers: { accept: 'text/html' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject).end();
  });
}

/** Every URL in the page's attributes, as the browser reads it (Handlebars writes `=` as `&#x3D;`). */
const links = (html: string) =>
  [...html.matchAll(/\b(?:href|src|action)="([^"]*)"/g)].map((m) =>
    m[1]!.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))).replace(/&amp;/g, '&'),
  );

describe('links built from the request path stay on this site', () => {
  it.each([
    ['//evil.example/x', '/evil.example/x'],
    ['/\\evil.example/x', '/evil.example/x'],
    ['///evil.example/x', '/evil.example/x'],
    ['/\\/evil.example/x', '/evil.example/x'],
    ['//\\evil.example', '/evil.example'],
    ['//evil.example/flows/participant-no-email', '/evil.example/flows/participant-no-email'],
  ])('GET %s', async (path, local) => {
    const { status, body } = await rawGet(path);
    expect(status).toBe(404);
    const found = links(body);
    for (const link of found) expect(link, link).not.toMatch(/^(\/[/\\]|\\)/);
    expect(found).toContain(`${local}?lng=sv`);
  });

  it('a path is kept as it is when it is already one of ours', () => {
    expect(sitePath('/flows/participant-no-email')).toBe('/flows/participant-no-email');
    expect(sitePath('/embed/s/abc/')).toBe('/embed/s/abc/');
    expect(sitePath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('control characters a browser would drop cannot rebuild a `//`', () => {
    expect(sitePath('/\t/evil.example/x')).toBe('/evil.example/x');
    expect(sitePath('/ \n\\evil.example')).toBe('/evil.example');
    expect(sitePath('')).toBe('/');
  });
});
