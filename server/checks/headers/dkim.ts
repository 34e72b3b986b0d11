import { createHash, verify } from 'node:crypto';
import type { DKIMResult } from 'mailauth';
import { getPublicKey } from 'mailauth/lib/tools.js';
import type { HeaderDkimStatus } from '../../../flows/types.ts';
import { verdictOf, type AuthResultsField } from './auth-results.ts';
import type { MailauthResolver } from './resolver.ts';

/** One DKIM-Signature of the message, and what could be checked of it from the headers alone. */
export interface DkimSignature {
  /** The signing domain, `d=`. */
  domain: string;
  /** The selector, `s=`: the key is published at `<selector>._domainkey.<domain>`. */
  selector: string;
  algorithm: string | null;
  /** The public key at the selector: found, not published, unusable, or DNS did not answer. */
  key: 'found' | 'missing' | 'invalid' | 'error';
  /** Whether the signature over the signed header fields holds with that key; the body is not pasted, so unchecked. */
  headers: 'valid' | 'invalid' | 'unchecked';
  /** The receiving server's verdict for this signature, from its Authentication-Results. */
  receiver: string | null;
  status: HeaderDkimStatus;
}

const KEY_PROBLEMS: Record<string, DkimSignature['key']> = {
  ENOTFOUND: 'missing',
  ENODATA: 'missing',
  EINVALIDVAL: 'invalid',
  EINVALIDVER: 'invalid',
  EINVALIDTYPE: 'invalid',
  ESHORTKEY: 'invalid',
};

/** A receiver's DKIM result as our status: what it said, where it said something we can name. */
export function fromReceiverDkim(result: string | null): HeaderDkimStatus | null {
  if (!result) return null;
  if (result === 'pass') return 'pass';
  if (result === 'none') return 'none';
  if (result === 'temperror') return 'error';
  return 'fail';
}

/**
 * Checks a signature as far as headers allow: its key is looked up at the selector (through our DNS budget), and
 * the signature over the canonicalised header fields, which mailauth prepared, is verified with it. The body hash
 * cannot be compared without the body, so a signature whose headers hold is `unverified` unless the receiving
 * server, which had the body, gave its verdict; that verdict wins.
 */
export async function checkSignature(result: DKIMResult, resolver: MailauthResolver, receiver: AuthResultsField | null): Promise<DkimSignature> {
  const r = result as DKIMResult & { algo?: string; signature?: string; signingHeaders?: { canonicalizedHeader: string } };
  const domain = r.signingDomain ?? '';
  const selector = r.selector ?? '';
  let key: DkimSignature['key'] = 'found';
  let headers: DkimSignature['headers'] = 'unchecked';
  try {
    const { publicKey } = await getPublicKey('DKIM', `${selector}._domainkey.${domain}`, 1024, resolver);
    const [kind, hash] = (r.algo ?? 'rsa-sha256').toLowerCase().split('-');
    const canon = Buffer.from(r.signingHeaders?.canonicalizedHeader ?? '', 'base64');
    const signature = Buffer.from(r.signature ?? '', 'base64');
    try {
      const ok =
        kind === 'rsa' ? verify(hash ?? 'sha256', canon, publicKey, signature) : verify(null, createHash('sha256').update(canon).digest(), publicKey, signature);
      headers = ok ? 'valid' : 'invalid';
    } catch {
      headers = 'invalid';
    }
  } catch (e) {
    key = KEY_PROBLEMS[(e as { code?: string }).code ?? ''] ?? 'error';
  }
  const said = verdictOf(receiver, 'dkim', { domain, selector });
  const ours: HeaderDkimStatus = key === 'error' ? 'error' : key !== 'found' || headers === 'invalid' ? 'fail' : 'unverified';
  return { domain, selector, algorithm: r.algo ?? null, key, headers, receiver: said, status: fromReceiverDkim(said) ?? ours };
}

/** One status for the message: the best of its signatures, as one passing signature is all DKIM asks. */
export function overallDkim(signatures: readonly DkimSignature[], receiver: AuthResultsField | null): HeaderDkimStatus {
  if (!signatures.length) return fromReceiverDkim(verdictOf(receiver, 'dkim')) ?? 'none';
  const order: HeaderDkimStatus[] = ['pass', 'unverified', 'error', 'fail'];
  return order.find((s) => signatures.some((sig) => sig.status === s)) ?? 'fail';
}
