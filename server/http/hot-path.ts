import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request, type Response } from 'express';
import { CHECK } from '../../flows/types.ts';
import type { SessionView } from '../engine/engine.ts';
import { tFor } from '../i18n/i18n.ts';
import { sessionJsonText } from '../render/session-json.ts';
import { sessionPageHtml } from '../routes/pages.ts';
import type { App } from './app.ts';
import { asAppError } from './error-handler.ts';
import { AppError } from './errors.ts';
import { layerName } from './layers.ts';
import { logRequest, requestId, routeOf } from './log.ts';
import { apiErrorBody, setErrorStatus, setNoStore, setSecurityHeaders } from './policy.ts';

/*
 * The four requests a person's steps make most — a session's JSON, an answer, Back, the session's page — in their
 * plain form, answered without Express's routers: every other request (and every plain one that turns out not to be,
 * or whose error is a page) goes to the Express app untouched. Headers, ids, log lines, limits and error bodies come
 * from the modules the app itself uses (policy.ts, log.ts, limits.ts, error-handler.ts).
 */

/**
 * The app's global layers, in order (name, mount path, route path), as the hot path mirrors them; `/api` also lists
 * its router's own layers. A layer added, removed or moved changes what a request meets on its way to the step
 * routes, so the hot path refuses to start until this list (and what it does) is brought up to date.
 */
export const MIRRORED_LAYERS = [
  'requestLog', // logRequest: X-Request-Id and the log line
  'securityHeaders', // setSecurityHeaders
  'handle /healthz',
  'serveStatic /assets',
  'handle /favicon.ico',
  'noStore', // setNoStore
  'router', // embed: only /embed, /widget.js, /demo
  'loadLogin', // req.login, which the step routes do not read
  'router', // agent console: /agent, /admin
  'router', // studio: /admin/studio, /preview
  'router', // admin: /admin
  'router', // analytics
  'router', // admin translations: /api/admin/translations
  'router', // admin flows: /api/admin
  'router', // hand-off status reports
  'router /api', // below: requireJsonBody and the JSON parser meet only bodies the hot path passes on
  '/api: handle /sessions/:id/handoff',
  '/api: router', // checks: /checks/email-domain, /checks/headers, /checks/sender-ips, /checks/bounce only
  '/api: handle /sessions/:id/events', // the larger JSON parser a pasted text needs: a plain body parses the same
  '/api: requireJsonBody',
  '/api: jsonParser',
  '/api: handle /flows',
  '/api: handle /search',
  '/api: handle /sessions',
  '/api: handle /sessions/:id',
  '/api: handle /sessions/:id/events',
  '/api: handle /sessions/:id/back',
  '/api: handle /sessions/:id/restart',
  '/api: handle /sessions/:id/feedback',
  '/api: apiNotFound',
  'router', // pages: /s/:id
  'notFound',
  'errorHandler',
] as const;

interface Layer {
  name: string;
  rawPath?: string;
  route?: { path: string };
  handle: { stack?: Layer[] };
}

// `app.use(fn)` is mounted at '/': written as no path.
const describe = (layer: Layer) => [layerName(layer.handle, layer.name), layer.route?.path ?? (layer.rawPath === '/' ? undefined : layer.rawPath)].filter(Boolean).join(' ');

/** The app's layers as MIRRORED_LAYERS writes them. */
export function appLayers(app: App): string[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack.flatMap((layer) => {
    const own = describe(layer);
    if (layer.rawPath !== '/api' || !layer.handle.stack) return [own];
    return [own, ...layer.handle.stack.map((inner) => `/api: ${describe(inner)}`)];
  });
}

export class HotPathMismatch extends Error {}

/** Bodies of a plain answer are a few dozen bytes; a longer one is not the plain form and is never read here. */
const BODY_MAX = 1024;

/** Headers that ask for more than a plain answer (conditions, ranges, a body sent in pieces or encoded, 100-continue). */
const EXPRESS_ONLY_HEADERS = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range', 'expect', 'transfer-encoding', 'content-encoding'];

const API = /^\/api\/sessions\/([A-Za-z0-9_-]{1,64})(\/events|\/back)?$/;
const PAGE = /^\/s\/([A-Za-z0-9_-]{1,64})$/;
/** What express.json (through type-is) reads as JSON in UTF-8, in its common spellings. */
const JSON_TYPE = /^application\/json(;\s*charset="?utf-8"?)?$/i;

