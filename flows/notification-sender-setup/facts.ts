/*
 * Facts stated by the source article (reflact "train", FAQ on notifications), kept once. Texts in all four
 * languages reach them by interpolation ({{facts.name}}). Composite values (addresses, SPF records, zone lines)
 * are built here from their parts, so each domain and include is written exactly once.
 */
const vendorDomain = 'reflact.com';
const ilearnDomain = 'ilearn24.net';

const spfVersionTag = 'v=spf1';

/**
 * The two includes the article lists for train's own sending, each on a zone line of its own. Both services send,
 * so both must be authorised, and since a domain has exactly one SPF record, they belong in ONE record.
 */
const spfTrainIncludes = ['include:secure-mailgate.com', 'include:reflact-train.com'] as const;
/** The include the article offers as the alternative ("bzw."): for sending through the ilearn24.net platform. */
const spfIlearnInclude = `include:${ilearnDomain}`;

/** The record the article gives for a domain that has no SPF record yet: its own hosts (a, mx) plus includes. */
const spfRecordWith = (includes: readonly string[]) => [spfVersionTag, 'a', 'mx', ...includes, '~all'].join(' ');
/** As the article writes it: a zone-file line for the domain itself (`@`). */
const zoneLineFor = (record: string) => `@ IN TXT "${record}"`;

/**
 * A domain has exactly one SPF record: a further sender is authorised by adding its terms to that record, just
 * before the final `all` term, never by publishing a second record.
 */
function mergeIntoSpf(record: string, terms: readonly string[]): string {
  const parts = record.split(' ');
  const all = parts.pop()!;
  return [...parts, ...terms, all].join(' ');
}

/** train's single record: both includes merged into one. */
const spfMergedRecord = spfRecordWith(spfTrainIncludes);

/** An SPF record a customer might already have (here: Microsoft 365), to show how merging works. */
const spfExistingExample = `${spfVersionTag} mx include:spf.protection.outlook.com -all`;

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

  /** The platform whose sending system the alternative include authorises. */
  ilearnDomain,
  spfVersionTag,
  /** What the vendor's sheet shows for train's sending: two lines for one domain, NOT to be published as two. */
  spfArticleZoneLines: spfTrainIncludes.map((include) => zoneLineFor(spfRecordWith([include]))),
  spfTrainIncludes,
  /** The one record to publish instead, with both includes, and the same as a zone-file line. */
  spfMergedRecord,
  spfMergedZoneLine: zoneLineFor(spfMergedRecord),
  /** The alternative for sending through the ilearn24.net platform. */
  spfIlearnInclude,
  spfIlearnZoneLine: zoneLineFor(spfRecordWith([spfIlearnInclude])),
  /** An existing record after merging: still ONE record, its own terms and `all` kept, both includes added. */
  spfExistingExample,
  spfMergedExample: mergeIntoSpf(spfExistingExample, spfTrainIncludes),
  /** A customer sender address must be on a domain with this record, and receive mail on that server. */
  mxRecordType: 'MX',
  /** What happens otherwise: the email is not sent. */
  rejectCode: '550',

  /** What a customer hands over for their own SMTP access per tenant. */
  smtpFields: ['user', 'password', 'host', 'port'],
  /** A mail account not meant for bulk sending, so unsuitable as the platform's sender. */
  unsuitableExample: 'Gmail',
} as const;
