/**
 * The built-in guides, in the order the start page lists them. Each is one document, `flows/<id>/flow.json`: the
 * one source of that guide (server/content/builtin.ts reads them; guides added later come from the database).
 */
export const BUILTIN_FLOW_IDS = ['participant-no-email', 'survey-emails-blocked', 'delivered-not-in-inbox', 'track-sent-email', 'notification-sender-setup'] as const;
