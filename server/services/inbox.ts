import type { TFunction } from 'i18next';
import { unknownHandoff } from '../handoff/service.ts';
import { stepMeta } from '../engine/flow-registry.ts';
import type { AppContext } from '../http/context.ts';
import type { Language } from '../i18n/locales.ts';
import { utcMinute } from '../render/format.ts';
import { HANDOFF_STATUSES, type AgentRecord, type HandoffRecord, type HandoffStatus } from '../store/types.ts';

type InboxContext = Pick<AppContext, 'store' | 'flows' | 'renderer' | 'i18n'>;

export const INBOX_PAGE_SIZE = 50;

/** What an agent's claim came to: theirs now, held by someone else (named, for the page to say so), or closed. */
export type ClaimResult = { ok: true } | { ok: false; holder: string } | { ok: false; closed: true };

/**
 * The support team's side of hand-offs: the inbox (newest first, by state), one hand-off with the person's request,
 * claiming, and marking done or open again. The routes parse and render; this reads the store and words the rows.
 */
export class InboxService {
  constructor(private readonly ctx: InboxContext) {}

  counts(): Promise<Record<HandoffStatus, number>> {
    return this.ctx.store.handoffs.countByStatus();
  }

  /** A page of hand-offs, optionally of one state, with the counts per state (the filter's links show them). */
  async page(query: { status?: HandoffStatus; page: number }, lng: Language, now = Date.now()) {
    const t = this.ctx.i18n.getFixedT(lng);
    const [list, counts, agents] = await Promise.all([
      this.ctx.store.handoffs.list({
        ...(query.status ? { status: query.status } : {}),
        limit: INBOX_PAGE_SIZE,
        offset: (query.page - 1) * INBOX_PAGE_SIZE,
      }),
      this.counts(),
      this.agentsById(),
    ]);
    const total = query.status ? counts[query.status] : HANDOFF_STATUSES.reduce((n, s) => n + counts[s], 0);
    return {
      rows: list.map((h) => this.row(h, t, lng, agents, now)),
      total,
      pageNo: query.page,
      pages: Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE)),
      states: HANDOFF_STATUSES.map((s) => ({ value: s, label: t(`agent.inbox.status.${s}`), count: counts[s], current: s === query.status })),
      allCount: HANDOFF_STATUSES.reduce((n, s) => n + counts[s], 0),
      status: query.status,
    };
  }

  /** One hand-off as its page shows it: the row's facts and the person's request (name and address: agents only). */
  async detail(id: string, lng: Language, now = Date.now()) {
    const handoff = await this.ctx.store.handoffs.get(id);
    if (!handoff) throw unknownHandoff();
    const t = this.ctx.i18n.getFixedT(lng);
    const row = this.row(handoff, t, lng, await this.agentsById(), now);
    const { story } = handoff;
    return {
      ...row,
      sessionId: handoff.sessionId,
      message: story.message,
      // Line by line, so the page keeps the person's line breaks without markup of theirs.
      messageLines: story.message.split('\n'),
      lngCode: handoff.lng,
      name: story.name,
      email: story.email,
      outcomeStep: this.stepTitle(handoff, lng),
      solvedAt: handoff.status === 'solved' && handoff.solvedAt !== null ? `${utcMinute(handoff.solvedAt)} UTC` : undefined,
      doneAt: handoff.doneAt === null ? undefined : `${utcMinute(handoff.doneAt)} UTC`,
      canClaim: handoff.status === 'open' || handoff.status === 'claimed',
      canFinish: handoff.status === 'open' || handoff.status === 'claimed',
      canReopen: handoff.status === 'done' || handoff.status === 'solved',
    };
  }

  /** Takes a hand-off for `agent`; another agent's hold is not taken over but named. 404 for an unknown one. */
  async claim(id: string, agent: AgentRecord): Promise<ClaimResult> {
    const { handoffs } = this.ctx.store;
    if (await handoffs.claim(id, agent.id)) return { ok: true };
    const handoff = await handoffs.get(id);
    if (!handoff) throw unknownHandoff();
    if (handoff.status === 'done' || handoff.status === 'solved') return { ok: false, closed: true };
    const holder = handoff.claimedBy === null ? '' : ((await this.agentsById()).get(handoff.claimedBy)?.name ?? '');
    return { ok: false, holder };
  }

  /** Done in the console, or open again (for anyone to claim); 404 for an unknown hand-off. */
  async setState(id: string, status: 'done' | 'open'): Promise<void> {
    if (!(await this.ctx.store.handoffs.setStatus(id, status))) throw unknownHandoff();
  }

  /** The session's latest hand-off, for its console page: where it stands, and whether support resolved it. */
  async forSession(sessionId: string, lng: Language) {
    const [latest] = await this.ctx.store.handoffs.forSession(sessionId);
    if (!latest) return undefined;
    const t = this.ctx.i18n.getFixedT(lng);
    return {
      id: latest.id,
      status: t(`agent.inbox.status.${latest.status}`),
      resolvedBySupport: latest.status === 'solved',
      solvedAt: latest.solvedAt === null ? undefined : `${utcMinute(latest.solvedAt)} UTC`,
    };
  }

  /** The ending's title in the agent's language; the story's own (in HANDOFF_LANGUAGE) if the guide has it no more. */
  private stepTitle(h: HandoffRecord, lng: Language): string {
    const flow = this.ctx.flows.get(h.flowId);
    return flow && stepMeta(flow, h.story.stepId) ? this.ctx.renderer.text(flow, `${h.story.stepId}.title`, lng) : h.story.stepTitle;
  }

  private row(h: HandoffRecord, t: TFunction, lng: Language, agents: Map<number, AgentRecord>, now: number) {
    const flow = this.ctx.flows.get(h.flowId);
    return {
      id: h.id,
      ref: h.story.ref,
      flow: flow ? this.ctx.renderer.text(flow, 'title', lng) : h.story.flowTitle,
      lng: t(`languageName.${h.lng}`, { defaultValue: h.lng }),
      status: h.status,
      statusLabel: t(`agent.inbox.status.${h.status}`),
      age: age(h.createdAt, now, lng),
      received: `${utcMinute(h.createdAt)} UTC`,
      claimedBy: h.claimedBy === null ? undefined : (agents.get(h.claimedBy)?.name ?? ''),
      deliveries: h.deliveries.map((d) => ({
        channel: t(`agent.inbox.channels.${d.channel}`),
        status: d.status,
        statusLabel: t(`agent.inbox.delivery.${d.status}`),
        url: d.externalUrl && /^https?:\/\//i.test(d.externalUrl) ? d.externalUrl : undefined,
      })),
    };
  }

  private async agentsById(): Promise<Map<number, AgentRecord>> {
    return new Map((await this.ctx.store.listAgents()).map((a) => [a.id, a]));
  }
}

/**
 * How long ago, in the reader's language ("vor 3 Stunden", "3 timer siden"): the runtime's CLDR wording, so no
 * plural rules of our own. Minutes under an hour, hours under two days, then days.
 */
export function age(at: number, now: number, lng: Language): string {
  const minutes = Math.max(0, Math.floor((now - at) / 60_000));
  const format = new Intl.RelativeTimeFormat(lng === 'no' ? 'nb' : lng, { numeric: 'auto' });
  if (minutes < 60) return format.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return format.format(-hours, 'hour');
  return format.format(-Math.floor(hours / 24), 'day');
}
