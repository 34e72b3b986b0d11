import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { HandoffStore } from '../store/types.ts';
import { DeliveryError, type Channel, type HandoffChannel } from './story.ts';

export interface OutboxOptions {
  /** How long a claimed delivery is a worker's before another may try it (a crash mid-delivery costs this long). */
  leaseMs?: number;
  /** Attempts before a delivery is failed for good (shown to administrators, who can retry it). */
  maxAttempts?: number;
  /** The wait after the first failed attempt; it doubles with each attempt, up to maxDelayMs, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How often the worker looks for due deliveries it was not told about (retries, other instances' hand-offs). */
  pollMs?: number;
  /** Deliveries claimed at once. */
  batch?: number;
  random?: () => number;
  now?: () => number;
}

const DEFAULTS = { leaseMs: 120_000, maxAttempts: 10, baseDelayMs: 30_000, maxDelayMs: 6 * 3_600_000, pollMs: 30_000, batch: 5 };

/**
 * The worker that delivers hand-offs from the outbox, in the server process. Deliveries were written in the same
 * transaction as their hand-off, so one acknowledged is never lost: this claims the due ones with a lease, sends
 * each through its channel, and records the outcome only while it still holds the lease. A failed attempt is tried
 * again after an exponential, jittered wait (never sooner than the receiver's Retry-After); after the last one the
 * delivery is failed. A success is recorded at once, so a delivery is sent again only if the process dies between
 * the send and that record (receivers dedupe by the delivery's id).
 */
export class Outbox {
  private readonly options: Required<Omit<OutboxOptions, 'random' | 'now'>> & { random: () => number; now: () => number };
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly store: HandoffStore,
    private readonly channels: ReadonlyMap<HandoffChannel, Channel>,
    options: OutboxOptions = {},
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.options = { ...DEFAULTS, random: Math.random, now: Date.now, ...stripUndefined(options) };
  }

  /** The channels deliveries are made to: every hand-off gets one delivery per channel. */
  get channelNames(): HandoffChannel[] {
    return [...this.channels.keys()];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  /** Stops looking for work and waits for the deliveries under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Looks for due deliveries now (a hand-off was just made, or an administrator retried one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .then(() => undefined, this.onError)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else void this.schedule();
      });
  }

  /** Delivers what is due until nothing is; returns how many deliveries were tried. */
  async drain(): Promise<number> {
    let tried = 0;
    for (;;) {
      const due = await this.store.claimDue(this.owner, this.options.leaseMs, this.options.batch);
      if (!due.length) return tried;
      await Promise.all(due.map((d) => this.deliver(d)));
      tried += due.length;
    }
  }

  private async deliver(d: Awaited<ReturnType<HandoffStore['claimDue']>>[number]) {
    const channel = this.channels.get(d.channel);
    try {
      if (!channel) throw new DeliveryError(`the ${d.channel} channel is not configured any more`, { permanent: true });
      const result = await channel.deliver(d.story, { id: d.id, attempt: d.attempts + 1 });
      await this.store.delivered(d.id, this.owner, result);
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err));
      const attempt = d.attempts + 1;
      const last = e.options.permanent || attempt >= this.options.maxAttempts;
      const nextAt = last ? null : this.options.now() + Math.max(this.backoff(attempt), e.options.retryAfterMs ?? 0);
      await this.store.attemptFailed(d.id, this.owner, e.message, nextAt).catch(this.onError);
    }
  }

  /** The wait after attempt `n`: base × 2^(n−1), capped, times a jitter between 0.5 and 1.5. */
  backoff(n: number): number {
    const { baseDelayMs, maxDelayMs, random } = this.options;
    return Math.round(Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1)) * (0.5 + random()));
  }

  private async schedule() {
    if (this.stopped) return;
    let wait = this.options.pollMs;
    try {
      const next = await this.store.nextDue();
      if (next !== undefined) wait = Math.min(wait, Math.max(25, next - this.options.now()));
    } catch (err) {
      this.onError(err);
    }
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), wait);
    // The outbox never keeps a process alive on its own (a test, a shutdown).
    this.timer.unref();
  }
}

const stripUndefined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