type Kind = 'get' | 'events' | 'back' | 'page';
/** Each kind's route, as Express's routeOf names it in logs. */
const ROUTES: Record<Kind, { baseUrl: string; path: string }> = {
  get: { baseUrl: '/api', path: '/sessions/:id' },
  events: { baseUrl: '/api', path: '/sessions/:id/events' },
  back: { baseUrl: '/api', path: '/sessions/:id/back' },
  page: { baseUrl: '', path: '/s/:id' },
};

// Express's own getters for the client's address and protocol (trust proxy, X-Forwarded-*), so both paths agree.
const expressGetter = (name: string) => Object.getOwnPropertyDescriptor(express.request, name)!.get!;
const ipGetter = expressGetter('ip');
const protocolGetter = expressGetter('protocol');

/**
 * What the shared modules read of a request (id, address, protocol, path, route): the few properties of Express's
 * request they use, over node's own. Built per request instead of giving node's request Express's prototype.
 */
class PlainRequest {
  readonly query = {};
  id = '';
  readonly route: { path: string };
  readonly baseUrl: string;
  constructor(
    readonly app: App,
    readonly raw: IncomingMessage,
    readonly path: string,
    kind: Kind,
  ) {
    this.route = { path: ROUTES[kind].path };
    this.baseUrl = ROUTES[kind].baseUrl;
  }
  get headers() {
    return this.raw.headers;
  }
  get method() {
    return this.raw.method;
  }
  get originalUrl() {
    return this.path;
  }
  get url() {
    return this.path;
  }
  get socket() {
    return this.raw.socket;
  }
  get connection() {
    return this.raw.socket;
  }
  get(name: string) {
    const key = name.toLowerCase();
    return key === 'referer' || key === 'referrer' ? (this.raw.headers.referrer ?? this.raw.headers.referer) : this.raw.headers[key];
  }
  get ip(): string | undefined {
    return ipGetter.call(this) as string | undefined;
  }
  get protocol(): string {
    return protocolGetter.call(this) as string;
  }
  get secure() {
    return this.protocol === 'https';
  }
  /** For the modules typed on Express's request (limits, the error log): they read only what is above. */
  get express() {
    return this as unknown as Request;
  }
}

/** As Express's res.send writes a string: its type with charset, its length, then the body. */
function send(res: ServerResponse, status: number, type: 'application/json' | 'text/html', body: string) {
  res.statusCode = status;
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', String(Buffer.byteLength(body)));
  res.end(body);
}

/** A middleware of the app's (a rate limit) run to its end: resolves with the error it passed on, if any. */
function run(middleware: (req: Request, res: Response, next: (err?: unknown) => void) => void, req: PlainRequest, res: ServerResponse) {
  return new Promise<unknown>((resolve) => middleware(req.express, res as Response, (err?: unknown) => resolve(err)));
}

/**
 * Reads a small body of `length` bytes and hands it over, leaving the stream as if unread when it is put back
 * (`req.unshift`) before the stream has ended: Express then parses the very bytes the client sent.
 */
function readBody(req: IncomingMessage, length: number, done: (body: Buffer) => void) {
  const chunks: Buffer[] = [];
  let got = 0;
  const onReadable = () => {
    let chunk: Buffer | null;
    while (got < length && (chunk = req.read() as Buffer | null) !== null) {
      chunks.push(chunk);
      got += chunk.length;
    }
    if (got < length) return;
    req.removeListener('readable', onReadable);
    // Synchronously, before 'end' can be emitted: node emits it on the next tick only if nothing was put back.
    done(Buffer.concat(chunks));
  };
  req.on('readable', onReadable);
}

/** `{"type":"<event>"}` and nothing else, as the API's schema takes it; a domain check (CHECK) is Express's. */
function plainEvent(body: Buffer): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const type = (value as { type?: unknown }).type;
  if (keys.length !== 1 || typeof type !== 'string' || type.length < 1 || type.length > 100 || type === CHECK) return undefined;
  return type;
}

