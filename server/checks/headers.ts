import { authenticate, dmarc as dmarcOf } from 'mailauth';
import type { HeaderDkimStatus, HeaderDmarcStatus, HeaderSpfStatus, HeaderVerdicts } from '../../flows/types.ts';
import type { Dns } from './dns.ts';
import { receiverResults, verdictOf, type AuthResultsField } from './headers/auth-results.ts';
import { checkSignature, overallDkim, type DkimSignature } from './headers/dkim.ts';
import { readReceived, type Hop } from './headers/received.ts';
import { mailauthResolver } from './headers/resolver.ts';
import { spamVerdict, type SpamVerdict } from './headers/spam.ts';
import { domainOf, fieldsNamed, maskAddress, maskAddresses, readHeaders, type HeaderField } from './headers/text.ts';

export { HEADERS_MAX_BYTES } from './headers/text.ts';

/**
 * What a message's pasted headers say about its delivery. Nothing of the paste is kept but this: verdicts, the
 * domains, selectors and hosts that explain them, and addresses masked (`a***@example.com`).
 */
export interface HeaderReport {
  from: { address: string | null; domain: string | null };
  spf: {
    status: HeaderSpfStatus;
    /** The sending server's address, from Received-SPF or the topmost Received field from outside the receiver. */
    ip: string | null;
    /** The domain SPF is about: the envelope sender's (Return-Path). */
    domain: string | null;
    receiver: string | null;
    /** Our own evaluation now, from the same address and domain; DNS may have changed since the message came. */
    now: string | null;
  };
  dkim: { status: HeaderDkimStatus; signatures: DkimSignature[] };
  dmarc: {
    status: HeaderDmarcStatus;
    receiver: string | null;
    /** The policy the From domain publishes now: none, quarantine or reject. */
    policy: string | null;
    spfAligned: boolean;
    dkimAligned: boolean;
    /** `strict` when the record asks for an exact domain match (aspf=s / adkim=s), else `relaxed`. */
    spfMode: 'relaxed' | 'strict' | null;
    dkimMode: 'relaxed' | 'strict' | null;
  };
  /** ARC seals servers that forwarded the message added, and the receiver's verdict on them. */
  arc: { instances: number; receiver: string | null } | null;
  /** The receiving server's own Authentication-Results. */
  receiver: AuthResultsField | null;
  spam: SpamVerdict;
  /** Oldest first; the total is from the first dated hop to the last. */
  hops: Hop[];
  totalDelaySeconds: number | null;
}

/** The part a flow branches on: one status per part, as `CHECK_RESULT` carries it. */
export const headerVerdicts = (r: HeaderReport): HeaderVerdicts => ({
  spf: { status: r.spf.status },
  dkim: { status: r.dkim.status },
  dmarc: { status: r.dmarc.status },
  spam: { status: r.spam.status },
});

export class NoHeadersError extends Error {
  constructor() {
    super('The text holds no email headers: paste the headers as the mail program shows them ("Show original", "View message source").');
  }
}

const SPF_RESULTS: Record<string, HeaderSpfStatus> = {
  pass: 'pass',
  fail: 'fail',
  softfail: 'softfail',
  neutral: 'neutral',
  none: 'none',
  temperror: 'error',
  permerror: 'error',
};
const DMARC_RESULTS: Record<string, HeaderDmarcStatus> = { pass: 'pass', fail: 'fail', none: 'none', bestguesspass: 'none', temperror: 'error', permerror: 'error' };

/** `Received-SPF: Pass (…) client-ip=203.0.113.5; envelope-from=a@example.com; …`: result, address and sender. */
function receivedSpf(fields: readonly HeaderField[]) {
  const f = fieldsNamed(fields, 'received-spf')[0];
  if (!f) return null;
  const result = /^\s*([a-z]+)/i.exec(f.value)?.[1]?.toLowerCase() ?? null;
  const ip = /client-ip=([0-9a-f.:]+)/i.exec(f.value)?.[1] ?? null;
  const sender = /envelope-from=<?"?([^\s;>"]+)/i.exec(f.value)?.[1] ?? null;
  return { result, ip, sender };
}

const addressIn = (value: string | undefined) => /<([^<>\s]+@[^<>\s]+)>/.exec(value ?? '')?.[1] ?? /([^\s<>"]+@[^\s<>";]+)/.exec(value ?? '')?.[1] ?? null;

