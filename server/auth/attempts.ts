import { createHash, randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { AttemptLimit, PeopleStore } from '../store/types.ts';

/** A limit is reached: try again in `retryAfter` seconds. */
export class TooManyAttempts extends Error {
  constructor(readonly retryAfter: number) {
    super(`too many failed attempts; try again in ${retryAfter} s`);
  }
}

export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A limit's key: what is counted (`sign-in-account`) and a hash of whom, so no typed text is stored. */
export const attemptKey = (kind: string, value: string) => `${kind}:${createHash('sha256').update(value).digest('base64url')}`;

/**
 * The client a per-address limit counts: an IPv4 address, or an IPv6 address's /64, since one client usually holds
 * a whole /64 and could otherwise take a fresh address for every guess.
 */
export function clientNetwork(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.split('%')[0]!.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  if (mapped) return mapped;
  if (isIPv4(address) || !address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Runs attempts under limits on failures kept in the store: a restart forgets nothing and several instances count
 * together. Only failures count; an attempt in flight holds a slot while it runs, so a burst of attempts cannot
 * all slip past the limit before the first failure is stored, and attempts beyond the free slots wait for those in
 * flight instead of being refused: thirty people signing in at once all get in, thirty guesses do not.
 */
export class AttemptGate {
  private settled = 0;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly store: PeopleStore,
    /**
     * Waiting also polls the store, for slots held by other instances. After `maxWaitMs` the attempt is refused: long
     * enough for a crowd signing in at once on a busy server (each password check is ~50 ms of scrypt, four at a time).
     */
    private readonly timing = { pollMs: 100, maxWaitMs: 30_000 },
  ) {}

  /** Runs `attempt` once a slot is free under every limit; `failed` says which outcomes count. */
  async run<T>(limits: readonly AttemptLimit[], attempt: () => Promise<T>, failed: (outcome: AttemptOutcome<T>) => boolean): Promise<T> {
    const id = randomBytes(12).toString('base64url');
    const deadline = Date.now() + this.timing.maxWaitMs;
    for (;;) {
      const seen = this.settled;
      const reservation = await this.store.reserveAttempt(id, limits);
      if (reservation.status === 'reserved') break;
      if (reservation.status === 'blocked') throw new TooManyAttempts(Math.max(1, Math.ceil((reservation.until - Date.now()) / 1000)));
      if (Date.now() >= deadline) throw new TooManyAttempts(1);
      // An attempt of ours that settled meanwhile has freed a slot: ask again at once.
      if (this.settled === seen) await this.nextSettled(Math.min(this.timing.pollMs, deadline - Date.now()));
    }
    let outcome: AttemptOutcome<T>;
    try {
      outcome = { ok: true, value: await attempt() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    try {
      await this.store.settleAttempt(id, failed(outcome));
    } finally {
      this.settled++;
      for (const wake of [...this.wakers]) wake();
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private nextSettled(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
