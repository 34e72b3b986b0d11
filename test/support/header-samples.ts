import type { HeaderVerdicts } from '../../flows/types.ts';

const SPF = { pass: 'pass', fail: 'fail', softfail: 'softfail', neutral: 'neutral', none: 'none', error: 'temperror' } as const;
const DKIM = { pass: 'pass', fail: 'fail', none: 'none', error: 'temperror', unverified: undefined } as const;
const DMARC = { pass: 'pass', fail: 'fail', none: 'none', error: 'temperror' } as const;
const SPAM = {
  clean: 'X-Forefront-Antispam-Report: CIP:192.0.2.77;CTRY:SE;LANG:en;SCL:1;SFV:NSPM;DIR:INB;',
  spam: 'X-Forefront-Antispam-Report: CIP:192.0.2.77;CTRY:SE;LANG:en;SCL:6;SFV:SPM;DIR:INB;',
  blocked: 'X-Forefront-Antispam-Report: CIP:192.0.2.77;CTRY:SE;LANG:en;SCL:-1;SFV:BLK;DIR:INB;',
  none: '',
} as const;

/**
 * Headers whose check gives exactly `verdicts`: the receiving server's Authentication-Results says what SPF, DKIM and
 * DMARC gave (its verdicts are the ones that count), and Microsoft's spam report what the filter did. Undefined for
 * `unverified` DKIM, which takes a real signature and key (test/server/headers.test.ts has those).
 */
export function headersFor(v: HeaderVerdicts): string | undefined {
  const dkim = DKIM[v.dkim.status];
  if (!dkim) return undefined;
  return [
    'Received: from mail.sample.example (mail.sample.example [192.0.2.77])',
    '\tby mx.recipient.example with ESMTPS id 7f3a; Wed, 02 Dec 2026 09:15:09 +0000',
    `Authentication-Results: mx.recipient.example; spf=${SPF[v.spf.status]} smtp.mailfrom=sample.example;`,
    ` dkim=${dkim} header.d=sample.example; dmarc=${DMARC[v.dmarc.status]} header.from=sample.example`,
    ...(SPAM[v.spam.status] ? [SPAM[v.spam.status]] : []),
    'Return-Path: <bounces@sample.example>',
    'From: Sample Sender <news@sample.example>',
    'Subject: A sample',
    '',
  ].join('\n');
}
