import type { DomainRefusal } from '../checks/domain.ts';
import type { Problem } from '../content/validate.ts';

/**
 * Errors a client can cause. Each carries the HTTP status and a stable code; the error handler turns it into the
 * contract's `{"error":{"code","message"}}` for the API or a localized page (`common:errors.<code>`) for HTML.
 */
export const ERROR_CODES = [
  'invalid_input',
  'invalid_domain',
  'not_found',
  'unknown_flow',
  'unknown_session',
  'event_not_allowed',
  'session_finished',
  'nothing_to_go_back_to',
  'session_changed',
  'session_too_long',
  'feedback_given',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'unauthorized',
  'forbidden',
  'csrf_failed',
  'wrong_credentials',
  'invalid_document',
  'unknown_version',
  'unknown_draft',
  'document_unchanged',
  'draft_conflict',
  'not_escalated',
  'handoff_exists',
  'draft_closed',
  // The studio's edits of a guide (server/content/edit.ts).
  'unknown_step',
  'unknown_option',
  'unknown_fact',
  'name_taken',
  'step_in_use',
  'fact_in_use',
  'invalid_edit',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly details: Record<string, unknown> | undefined;

  /**
   * `cause`: the error this one stands for (e.g. a store conflict), kept for logs; never sent to the client.
   * `details`: more the client needs to act on (a document's problems), sent beside the code and message.
   */
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.details = options?.details;
  }
}

export const invalidInput = (message: string) => new AppError(400, 'invalid_input', message);
/** A domain that cannot be checked (malformed, or not public); its own code so a page can say what to type. */
export const invalidDomain = (reason: string) => new AppError(400, 'invalid_domain', `domain: ${reason}`);
/** invalidDomain with the kind of problem, so a page can show its text next to the field (the API sends the same JSON). */
export class InvalidDomainError extends AppError {
  constructor(readonly refusal: DomainRefusal) {
    super(400, 'invalid_domain', `domain: ${refusal.error}`);
  }
}
/** Why pasted text was not analysed: nothing pasted, no mail headers (or no bounce status code) in it, or too much. */
export const PASTE_PROBLEMS = ['empty', 'no_headers', 'no_code', 'too_large'] as const;
export type PasteProblem = (typeof PASTE_PROBLEMS)[number];
/** Pasted text that cannot be checked; its own class so a page can say why next to the field, keeping the text. */
export class InvalidPasteError extends AppError {
  constructor(
    readonly problem: PasteProblem,
    message: string,
  ) {
    super(problem === 'too_large' ? 413 : 400, problem === 'too_large' ? 'payload_too_large' : 'invalid_input', message);
  }
}
export const unknownFlow = (id: string) => new AppError(404, 'unknown_flow', `There is no flow "${id}".`);
export const unknownSession = (message = 'There is no session with this id.') => new AppError(404, 'unknown_session', message);

/** A guide document that cannot be stored: every problem, each naming its step, event and language where it can. */
export const invalidDocument = (problems: readonly Problem[]) =>
  new AppError(422, 'invalid_document', `The document has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was stored.`, {
    details: { problems },
  });
