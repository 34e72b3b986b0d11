import { createServer as createHttpServer, type Server } from 'node:http';
import type { App } from './app.ts';
import { createHotPath, type HotPathOptions } from './hot-path.ts';

export interface ServerOptions extends HotPathOptions {
  /** Without it, every request goes through Express (the equivalence test and the bench compare the two). */
  hotPath?: boolean;
}

/**
 * The HTTP server: the hot path first (server/http/hot-path.ts), the Express app for everything it does not answer.
 * Refuses to start (HotPathMismatch) when the app's layers are not those the hot path mirrors.
 */
export function createServer(app: App, options: ServerOptions = {}): Server {
  if (options.hotPath === false) return createHttpServer(app);
  const hotPath = createHotPath(app, options);
  return createHttpServer((req, res) => {
    if (!hotPath(req, res)) app(req, res);
  });
}
