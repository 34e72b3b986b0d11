import type { AnyStateMachine } from 'xstate';

/** How a step is shown: a question to answer, an instruction to carry out, a server-side check, or an ending. */
export type StepKind = 'question' | 'instruction' | 'check' | 'outcome';

/** How a session ended; set on final states only. */
export const OUTCOMES = ['resolved', 'workaround', 'escalated', 'informational'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface StepOption {
  /** UPPER_SNAKE event name; its label is `<flow-id>:<stateId>.options.<EVENT>`. */
  event: string;
}

/** Typed `meta` carried by every state of every flow. */
export interface StepMeta {
  kind: StepKind;
  outcome?: Outcome;
  options?: StepOption[];
  /** For `kind: 'check'`: the check the engine runs when the person sends a domain, and what it expects. */
  check?: DomainCheck;
}

/** A live check of the domain a person sends from: SPF (with the includes the article asks for), MX and DMARC. */
export interface DomainCheck {
  type: CheckType;
  /** SPF includes the domain's record should contain, e.g. `amazonses.com`. */
  includes: readonly string[];
  /**
   * Whether the guide's article asks for a DMARC policy. Then a missing or weak DMARC record is a finding; otherwise
   * the check shows the DMARC record as neutral information, as the article gives no advice on it.
   */
  dmarc?: boolean;
}

/** The checks the engine can run; a check step names one in `meta.check.type`. */
export const CHECK_TYPES = ['email-domain', 'headers', 'bounce'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export const SPF_STATUSES = ['ok', 'missing', 'multiple', 'include_missing', 'too_many_lookups', 'invalid', 'error'] as const;
export type SpfStatus = (typeof SPF_STATUSES)[number];
export const MX_STATUSES = ['ok', 'missing', 'null_mx', 'error'] as const;
export type MxStatus = (typeof MX_STATUSES)[number];
export const DMARC_STATUSES = ['ok', 'missing', 'none_policy', 'invalid', 'error'] as const;
export type DmarcStatus = (typeof DMARC_STATUSES)[number];

/** Every status a part of the domain check can have: what a guard on that part may name, and what tests sample. */
export const CHECK_STATUSES = { spf: SPF_STATUSES, mx: MX_STATUSES, dmarc: DMARC_STATUSES } as const;

/** SPF of a received message, as the receiving server (or, failing that, our own evaluation) found it. */
export const HEADER_SPF_STATUSES = ['pass', 'fail', 'softfail', 'neutral', 'none', 'error'] as const;
/**
 * DKIM of a received message. `unverified`: a signature whose key is published and whose header signature holds, but
 * the body could not be checked (only headers are pasted) and the receiving server gave no verdict.
 */
export const HEADER_DKIM_STATUSES = ['pass', 'fail', 'unverified', 'none', 'error'] as const;
export const HEADER_DMARC_STATUSES = ['pass', 'fail', 'none', 'error'] as const;
/** The receiving server's spam verdict: `blocked` is the recipient's own blocked-senders list; `none`: no such header. */
export const SPAM_STATUSES = ['clean', 'spam', 'blocked', 'none'] as const;
export type HeaderSpfStatus = (typeof HEADER_SPF_STATUSES)[number];
export type HeaderDkimStatus = (typeof HEADER_DKIM_STATUSES)[number];
export type HeaderDmarcStatus = (typeof HEADER_DMARC_STATUSES)[number];
export type SpamStatus = (typeof SPAM_STATUSES)[number];
/** Every status a part of the headers check can have (what `headersIs` may name, and what tests sample). */
export const HEADER_CHECK_STATUSES = { spf: HEADER_SPF_STATUSES, dkim: HEADER_DKIM_STATUSES, dmarc: HEADER_DMARC_STATUSES, spam: SPAM_STATUSES } as const;

/** The kinds of bounce explained to people (server/checks/bounce.ts), one explanation and one "what to do" each. */
export const BOUNCE_CATEGORIES = ['no_such_user', 'mailbox_full', 'policy', 'dmarc', 'spf', 'temporary', 'other'] as const;
export type BounceCategory = (typeof BOUNCE_CATEGORIES)[number];

/** The statuses of each part of each check's result: what guards may name, and what tests and validation sample. */
export const STATUSES_BY_CHECK = {
  'email-domain': CHECK_STATUSES,
  headers: HEADER_CHECK_STATUSES,
  bounce: { bounce: BOUNCE_CATEGORIES },
} as const satisfies Record<CheckType, unknown>;

/** What a bounce check step's result carries: the kind of bounce, as the part `bounce` (what `bounceIs` reads). */
export interface BounceVerdicts {
  bounce: { status: BounceCategory };
}

/** What a headers check step's result carries, for the flow to branch on. */
export interface HeaderVerdicts {
  spf: { status: HeaderSpfStatus };
  dkim: { status: HeaderDkimStatus };
  dmarc: { status: HeaderDmarcStatus };
  spam: { status: SpamStatus };
}

/**
 * What a check step's result event carries. The engine runs the check and sends `CHECK_RESULT` with the report as
 * data; flows branch on these verdicts with the guards in flows/guards.ts, so they stay free of I/O.
 */
export interface CheckVerdicts {
  spf: { status: SpfStatus };
  mx: { status: MxStatus };
  dmarc: { status: DmarcStatus };
}

/** The event a check step receives; only the engine sends it. */
export const CHECK_RESULT = 'CHECK_RESULT';
/** The option a person sends, with `{ domain }`, to run a check step's check. */
export const CHECK = 'CHECK';

/**
 * A fact is a value an article states: a domain, an address, an IP, a record. Lists are rendered as bullet lists
 * of code spans, so translators write "{{facts.ips}}" once and never copy a value. A value per language is for
 * what each language's product shows differently (a menu label); a step shows the one of its language.
 */
export type FactValue = string | readonly string[] | Readonly<Partial<Record<string, string>>>;
export type Facts = Readonly<Record<string, FactValue>>;

/**
 * A fact another guide states, named by that guide's id and the fact's name: a guide that needs another article's
 * value (the recipient's guide shows each product's sender addresses) shows that guide's current value, so every
 * value is written in one document only.
 */
export interface FactReference {
  readonly guide: string;
  readonly fact: string;
}
/** A fact as a document writes it: a value, or a reference to another guide's. */
export type DocumentFact = FactValue | FactReference;

export interface FlowDefinition {
  /** kebab-case id, as in URLs and the session's flow_id. */
  id: string;
  machine: AnyStateMachine;
  facts: Facts;
  /** The article the flow encodes, for the flow README and for reviewers. */
  source: string;
}

/** The events every flow understands on top of its options; the engine handles them, not the machines. */
export const ENGINE_EVENTS = ['BACK', 'RESTART', 'START', 'CHECK_RESULT'] as const;
