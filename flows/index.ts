/**
 * The built-in guides, in the order the start page lists them. Each is one document, `flows/<id>/flow.json`: the
 * one source of that guide (server/content/builtin.ts reads them; guides added later come from the database).
 */
export const BUILTIN_FLOW_IDS = ['participant-no-email', 'survey-emails-blocked', 'delivered-not-in-inbox', 'track-sent-email', 'notification-sender-setup', 'missing-email'] as const;

/**
 * Guides written for the person who is missing an email, not for whoever sent it: the start page offers them behind
 * their own door ("I'm missing an email") and every other guide behind the senders' door.
 */
export const RECIPIENT_FLOW_IDS: readonly string[] = ['missing-email'];