export interface HotPathOptions {
  /** Tests only: start even if the app's layers are not the mirrored ones, to show what the check guards. */
  skipLayerCheck?: boolean;
}

/**
 * The dispatcher: answers a plain step request and returns true, or returns false having touched nothing, for the
 * Express app to answer. A request it takes may still be handed to Express (`app(req, res)`) before anything is
 * written: a body that is not the plain form, or a page whose session cannot be shown.
 */
export function createHotPath(app: App, options: HotPathOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const layers = appLayers(app);
  if (!options.skipLayerCheck && layers.join('\n') !== MIRRORED_LAYERS.join('\n'))
    throw new HotPathMismatch(
      `the app's layers are not the ones the hot path mirrors (server/http/hot-path.ts MIRRORED_LAYERS):\n${layers.join('\n')}`,
    );
  const { ctx } = app.locals;
  const { logger, logError } = app.locals.log;

  /** What the app's first layers do (requestLog, securityHeaders, noStore): from the same functions. */
  function begin(req: PlainRequest, res: ServerResponse, start: number) {
    req.id = requestId(req.headers['x-request-id']);
    logRequest(logger, res, req.id, req.method, () => routeOf(req.express), start);
    setSecurityHeaders(res, req.secure);
    setNoStore(res);
  }

  /** As the app's error handler answers the API. */
  function apiError(req: PlainRequest, res: ServerResponse, err: unknown) {
    const error = asAppError(err, () => logError(err, req.express));
    setErrorStatus(res, error);
    send(res, error.status, 'application/json', JSON.stringify(apiErrorBody(error)));
  }

  async function api(req: PlainRequest, res: ServerResponse, kind: Kind, id: string, type: string | undefined, start: number) {
    begin(req, res, start);
    try {
      let view: SessionView;
      if (kind === 'get') view = await ctx.engine.get(id, { lng: undefined });
      else {
        const limited = await run(ctx.limits.steps, req, res);
        if (limited) throw limited;
        view = kind === 'back' ? await ctx.engine.back(id, { lng: undefined }) : await ctx.engine.send(id, type!, undefined, { lng: undefined });
      }
      send(res, 200, 'application/json', sessionJsonText(view, tFor(ctx.i18n, view.lng)));
    } catch (err) {
      apiError(req, res, err);
    }
  }

  /** The page, or Express's answer if it cannot be shown (an error page, in the visitor's language). */
  async function page(req: PlainRequest, raw: IncomingMessage, res: ServerResponse, id: string, start: number) {
    let html: string;
    try {
      html = await sessionPageHtml(ctx, req, await ctx.engine.get(id));
    } catch {
      app(raw, res);
      return;
    }
    begin(req, res, start);
    send(res, 200, 'text/html', html);
  }

  return function hotPath(raw, res) {
    const method = raw.method;
    if (method !== 'GET' && method !== 'POST') return false;
    const url = raw.url ?? '';
    const { headers } = raw;
    for (const name of EXPRESS_ONLY_HEADERS) if (headers[name] !== undefined) return false;
    let kind: Kind;
    let match: RegExpExecArray | null;
    if ((match = API.exec(url))) {
      kind = match[2] === '/events' ? 'events' : match[2] === '/back' ? 'back' : 'get';
      if ((method === 'GET') !== (kind === 'get')) return false;
    } else if ((match = PAGE.exec(url)) && method === 'GET') kind = 'page';
    else return false;
    const id = match[1]!;
    const length = headers['content-length'];
    const start = performance.now();
    const req = new PlainRequest(app, raw, url, kind);

    if (kind !== 'events') {
      // No body at all: with one, Express's JSON checks (415, 400) have a say.
      if (length !== undefined && length !== '0') return false;
      void (kind === 'page' ? page(req, raw, res, id, start) : api(req, res, kind, id, undefined, start));
      return true;
    }
    if (!JSON_TYPE.test(headers['content-type'] ?? '') || !length || !/^[1-9]\d{0,3}$/.test(length) || Number(length) > BODY_MAX) return false;
    readBody(raw, Number(length), (body) => {
      const type = plainEvent(body);
      if (type === undefined) {
        raw.unshift(body);
        app(raw, res);
        return;
      }
      void api(req, res, kind, id, type, start);
    });
    return true;
  };
}
