import { createApp } from './http/app.ts';
import { loadConfig } from './config.ts';
import { describeSync, startContent } from './content/startup.ts';
import { FlowRegistry } from './engine/flow-registry.ts';
import { createLogger } from './http/log.ts';
import { createServer } from './http/server.ts';
import { scheduleRetention } from './services/retention.ts';
import { describeStore, openStore, StoreOpenError } from './store/index.ts';

/**
 * A start that cannot work ends with one line naming what to fix, and a non-zero exit: a stack trace would bury it,
 * and a supervisor restarting the process would only repeat it.
 */
function startFailed(message: string): never {
  console.error(`mailhelp: cannot start: ${message}`);
  process.exit(1);
}

const config = (() => {
  try {
    return loadConfig();
  } catch (e) {
    return startFailed((e as Error).message);
  }
})();
const logger = createLogger(config.LOG_LEVEL);
const store = await (async () => {
  try {
    return await openStore(config);
  } catch (e) {
    // e.g. `DB_PATH=data/mailhelp.db: the file is not a SQLite database (…)`, or `DATABASE_URL=postgres://u:***@db/x: …`
    if (e instanceof StoreOpenError) return startFailed(e.message);
    throw e;
  }
})();
// Before anything is served: the release's built-in guides into the database, every guide's latest version current.
const flows = new FlowRegistry();
const { content, synced } = await (async () => {
  try {
    return await startContent(store, flows, { onError: (err) => logger.error({ err }, 'guide versions') });
  } catch (e) {
    return startFailed(`guides: ${(e as Error).message}`);
  }
})();
for (const line of describeSync(synced)) console.log(line);
const stopPolling = content.watch(config.FLOW_POLL_MS);
const app = createApp({ store, config, logger, flows, content });
// Hand-offs acknowledged before a restart (or by another instance) are delivered from the outbox.
const { outbox } = app.locals.ctx;
outbox.start();
const stopRetention = config.RETENTION_DAYS ? scheduleRetention(store, config.RETENTION_DAYS, (message) => logger.info(message)) : undefined;

const server = createServer(app, { hotPath: config.HOT_PATH }).listen(config.PORT, config.HOST, async () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  // Plain lines for whoever started the server (tests and the bench wait for the first one); the log is JSON.
  console.log(`mailhelp listening on http://localhost:${port} (database: ${describeStore(config)})`);
  logger.info({ port, database: describeStore(config) }, 'listening');
  if (!(await store.listAgents()).some((a) => a.role === 'admin'))
    console.log('No admin account yet: create one with  npm run agent -- add --email you@example.com --name "Your Name" --role admin');
});

/** Stop taking connections, let requests in flight finish, then close the database. */
function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down');
  stopRetention?.();
  stopPolling();
  server.close(() => {
    outbox
      .stop()
      .then(() => store.close())
      .finally(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      });
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
