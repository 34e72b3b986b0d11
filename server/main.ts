import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { scheduleRetention } from './retention.ts';
import { createSqliteStore } from './store/sqlite.ts';

const config = loadConfig();
const store = createSqliteStore(config.DB_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
const app = createApp({ store, config });
const stopRetention = config.RETENTION_DAYS ? scheduleRetention(store, config.RETENTION_DAYS) : undefined;

const server = app.listen(config.PORT, config.HOST, async () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  console.log(`mailhelp listening on http://localhost:${port} (database: ${config.DB_PATH})`);
  if (!(await store.listAgents()).some((a) => a.role === 'admin'))
    console.log('No admin account yet: create one with  npm run agent -- add --email you@example.com --name "Your Name" --role admin');
});

/** Stop taking connections, let requests in flight finish, then close the database. */
function shutdown(signal: string) {
  console.log(`${signal}: shutting down`);
  stopRetention?.();
  server.close(() => {
    store.close().finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
