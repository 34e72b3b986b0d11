/*
 * Facts stated by the source article, kept once. Texts in all four languages reach them by interpolation
 * ({{facts.name}}), so a changed address is changed in one place.
 */
const customDomainExample = 'learning.example.com';
const spfRecord = 'v=spf1 include:amazonses.com ~all';

export const facts = {
  product: 'Learnifier',
  /** How long an email normally takes to reach the inbox, in minutes. */
  deliveryMinutes: '1',
  participantsTab: 'Participants',
  actionsMenu: 'Actions',
  getLinkItem: 'Get Link',
  /** Default sender of every email; on a custom domain it is the same local part on that domain. */
  defaultSender: 'NOREPLY@yourdomain',
  calendarSenderIreland: 'invitation@calendar.learnifier.com',
  calendarSenderSweden: 'invitation@calendar.learnifier.se',
  customDomainExample,
  spfInclude: 'include:amazonses.com',
  spfRecord,
  /** The record as a BIND zone line: a fully qualified name ends with a dot. */
  spfBindLine: `${customDomainExample}. TXT "${spfRecord}"`,
  /** What an existing SPF record looks like once the include is merged in: a domain has exactly one SPF record. */
  spfMergedExample: 'v=spf1 include:_spf.google.com include:amazonses.com ~all',
} as const;