/**
 * Reads pasted headers and checks them: SPF of the sending address against the envelope domain, each DKIM
 * signature's key and header signature, DMARC alignment of the From domain, and what the receiving server wrote
 * (Authentication-Results, spam verdicts, Received dates). All DNS goes through one check's budget.
 */
export async function analyzeHeaders(dns: Dns, text: string, options: { mta?: string } = {}): Promise<HeaderReport> {
  const pasted = readHeaders(text);
  if (!pasted) throw new NoHeadersError();
  const { fields, block } = pasted;
  const receiver = receiverResults(fieldsNamed(fields, 'authentication-results').map((f) => f.value));
  const chain = readReceived(fields);
  const rspf = receivedSpf(fields);
  const ip = rspf?.ip ?? chain.sender?.ip ?? null;
  const envelope = rspf?.sender ?? addressIn(fieldsNamed(fields, 'return-path')[0]?.value) ?? null;
  const fromAddress = addressIn(fieldsNamed(fields, 'from')[0]?.value);
  const fromDomain = domainOf(fromAddress);

  return dns.withBudget(async (lookups) => {
    const resolver = mailauthResolver(lookups);
    const auth = await authenticate(block, {
      ...(ip ? { ip } : {}),
      ...(envelope ? { sender: envelope } : {}),
      ...(chain.sender?.helo ? { helo: chain.sender.helo } : {}),
      mta: options.mta ?? 'mailhelp',
      resolver,
      disableArc: true,
      disableDmarc: true,
      disableBimi: true,
    });
    const signatures = await Promise.all(
      (auth.dkim.results ?? []).filter((r) => r.signingDomain && r.selector).map((r) => checkSignature(r, resolver, receiver)),
    );
    const spfNow = ip && auth.spf ? auth.spf.status.result : null;
    const spfReceiver = verdictOf(receiver, 'spf') ?? rspf?.result ?? null;
    const spfStatus = SPF_RESULTS[spfReceiver ?? spfNow ?? 'none'] ?? 'error';
    const envelopeDomain = domainOf(envelope) ?? (auth.spf ? auth.spf.domain : null);

    const dmarcReceiver = verdictOf(receiver, 'dmarc');
    const policy = fromDomain
      ? (await dmarcOf({
          headerFrom: fromAddress!,
          spfDomains: spfStatus === 'pass' && envelopeDomain ? [envelopeDomain] : [],
          dkimDomains: signatures.filter((s) => s.status === 'pass').map((s) => ({ domain: s.domain })),
          resolver,
        } as Parameters<typeof dmarcOf>[0])) || null
      : null;
    const ours = policy ? policy.status.result : null;
    const mode = (strict: boolean | undefined) => (policy && policy.status.result !== 'none' && policy.status.result !== 'temperror' ? (strict ? 'strict' : 'relaxed') : null);
    const arcSeals = fieldsNamed(fields, 'arc-seal').length;

    return {
      from: { address: maskAddress(fromAddress), domain: fromDomain },
      spf: { status: spfStatus, ip, domain: envelopeDomain, receiver: spfReceiver, now: spfNow },
      dkim: { status: overallDkim(signatures, receiver), signatures },
      dmarc: {
        status: DMARC_RESULTS[dmarcReceiver ?? ours ?? 'none'] ?? 'error',
        receiver: dmarcReceiver,
        policy: policy?.policy ?? null,
        spfAligned: Boolean(policy?.alignment?.spf?.result),
        dkimAligned: Boolean(policy?.alignment?.dkim?.result),
        spfMode: mode(policy?.alignment?.spf?.strict),
        dkimMode: mode(policy?.alignment?.dkim?.strict),
      },
      arc: arcSeals ? { instances: arcSeals, receiver: verdictOf(receiver, 'arc') } : null,
      receiver,
      spam: spamVerdict(fields),
      hops: chain.hops.map((h) => ({ ...h, from: h.from && maskAddresses(h.from), by: h.by && maskAddresses(h.by) })),
      totalDelaySeconds: totalDelay(chain.hops),
    };
  });
}

function totalDelay(hops: readonly Hop[]): number | null {
  const dated = hops.filter((h) => h.at);
  if (dated.length < 2) return null;
  return Math.round((Date.parse(dated.at(-1)!.at!) - Date.parse(dated[0]!.at!)) / 1000);
}
