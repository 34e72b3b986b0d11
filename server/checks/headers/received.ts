import { isIP } from 'node:net';
import { parseReceived } from 'mailauth/lib/parse-received.js';
import { fieldsNamed, type HeaderField } from './text.ts';

/** One hop of the message's way, oldest first. */
export interface Hop {
  from: string | null;
  by: string | null;
  ip: string | null;
  /** When this server received it, as its Received field says (ISO). */
  at: string | null;
  /** Seconds since the hop before; null when either date is missing. Clocks differ, so a few seconds below 0 happen. */
  delaySeconds: number | null;
}

/** The date a server wrote after the field's last `;`. */
function dateOf(value: string): Date | null {
  const semi = value.lastIndexOf(';');
  if (semi < 0) return null;
  const d = new Date(value.slice(semi + 1).replace(/\([^)]*\)/g, '').trim());
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Addresses of a network of one's own: a hop from one is inside the receiving organisation. */
function isPrivate(ip: string): boolean {
  if (isIP(ip) === 4) return /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(ip);
  const v6 = ip.toLowerCase();
  return v6 === '::1' || /^(fc|fd|fe80)/.test(v6);
}

/** The address in a `from` comment: `host. [192.0.2.10]` (Postfix, Gmail) or a bare `198.51.100.77` (Exchange). */
function ipOf(comment: string | undefined): string | null {
  const bracketed = /\[(?:IPv6:)?([0-9a-f.:]+)\]/i.exec(comment ?? '')?.[1];
  if (bracketed && isIP(bracketed)) return bracketed;
  return (comment ?? '').split(/[\s()]+/).find((t) => isIP(t) > 0) ?? null;
}

/** The last two labels: servers of one organisation share them (a cheap stand-in for the registrable domain). */
const orgOf = (host: string | null) => (host ? host.toLowerCase().replace(/\.$/, '').split('.').slice(-2).join('.') : null);

export interface ReceivedChain {
  /** Oldest first. */
  hops: Hop[];
  /** The sending server as the receiving side saw it: the topmost hop from a public address of another organisation. */
  sender: { ip: string; helo: string | null } | null;
}

export function readReceived(fields: readonly HeaderField[]): ReceivedChain {
  const topFirst = fieldsNamed(fields, 'received').map((f) => {
    const p = parseReceived(`Received: ${f.value}`) || {};
    return { from: p.from?.value || null, by: p.by?.value || null, ip: ipOf(p.from?.comment), date: dateOf(f.value) };
  });
  // Going down from the top, the receiving side's servers hand the message to each other (Microsoft's under both
  // outlook.com and office365.com); the first hop from a public address of a domain not seen so far is the sender's.
  const receiving = new Set<string>();
  const foreign = topFirst.find((h) => {
    const by = orgOf(h.by);
    if (by) receiving.add(by);
    const from = orgOf(h.from);
    if (h.ip && !isPrivate(h.ip) && !(from && receiving.has(from))) return true;
    if (from) receiving.add(from);
    return false;
  });
  const oldest = [...topFirst].reverse();
  const hops = oldest.map((h, i) => {
    const before = oldest[i - 1]?.date;
    return {
      from: h.from,
      by: h.by,
      ip: h.ip,
      at: h.date ? h.date.toISOString() : null,
      delaySeconds: h.date && before ? Math.round((h.date.getTime() - before.getTime()) / 1000) : null,
    };
  });
  return { hops, sender: foreign?.ip ? { ip: foreign.ip, helo: foreign.from } : null };
}
