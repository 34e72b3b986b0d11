import { describe, expect, it } from 'vitest';
import { HANDOFF_CHANNELS } from '../../server/handoff/story.ts';
import { AUDIENCES, AUDIT_ACTIONS, CHANGE_VIA, CHANNELS, DELIVERY_STATUSES, DRAFT_STATUSES, HANDOFF_STATUSES, ROLES, SESSION_STATUSES } from '../../server/store/types.ts';
import { openDatabase } from '../../server/store/sqlite/index.ts';

/** The values a CHECK constraint of `table.column` allows, read from the schema SQLite actually holds. */
function allowed(table: string, column: string): string[] {
  const db = openDatabase(':memory:');
  const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as { sql: string };
  db.close();
  const list = new RegExp(`\\b${column}\\b[^,]*CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql)?.[1];
  if (!list) throw new Error(`no CHECK on ${table}.${column}`);
  return [...list.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

describe('schema', () => {
  // Migrations are frozen SQL, so their lists are copies: a value added to a list in code needs a migration too.
  it.each([
    ['sessions', 'channel', CHANNELS],
    ['sessions', 'audience', AUDIENCES],
    ['sessions', 'status', SESSION_STATUSES],
    ['agents', 'role', ROLES],
    ['flow_versions', 'via', CHANGE_VIA],
    ['audit_log', 'via', CHANGE_VIA],
    ['audit_log', 'action', AUDIT_ACTIONS],
    ['drafts', 'status', DRAFT_STATUSES],
    ['handoffs', 'status', HANDOFF_STATUSES],
    ['deliveries', 'channel', HANDOFF_CHANNELS],
    ['deliveries', 'status', DELIVERY_STATUSES],
  ])('%s.%s allows exactly the values the code knows', (table, column, values) => {
    expect(allowed(table, column)).toEqual([...values]);
  });
});
