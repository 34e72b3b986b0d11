import type { AnalyticsStore } from '../store/types.ts';

const DAY = 24 * 3600 * 1000;

export const retentionCutoff = (days: number, now = Date.now()) => now - days * DAY;

/**
 * With RETENTION_DAYS set, sessions older than that are deleted at start and then every hour. The timer does not
 * keep the process alive, and a failed run is logged and retried at the next hour.
 */
export function scheduleRetention(store: AnalyticsStore, days: number, log: (message: string) => void = console.log) {
  const run = async () => {
    try {
      const deleted = await store.purgeSessions(retentionCutoff(days));
      if (deleted) log(`retention: deleted ${deleted} sessions older than ${days} days`);
    } catch (e) {
      log(`retention: purge failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  void run();
  const timer = setInterval(run, 3600 * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
