import type { i18n } from 'i18next';
import type { DraftService } from '../content/drafts.ts';
import type { ContentService } from '../content/service.ts';
import type { Outbox } from '../handoff/outbox.ts';
import type { HandoffService } from '../handoff/service.ts';
import type { Engine } from '../engine/engine.ts';
import type { FlowRegistry } from '../engine/flow-registry.ts';
import type { StepRenderer } from '../render/step.ts';
import type { FlowSearch } from '../services/search.ts';
import type { Dns } from '../checks/dns.ts';
import type { SenderIpService } from '../services/sender-ips.ts';
import type { Limits } from './limits.ts';
import type { Store } from '../store/types.ts';
import type { Render } from '../render/views.ts';

/** What routes may use: they do HTTP work and call the engine; they never reach the store's SQL. */
export interface AppContext {
  engine: Engine;
  flows: FlowRegistry;
  renderer: StepRenderer;
  i18n: i18n;
  render: Render;
  store: Store;
  search: FlowSearch;
  dns: Dns;
  /** The sending IPs guides name, checked against the configured DNS blocklists. */
  senderIps: SenderIpService;
  limits: Limits;
  /** Guides as versioned documents: drafts, publishing, history, audit. */
  content: ContentService;
  /** The studio's working copies of guides. */
  drafts: DraftService;
  /** Requests to support from escalated endings. */
  handoffs: HandoffService;
  /** Delivers hand-offs to the configured channels; `server/main.ts` starts it. */
  outbox: Outbox;
}
