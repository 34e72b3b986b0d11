/*
 * Facts stated by the source article (reflact "train", FAQ on notifications), kept once. Texts in all four
 * languages reach them by interpolation ({{facts.name}}). Composite values (addresses, SPF records, zone lines)
 * are built here from their parts, so each domain and include is written exactly once.
 */
const vendorDomain = 'reflact.com';
const ilearnDomain = 'ilearn24.net';

/** The three alternative includes the article offers; which one applies depends on the platform's sending system. */
const spfIncludes = ['include:secure-mailgate.com', 'include:reflact-train.com', `include:${ilearnDomain}`] as const;

const spfVersionTag = 'v=spf1';
/** The record the article gives for a domain that has no SPF record yet: its own hosts (a, mx) plus one include. */
const spfRecordFor = (include: string) => `${spfVersionTag} a mx ${include} ~all`;
/** As the article writes it: a zone-file line for the domain itself (`@`). */
const zoneLineFor = (record: string) => `@ IN TXT "${record}"`;

/** An SPF record a customer might already have (here: Microsoft 365), to show how merging works. */
const spfExistingExample = `${spfVersionTag} mx include:spf.protection.outlook.com -all`;
/**
 * The same domain after merging: still ONE record, the customer's own terms and own `all` term kept, the needed
 * include placed just before the `all` term. A domain has exactly one SPF record; a second one breaks SPF.
 */
const spfMergedExample = spfExistingExample.replace(/ ([-~?+]?all)$/, ` ${spfIncludes[1]} $1`);

export const facts = {
  product: 'train',
  vendor: 'reflact',
  /** The product area (and manual chapter) the article belongs to, as the German product names it. */
  notificationsArea: 'Benachrichtigungen',
  /** Option of a notification: after each sending, the message is scheduled again with the given offset. */
  selfRepeatLabel: 'Selbstwiederholung',
  /** Setting that bounds the period in which a notification (and so its repetition) applies. */
  processingPeriodLabel: 'Bearbeitungszeitraum',

  /** Default sender: a mailbox nobody reads. */
  noReplyAddress: `noreply@${vendorDomain}`,
  /** Other no-reply senders provided for the same purpose. */
  noReplyAlternatives: [`noreply-train@${vendorDomain}`, `noreply@${ilearnDomain}`],
  /** Mail arriving at the no-reply mailbox is deleted automatically after this many weeks. */
  noReplyRetentionWeeks: '4',
  /** Header that sends replies to a mailbox someone reads; advisable with a no-reply sender. */
  replyToHeader: 'Reply-To',

  spfVersionTag,
  spfIncludes,
  spfZoneLines: spfIncludes.map((include) => zoneLineFor(spfRecordFor(include))),
  spfExistingExample,
  spfMergedExample,
  /** A customer sender address must be on a domain with this record, and receive mail on that server. */
  mxRecordType: 'MX',
  /** What happens otherwise: the email is not sent. */
  rejectCode: '550',

  /** What a customer hands over for their own SMTP access per tenant. */
  smtpFields: ['user', 'password', 'host', 'port'],
  /** A mail account not meant for bulk sending, so unsuitable as the platform's sender. */
  unsuitableExample: 'Gmail',
} as const;
