import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '../../server/http/log.ts';
import type { AppOptions } from '../../server/http/app.ts';
import { listen, testApp, type TestApp } from './app.ts';

/*
 * Two servers of the same setup (each on its own store), one with the hot path in front of the app and one with
 * Express alone, to send the same requests to in the same order and compare their answers.
 */

export interface Sent {
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
}
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(url: string, { method, path, headers = {}, body }: Sent): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A logger whose request lines land in an array. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

export interface Target {
  name: string;
  t: TestApp;
  url: string;
  stop(): Promise<void>;
  lines: Record<string, unknown>[];
  /** The target's own session ids and refs, written as placeholders so the two targets' answers compare. */
  names: Map<string, string>;
  /** How many requests reached the Express app (directly or handed on by the hot path). */
  viaExpress: { count: number };
}

export type Setup = (t: TestApp) => void;

export async function target(name: string, hotPath: boolean, setup?: Setup, options: Partial<AppOptions> = {}): Promise<Target> {
  const { logger, lines } = memoryLogger();
  const t = testApp(undefined, { ...options, logger });
  setup?.(t);
  const viaExpress = { count: 0 };
  // Express's own entry point (not a layer, so the app's layers stay as the hot path mirrors them).
  const app = t.app as unknown as { handle: (...args: unknown[]) => unknown };
  const handle = app.handle.bind(app);
  app.handle = (...args) => {
    viaExpress.count++;
    return handle(...args);
  };
  const server = await listen(t.app, { hotPath, skipLayerCheck: Boolean(setup) });
  return { name, t, url: server.url, stop: server.stop, lines, names: new Map(), viaExpress };
}

export async function newSession(to: Target, label: string, flowId = 'participant-no-email') {
  const res = await send(to.url, {
    method: 'POST',
    path: '/api/sessions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ flowId, lng: 'en' }),
  });
  if (res.status !== 201) throw new Error(`${to.name}: no session (${res.status} ${res.body}): ${to.t.errors.map(String).join('; ')}`);
  const { sessionId, ref } = JSON.parse(res.body) as { sessionId: string; ref: string };
  to.names.set(sessionId, `<${label}>`);
  to.names.set(ref, `<${label}-ref>`);
  return sessionId;
}

/** Each target's own values as placeholders; the clock's seconds (rate-limit reset, cookie expiry) as a mark. */
export function normalize(to: Target, text: string): string {
  let out = text;
  for (const [value, label] of to.names) out = out.split(value).join(label);
  return out.replace(/reset=\d+/g, 'reset=<s>').replace(/Expires=[^;]+/g, 'Expires=<date>');
}

export function comparable(to: Target, answer: Answer) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (name === 'date' || name === 'x-request-id' || value === undefined) continue;
    headers[name] = normalize(to, Array.isArray(value) ? value.join('\n') : value);
  }
  // Retry-After counts down seconds to the window's end: the two may be a second apart.
  if (headers['retry-after']) headers['retry-after'] = Number(headers['retry-after']) > 0 ? '<positive>' : headers['retry-after'];
  return { status: answer.status, headers, body: normalize(to, answer.body) };
}

/** Where one request's answers from the two differ: status, each header, body. */
export function answerDifferences(request: string, x: ReturnType<typeof comparable>, y: ReturnType<typeof comparable>): string[] {
  const found: string[] = [];
  if (x.status !== y.status) found.push(`${request}: status ${x.status} ≠ ${y.status}`);
  for (const name of new Set([...Object.keys(x.headers), ...Object.keys(y.headers)]))
    if (x.headers[name] !== y.headers[name]) found.push(`${request}: ${name}: ${x.headers[name]} ≠ ${y.headers[name]}`);
  if (x.body !== y.body) found.push(`${request}: body ${x.body.slice(0, 300)} ≠ ${y.body.slice(0, 300)}`);
  return found;
}

/** Sends one request to both (each with its own session ids) and lists where the answers differ. */
export async function compareOne(a: Target, b: Target, ra: Sent, rb: Sent): Promise<string[]> {
  const x = comparable(a, await send(a.url, ra));
  const y = comparable(b, await send(b.url, rb));
  return answerDifferences(`${ra.method} ${normalize(a, ra.path)}`, x, y);
}

export async function stopBoth(...targets: Target[]) {
  for (const to of targets) {
    await to.stop();
    await to.t.close();
  }
}
