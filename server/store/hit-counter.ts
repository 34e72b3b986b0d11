/**
 * Counts a client's requests in fixed windows where every instance sees the same counts (a database table), so two
 * instances enforce one limit. The limits (server/http/limits.ts) use it when the store offers one; without, each
 * process counts in memory, which is right for the single process SQLite serves.
 */
export interface HitCounter {
  /** Counts one hit of `key` in its current window (a new window of `windowMs` once the last has ended). */
  increment(key: string, windowMs: number): Promise<{ hits: number; resetAt: number }>;
  /** Takes one hit back (a request that is not to count after all). */
  decrement(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}
