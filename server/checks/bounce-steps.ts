import type { BounceCategory } from './bounce.ts';

/**
 * The guide step that deals with each kind of bounce, where one does: the one place that ties bounce categories to
 * steps of flows/*\/flow.json (test/server/bounce-steps.test.ts checks each step exists). A recipient address that
 * does not exist, a full mailbox, a temporary failure have no step: the explanation alone says what to do.
 */
export const BOUNCE_STEPS: Partial<Record<BounceCategory, { flowId: string; stepId: string }>> = {
  // Article 004: an address at your own domain needs the SPF record (and a working MX), or receivers answer 550.
  spf: { flowId: 'notification-sender-setup', stepId: 'ownDomainSender' },
  // The one domain check that asks for DMARC as well as SPF.
  dmarc: { flowId: 'delivered-not-in-inbox', stepId: 'checkSendingDomain' },
  // Receiving filters and block lists refusing mail: what they look at and what the sender can do.
  policy: { flowId: 'survey-emails-blocked', stepId: 'whyBlocked' },
};
