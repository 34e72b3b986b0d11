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
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  /** `cause`: the error this one stands for (e.g. a store conflict), kept for logs; never sent to the client. */
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const invalidInput = (message: string) => new AppError(400, 'invalid_input', message);
/** A domain that cannot be checked (malformed, or not public); its own code so a page can say what to type. */
export const invalidDomain = (reason: string) => new AppError(400, 'invalid_domain', `domain: ${reason}`);
export const unknownFlow = (id: string) => new AppError(404, 'unknown_flow', `There is no flow "${id}".`);
export const unknownSession = (message = 'There is no session with this id.') => new AppError(404, 'unknown_session', message);
