import { Resolver } from 'node:dns/promises';

/** A DNS answer: records, or none (NXDOMAIN or no data). A timeout or server failure is thrown as DnsError. */
export type Answer<T> = { records: T[] } | { none: 'nxdomain' | 'nodata' };

export class DnsError extends Error {
  constructor(
    readonly code: string,
    readonly query: string,
  ) {
    super(code === 'ETIMEOUT' ? `DNS did not answer for ${query} in time` : `DNS failed for ${query} (${code})`);
  }
}

export interface DnsOptions {
  /** `host[:port]` entries; empty: the system's resolvers. */
  servers?: string[];
  timeoutMs?: number;
  /** How long answers are kept (errors are never kept). */
  cacheMs?: number;
}

export interface Dns {
  txt(name: string): Promise<Answer<string>>;
  mx(name: string): Promise<Answer<{ exchange: string; priority: number }>>;
  addresses(name: string): Promise<Answer<string>>;
}

/**
 * Node's resolver with a per-query timeout, a single try, and a short cache keyed by type and name, so a person
 * re-running a check (or a page re-rendering it) does not hammer DNS.
 */
export function createDns(options: DnsOptions = {}): Dns {
  const timeout = options.timeoutMs ?? 2000;
  const resolver = new Resolver({ timeout, tries: 1 });
  if (options.servers?.length) resolver.setServers(options.servers);
  const cacheMs = options.cacheMs ?? 60_000;
  const cache = new Map<string, { until: number; answer: Promise<Answer<unknown>> }>();

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

  function cached<T>(key: string, name: string, query: () => Promise<T[]>): Promise<Answer<T>> {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.answer as Promise<Answer<T>>;
    const answer = ask(name, query);
    cache.set(key, { until: Date.now() + cacheMs, answer });
    answer.catch(() => cache.delete(key));
    if (cache.size > 5000) for (const [k, v] of cache) if (v.until <= Date.now()) cache.delete(k);
    return answer;
  }

  return {
    txt: (name) => cached(`txt:${name}`, name, async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))),
    mx: (name) => cached(`mx:${name}`, name, () => resolver.resolveMx(name)),
    addresses: (name) =>
      cached(`addr:${name}`, name, async () => {
        const settle = async (q: Promise<string[]>) => q.catch((e) => (['ENODATA', 'ENOTFOUND'].includes(e.code) ? [] : Promise.reject(e)));
        return [...(await settle(resolver.resolve4(name))), ...(await settle(resolver.resolve6(name)))];
      }),
  };
}
