import { Resolver } from 'node:dns/promises';
import { Lru } from './lru.ts';

/** A DNS answer: records, or none (NXDOMAIN or no data). A timeout or server failure is thrown as DnsError. */
export type Answer<T> = { records: T[] } | { none: 'nxdomain' | 'nodata' };

export class DnsError extends Error {
  constructor(
    readonly code: string,
    readonly query: string,
    message = code === 'ETIMEOUT' ? `DNS did not answer for ${query} in time` : `DNS failed for ${query} (${code})`,
  ) {
    super(message);
  }
}

export interface DnsOptions {
  /** `host[:port]` entries; empty: the system's resolvers. */
  servers?: string[];
  /** How long one query may take. */
  timeoutMs?: number;
  /** How long answers are kept (errors are never kept). */
  cacheMs?: number;
  /** Answers kept at most; the least recently used go first. */
  cacheEntries?: number;
  /** Characters of answers kept at most, so a few huge TXT records cannot fill memory within the entry bound. */
  cacheChars?: number;
  /** How long one whole check may take, whatever its records ask for. */
  deadlineMs?: number;
  /** DNS queries one check may send, whatever its records ask for. */
  maxQueries?: number;
}

export const CHECK_DEFAULTS = { deadlineMs: 5000, maxQueries: 30 } as const;

/** The lookups one check makes, all within that check's budget. */
export interface Lookups {
  txt(name: string): Promise<Answer<string>>;
  mx(name: string): Promise<Answer<{ exchange: string; priority: number }>>;
  /** A and AAAA: two queries. */
  addresses(name: string): Promise<Answer<string>>;
  /** One question of a single type, for checks that ask as a library does (mailauth's resolver): one query. */
  records(name: string, type: RecordType): Promise<Answer<string>>;
  /** A only: one query (a DNS blocklist answers in A records). */
  ipv4(name: string): Promise<Answer<string>>;
}

/** The record types `records` asks for: a library's SPF evaluation needs them one by one. */
export type RecordType = 'A' | 'AAAA' | 'PTR';

export interface Dns {
  /**
   * Runs one check. Its lookups share a budget: at most `maxQueries` queries and `deadlineMs` in all. Past either,
   * every lookup still waiting or yet to be asked fails at once with a DnsError, so the check ends with status
   * `error` and a message instead of holding the request open.
   */
  withBudget<T>(run: (lookups: Lookups) => Promise<T>): Promise<T>;
}

interface Cached {
  until: number;
  answer: Answer<unknown>;
}

const charsOf = ({ answer }: Cached) =>
  'records' in answer ? answer.records.reduce<number>((n, r) => n + (typeof r === 'string' ? r.length : 64), 16) : 16;

/**
 * Node's resolver with a per-query timeout and a single try, a short cache of answers shared by all checks (so a
 * person re-running a check, or a page re-rendering it, does not hammer DNS), and a budget per check.
 */
export function createDns(options: DnsOptions = {}): Dns {
  const timeout = options.timeoutMs ?? 2000;
  const servers = options.servers?.length ? options.servers : undefined;
  // A bad server entry stops the start, not the first check.
  if (servers) new Resolver().setServers(servers);
  const cacheMs = options.cacheMs ?? 60_000;
  const deadlineMs = options.deadlineMs ?? CHECK_DEFAULTS.deadlineMs;
  const maxQueries = options.maxQueries ?? CHECK_DEFAULTS.maxQueries;
  const cache = new Lru<string, Cached>({ maxEntries: options.cacheEntries ?? 5000, maxWeight: options.cacheChars ?? 4_000_000, weigh: charsOf });

  return {
    async withBudget(run) {
      // A resolver per check, so that at the deadline its outstanding queries can be cancelled without touching
      // another check's; made at the first question the cache cannot answer.
      let own: Resolver | undefined;
      const resolver = () => {
        if (!own) {
          own = new Resolver({ timeout, tries: 1 });
          if (servers) own.setServers(servers);
        }
        return own;
      };
      const waiting = new Set<(reason: DnsError) => void>();
      let over: DnsError | undefined;
      const timer = setTimeout(() => {
        over = new DnsError('EDEADLINE', '', `the check took longer than ${deadlineMs / 1000} s in all and was stopped`);
        own?.cancel();
        for (const reject of waiting) reject(over);
      }, deadlineMs);
      let sent = 0;
      const inFlight = new Map<string, Promise<Answer<unknown>>>();

      async function ask<T>(name: string, query: () => Promise<T[]>): Promise<Answer<T>> {
        try {
          const records = await query();
          return records.length ? { records } : { none: 'nodata' };
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'EUNKNOWN';
          if (code === 'ENOTFOUND') return { none: 'nxdomain' };
          if (code === 'ENODATA') return { none: 'nodata' };
          throw new DnsError(code, name);
        }
      }

      function lookup<T>(type: string, name: string, queries: number, query: () => Promise<T[]>): Promise<Answer<T>> {
        if (over) return Promise.reject(over);
        const key = `${type}:${name}`;
        const hit = cache.get(key);
        if (hit && hit.until > Date.now()) return Promise.resolve(hit.answer as Answer<T>);
        if (hit) cache.delete(key);
        const pending = inFlight.get(key);
        if (pending) return pending as Promise<Answer<T>>;
        if (sent + queries > maxQueries)
          return Promise.reject(new DnsError('ELIMIT', name, `the check was stopped after ${maxQueries} DNS queries, the most one check may send`));
        sent += queries;
        const answer = new Promise<Answer<T>>((resolve, reject) => {
          waiting.add(reject);
          ask(name, query)
            .then((a) => {
              if (cacheMs > 0) cache.set(key, { until: Date.now() + cacheMs, answer: a });
              resolve(a);
            }, reject)
            .finally(() => waiting.delete(reject));
        });
        inFlight.set(key, answer);
        return answer;
      }

      const settle = (q: Promise<string[]>) => q.catch((e) => (['ENODATA', 'ENOTFOUND'].includes(e.code) ? [] : Promise.reject(e)));
      const lookups: Lookups = {
        txt: (name) => lookup('txt', name, 1, async () => (await resolver().resolveTxt(name)).map((chunks) => chunks.join(''))),
        mx: (name) => lookup('mx', name, 1, () => resolver().resolveMx(name)),
        ipv4: (name) => lookup('a', name, 1, () => resolver().resolve4(name)),
        addresses: (name) =>
          lookup('addr', name, 2, async () => {
            const [v4, v6] = await Promise.all([settle(resolver().resolve4(name)), settle(resolver().resolve6(name))]);
            return [...v4, ...v6];
          }),
        records: (name, type) =>
          lookup(type, name, 1, () =>
            type === 'A' ? resolver().resolve4(name) : type === 'AAAA' ? resolver().resolve6(name) : resolver().resolvePtr(name),
          ),
      };
      try {
        return await run(lookups);
      } finally {
        clearTimeout(timer);
        own?.cancel();
      }
    },
  };
}
