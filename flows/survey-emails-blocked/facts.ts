/*
 * Facts stated by the source article (Netigate: survey emails blocked by the recipient company's mail security),
 * kept once. Texts in all four languages reach them by interpolation ({{facts.name}}); composite values such as
 * the merged SPF records are derived here, so each domain and IP is written exactly once.
 */

/** Web address shown while logged in, per hosting server: it tells which server an account is on. */
const azureWebDomain = 'netigate.se';
const dachWebDomain = 'ntgt.de';
const spfVersion = 'v=spf1';
const mailServerIps = ['89.45.227.221', '46.254.11.92', '89.45.227.195', '86.107.243.139'] as const;
const azureSpfInclude = `include:_spf.${azureWebDomain}`;
const dachSpfInclude = `include:_spf.${dachWebDomain}`;

/** A typical SPF record a company already has (here: Microsoft 365), used to show how to merge. */
const spfExistingExample = `${spfVersion} include:spf.protection.outlook.com -all`;

/**
 * A domain has exactly one SPF record: a further sender is authorised by adding its terms to that record, just
 * before the final `all` term, never by publishing a second record.
 */
function mergeIntoSpf(record: string, terms: readonly string[]): string {
  const parts = record.split(' ');
  const all = parts.pop()!;
  return [...parts, ...terms, all].join(' ');
}

export const facts = {
  product: 'Netigate',
  /** The vendor's help center, which holds the separate guide on adding DKIM keys to an account. */
  helpCenter: 'Netigate Success Center',
  azureServer: 'Azure',
  dachServer: 'DACH',
  azureWebDomain,
  dachWebDomain,
  spfName: 'Sender Policy Framework',
  spfVersion,
  azureSpfInclude,
  dachSpfInclude,
  spfExistingExample,
  spfMergedAzure: mergeIntoSpf(spfExistingExample, [azureSpfInclude]),
  spfMergedDach: mergeIntoSpf(spfExistingExample, [dachSpfInclude]),
  /** The weaker alternative to the include: the mail servers' IPs, listed one by one. */
  mailServerIps,
  spfMergedIps: mergeIntoSpf(
    spfExistingExample,
    mailServerIps.map((ip) => `ip4:${ip}`),
  ),
  /** A company-specific sender of the kind the neutral address replaces. */
  personalSenderExample: 'firstname.lastname@company.com',
  /** Neutral sender addresses; the article offers both, the flow suggests the one on the account's server. */
  azureSender: `survey@${azureWebDomain}`,
  dachSender: `survey@${dachWebDomain}`,
  /** Kind of address the neutral senders are: replies from respondents do not reach anyone. */
  noReplyLabel: 'do-not-reply',
  dkimName: 'DomainKeys Identified Mail',
  tlsName: 'Transport Layer Security',
} as const;
