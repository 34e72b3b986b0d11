import { defineConfig } from 'vitest/config';

/**
 * With a PostgreSQL server to test against (TEST_DATABASE_URL; `.ci/run` sets it), the HTTP tests run a second time
 * with every app on PostgreSQL (TEST_STORE=postgres: a schema of its own per app, test/support/app.ts). Files that
 * seed the SQLite file directly stay on SQLite.
 */
const postgres = process.env.TEST_DATABASE_URL
  ? [{ extends: true as const, test: { name: 'postgres', include: ['test/http/**/*.test.ts'], exclude: ['test/http/exports.test.ts'], env: { TEST_STORE: 'postgres' } } }]
  : [];

export default defineConfig({
  test: {
    projects: [{ extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } }, ...postgres],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests start Chromium; two at a time is what this 2-core machine takes without flaking.
    maxWorkers: 2,
    // On CI, also write the results as JSON so .ci/run can print one plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/results.json' }]] : ['default'],
  },
});
