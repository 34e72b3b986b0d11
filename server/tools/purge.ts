/**
 * Deletes old sessions, or empties the free text people typed, on the server:
 *   npm run purge                    sessions older than RETENTION_DAYS
 *   npm run purge -- --days 90       sessions older than 90 days
 *   npm run purge -- --text --days 0 feedback comments, step notes and hand-off requests of all sessions (the figures stay)
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/index.ts';
import { retentionCutoff } from '../services/retention.ts';
import { runTool } from './run-tool.ts';

runTool('purge', async () => {
  const { values } = parseArgs({ options: { days: { type: 'string' }, text: { type: 'boolean', default: false } }, strict: true });
  const config = loadConfig();
  const days = values.days !== undefined ? Number(values.days) : config.RETENTION_DAYS;
  if (days === undefined || !Number.isInteger(days) || days < 0) {
    console.error('Give --days N (a whole number of days), or set RETENTION_DAYS.');
    process.exitCode = 2;
    return;
  }
  // The database the server uses: PostgreSQL when DATABASE_URL is set, else the SQLite file.
  const store = await openStore(config);
  try {
    const before = retentionCutoff(days);
    if (values.text) console.log(`Emptied ${await store.purgeText(before)} comments, notes and hand-off requests of sessions started before ${new Date(before).toISOString()}.`);
    else console.log(`Deleted ${await store.purgeSessions(before)} sessions started before ${new Date(before).toISOString()}.`);
  } finally {
    await store.close();
  }
});
