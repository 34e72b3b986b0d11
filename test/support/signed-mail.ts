import { generateKeyPairSync } from 'node:crypto';
import { authenticate, dkimSign } from 'mailauth';
import type { Dns } from '../../server/checks/dns.ts';
import { mailauthResolver } from '../../server/checks/headers/resolver.ts';
import type { Zone } from './dns-server.ts';

/** A sender's DKIM key pair; the public half goes into the test zone at `<selector>._domainkey.<domain>`. */
export function dkimKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record: `v=DKIM1; k=rsa; p=${p}` };
}

export const SENDER = 'sender.example.com';
export const SENDING_IP = '192.0.2.10';
export const RECEIVER = 'mx.recipient.example.net';

/** The sender's domain as DNS publishes it: SPF for its server, DMARC reject, the DKIM key at selector `s1`. */
export function senderZone(record: string): Zone {
  const txt = (value: string) => ({ type: 'TXT' as const, value });
  return {
    [SENDER]: [txt('v=spf1 ip4:192.0.2.0/24 -all')],
    [`_dmarc.${SENDER}`]: [txt('v=DMARC1; p=reject; adkim=r; aspf=r')],
    [`s1._domainkey.${SENDER}`]: [txt(record)],
    'other.example.org': [txt('v=spf1 -all')],
    '_dmarc.other.example.org': [txt('v=DMARC1; p=quarantine')],
  };
}

export interface MailOptions {
  from?: string;
  selector?: string;
  body?: string;
}

/** A message as the sender's server signs it (relaxed/relaxed), with the Received field the receiver adds. */
export async function signedMessage(privateKey: string, o: MailOptions = {}): Promise<string> {
  const message = [
    `From: Ann Sender <${o.from ?? `ann@${SENDER}`}>`,
    'To: Bo Recipient <bo@recipient.example.net>',
    'Subject: Your survey invitation',
    'Date: Wed, 02 Dec 2026 09:15:02 +0000',
    `Message-ID: <survey-1@${SENDER}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body ?? 'Hello Bo, please answer our survey.\r\nYour link: SECRET-BODY-LINE',
    '',
  ].join('\r\n');
  const signed = await dkimSign(message, {
    canonicalization: 'relaxed/relaxed',
    signTime: new Date('2026-12-02T09:15:03Z'),
    signatureData: [{ signingDomain: SENDER, selector: o.selector ?? 's1', privateKey }],
  } as Parameters<typeof dkimSign>[1]);
  if (signed.errors.length || !signed.signatures.trim()) throw signed.errors[0] ?? new Error('not signed');
  const received =
    `Received: from mail.${SENDER} (mail.${SENDER} [${SENDING_IP}])\r\n\tby ${RECEIVER} with ESMTPS id 4f2a9c1;\r\n` +
    '\tWed, 02 Dec 2026 09:15:09 +0000\r\n';
  return `Return-Path: <bounces@${SENDER}>\r\n${received}${signed.signatures}${message}`;
}

/** What the receiving server adds on top, having the whole message: mailauth itself plays that server here. */
export async function asReceived(dns: Dns, message: string): Promise<string> {
  const added = await dns.withBudget((lookups) =>
    authenticate(message, { ip: SENDING_IP, helo: `mail.${SENDER}`, sender: `bounces@${SENDER}`, mta: RECEIVER, resolver: mailauthResolver(lookups), disableBimi: true }),
  );
  return `${added.headers}${message}`;
}
