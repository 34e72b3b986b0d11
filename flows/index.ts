import type { FlowDefinition } from './types.ts';
import { participantNoEmail } from './participant-no-email/index.ts';
import { surveyEmailsBlocked } from './survey-emails-blocked/index.ts';
import { deliveredNotInInbox } from './delivered-not-in-inbox/index.ts';
import { trackSentEmail } from './track-sent-email/index.ts';
import { notificationSenderSetup } from './notification-sender-setup/index.ts';

/** Every flow the app serves, in the order the start page lists them. */
export const flows: readonly FlowDefinition[] = [participantNoEmail, surveyEmailsBlocked, deliveredNotInInbox, trackSentEmail, notificationSenderSetup];

/** The built-in guides, each one document in flows/<id>/flow.json, in the order the start page lists them. */
export const BUILTIN_FLOW_IDS = ['participant-no-email', 'survey-emails-blocked', 'delivered-not-in-inbox', 'track-sent-email', 'notification-sender-setup'] as const;
