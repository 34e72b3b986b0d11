/**
 * Fills a database with a large random history for benchmarks: `npm run seed -- --steps 1000000 [--days 90]`
 * (into DB_PATH). Never run it against a production database.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { FlowRegistry } from '../engine/flow-registry.ts';
import { seedHistory } from '../store/sqlite/seed.ts';
import { openDatabase } from '../store/sqlite/index.ts';
import { runTool } from './run-tool.ts';

runTool('seed', () => {
  const { values } = parseArgs({ options: { steps: { type: 'string', default: '1000000' }, days: { type: 'string', default: '90' } } });
  const config = loadConfig();
  const db = openDatabase(config.DB_PATH);
  const t0 = performance.now();
  const { sessions, steps } = seedHistory(db, new FlowRegistry().list, { steps: Number(values.steps), days: Number(values.days) });
  db.close();
  console.log(`Seeded ${sessions} sessions with ${steps} steps into ${config.DB_PATH} in ${Math.round(performance.now() - t0)} ms.`);
});
