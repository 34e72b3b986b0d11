/**
 * The floor for `npm run bench`: a bare node:http server doing the step routes' own work and nothing else — the
 * engine, the store's reads and writes, helmet's headers, the request id and the pino line — through the hot path
 * (server/http/hot-path.ts) with no router behind it. Only session starts and /healthz (which the bench needs to set
 * up) reach the Express app; anything else is a bare 404. Started as the app is, on the database its environment names.
 */
import { createServer } from 'node:http';
import { loadConfig } from '../../server/config.ts';
import { startContent } from '../../server/content/startup.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createApp } from '../../server/http/app.ts';
import { createHotPath } from '../../server/http/hot-path.ts';
import { createLogger } from '../../server/http/log.ts';
import { openStore } from '../../server/store/index.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const store = await openStore(config);
const flows = new FlowRegistry();
const { content } = await startContent(store, flows);
const app = createApp({ store, config, logger, flows, content });
const hotPath = createHotPath(app);

const server = createServer((req, res) => {
  if (hotPath(req, res)) return;
  if ((req.method === 'POST' && req.url === '/api/sessions') || req.url === '/healthz') return void app(req, res);
  res.statusCode = 404;
  res.end();
});
server.listen(config.PORT, config.HOST, () => {
  const address = server.address();
  console.log(`floor listening on ${typeof address === 'object' && address ? address.port : config.PORT}`);
});
process.on('SIGTERM', () => {
  server.close(() => void store.close().finally(() => process.exit(0)));
  server.closeAllConnections();
});
