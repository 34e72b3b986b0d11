import { CHANNEL_VARIABLES, handoffChannelProblem, type HandoffConfig } from '../config.ts';
import type { Channel } from '../story.ts';
import { emailChannel } from './email.ts';
import { freshdeskChannel } from './freshdesk.ts';
import type { HandoffT } from './story-view.ts';
import { webhookChannel } from './webhook.ts';
import { zendeskChannel } from './zendesk.ts';

export type { HandoffT } from './story-view.ts';

/**
 * The channels the configuration turns on, in a fixed order (email, webhook, zendesk, freshdesk). Throws, naming
 * the variable, when a channel is half set up. `t` writes the labels of emails and tickets (keys `handoff.email.*`,
 * `session.outcome.*`, `languageName.*` of the common namespace).
 */
export function channelsFromConfig(config: HandoffConfig, t: HandoffT): Channel[] {
  const problem = handoffChannelProblem(config);
  if (problem) throw new Error(`invalid configuration: ${problem}`);
  const on = (channel: keyof typeof CHANNEL_VARIABLES) => CHANNEL_VARIABLES[channel].every((name) => config[name]);
  const channels: Channel[] = [];
  if (on('email')) channels.push(emailChannel({ url: config.SMTP_URL!, to: config.HANDOFF_EMAIL_TO!, from: config.HANDOFF_EMAIL_FROM! }, t));
  if (on('webhook')) channels.push(webhookChannel({ url: config.HANDOFF_WEBHOOK_URL!, secret: config.HANDOFF_WEBHOOK_SECRET! }));
  if (on('zendesk'))
    channels.push(zendeskChannel({ subdomain: config.ZENDESK_SUBDOMAIN!, email: config.ZENDESK_EMAIL!, apiToken: config.ZENDESK_API_TOKEN! }, t));
  if (on('freshdesk')) channels.push(freshdeskChannel({ domain: config.FRESHDESK_DOMAIN!, apiKey: config.FRESHDESK_API_KEY! }, t));
  return channels;
}
