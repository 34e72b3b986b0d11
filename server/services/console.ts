import { CHECK, OUTCOMES, type Outcome } from '../../flows/types.ts';
import { AttemptGate, attemptKey } from '../auth/attempts.ts';
import { SignIn } from '../auth/sign-in.ts';
import type { RegisteredFlow } from '../engine/flow-registry.ts';
import type { AppContext } from '../http/context.ts';
import { AppError, unknownSession } from '../http/errors.ts';
import { normalizeLanguage } from '../i18n/language.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../i18n/locales.ts';
import { checkView } from '../render/check.ts';
import { headersView } from '../render/headers.ts';
import { bounceView } from '../render/bounce.ts';
import { forSession } from '../render/step.ts';
import { option, utcMinute } from '../render/format.ts';
import { transcript, TRANSCRIPT_LIMITS, type TranscriptFormat, type TranscriptInput } from '../render/transcript.ts';
import {
  CHANNELS,
  type AgentRecord,
  type AnalyticsFilter,
  type Channel,
  type NoteRecord,
  type SessionFilter,
  type Store,
} from '../store/types.ts';

type ConsoleContext = Pick<AppContext, 'engine' | 'store' | 'flows' | 'renderer' | 'i18n' | 'search' | 'content'>;

/**
 * Failed pickups (a ref that names no session) one agent may make in 15 minutes: plenty for codes misheard on the
 * phone, far too few to find sessions by trying codes (31^6 of them).
 */
export const PICKUP_LIMITS = { windowMs: 15 * 60 * 1000, perAgent: 20 } as const;

export const SESSIONS_PAGE_SIZE = 25;

/** What an agent does on a triage step; a note, if written, travels with it. */
export type StepAction =
  | { kind: 'restart' }
  | { kind: 'back' }
  | { kind: 'check'; domain: string | undefined }
  /** A headers or bounce check step: what the caller pasted (or sent, pasted by the agent), in the step's field. */
  | { kind: 'paste'; field: 'headers' | 'text'; value: string }
  | { kind: 'answer'; event: string }
  /** Saves the note without moving on (e.g. at an outcome). */
  | { kind: 'note' };

export interface StartTriage {
  flowId: string;
  lng: Language;
  ticketRef: string | null;
  step?: string;
}

export interface SessionsQuery {
  flow?: string;
  /** `active`: sessions without an outcome yet. */
  outcome?: 'active' | Outcome;
  language?: Language;
  channel?: Channel;
  /** Whole UTC days, `to` included (ms at the start of the day). */
  from?: number;
  to?: number;
  /** Everyone's sessions: administrators only. */
  all: boolean;
  page: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The console's work between its routes and the engine and store: signing in under limits, triage, hand-off by ref,
 * notes with their authors, transcripts and the sessions list. The routes parse and render; this decides.
 */
export class ConsoleService {
  private readonly signIns: SignIn;
  private readonly pickups: AttemptGate;
  private readonly store: Store;

  constructor(private readonly ctx: ConsoleContext) {
    this.store = ctx.store;
    this.signIns = new SignIn(ctx.store);
    this.pickups = new AttemptGate(ctx.store);
  }

  /** The agent for an email and password, or undefined; TooManyAttempts once a sign-in limit is reached. */
  signIn(email: string, password: string, address: string | undefined): Promise<AgentRecord | undefined> {
    return this.signIns.check(email, password, address);
  }

  /** The console's home: the guides, and what a search for the caller's words found. */
  home(lng: Language, q: string) {
    const { flows, renderer, search } = this.ctx;
    const hits = q ? search.search(q, lng) : undefined;
    // The list starts at the best hit, so Enter in the ticket field (the form's first button: that hit) and the
    // Start button agree.
    const top = hits?.[0]?.flowId;
    return {
      flows: flows.list.map((f) => ({ id: f.id, title: renderer.text(f, 'title', lng), selected: f.id === top })),
      q,
      hits,
      searched: Boolean(q),
      callerLanguages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], selected: code === lng })),
    };
  }

  /** Continues a participant's session by its ref; returns its id. Failed pickups are limited per agent. */
  pickUp(ref: string, agentId: number): Promise<string> {
    const limits = [{ key: attemptKey('pickup-agent', String(agentId)), limit: PICKUP_LIMITS.perAgent, windowMs: PICKUP_LIMITS.windowMs }];
    return this.pickups.run(
      limits,
      () => this.ctx.engine.takeOver(ref, agentId),
      (outcome) => !outcome.ok && outcome.error instanceof AppError && outcome.error.code === 'unknown_session',
    );
  }

  /** Starts a guide for a caller; returns the new session's id. */
  async start(agentId: number, input: StartTriage): Promise<string> {
    const view = await this.ctx.engine.start({
      flowId: input.flowId,
      lng: input.lng,
      audience: 'agent',
      channel: 'agent',
      agentId,
      ticketRef: input.ticketRef,
      ...(input.step ? { startAt: input.step } : {}),
    });
    return view.session.id;
  }

  /**
   * One action on a triage step. A note goes on the step being left, under the agent who wrote it. Returns the
   * session the triage goes on in: Start over at the step cap continues in a new one.
   */
  async act(sessionId: string, agentId: number, action: StepAction, note: string | undefined): Promise<string> {
    const { engine } = this.ctx;
    const actor = { audience: 'agent' as const, agentId, ...(note ? { note } : {}) };
    const done = (view: { session: { id: string } }) => view.session.id;
    switch (action.kind) {
      case 'restart':
        return done(await engine.restart(sessionId, actor));
      case 'back':
        return done(await engine.back(sessionId, actor));
      case 'check':
        return done(await engine.send(sessionId, CHECK, { domain: action.domain }, actor));
      case 'paste':
        return done(await engine.send(sessionId, CHECK, { [action.field]: action.value }, actor));
      case 'answer':
        return done(await engine.send(sessionId, action.event, undefined, actor));
      case 'note':
        return done(await engine.note(sessionId, note ?? '', { agentId }));
    }
  }

  /**
   * Everything the triage page shows: the step in agent wording, the caller's text, the way here with its notes.
   * What the agent reads (instructions, answers, the way here, the check's findings) is in the agent's language
   * `lng`; only the caller's text, to read out or paste, is in the caller's language (the session's).
   */
  async triage(sessionId: string, lng: Language) {
    const { engine, renderer, i18n } = this.ctx;
    const view = await engine.get(sessionId, { audience: 'agent', lng });
    const t = i18n.getFixedT(lng);
    const { session, flow } = view;
    const callerLng = normalizeLanguage(session.lng) ?? lng;
    const [agents, path, notes] = await Promise.all([
      this.agentsById(),
      this.store.listPath(session.id),
      this.store.listNotes(session.id, TRANSCRIPT_LIMITS.notes),
    ]);
    const latest = new Map<number, NoteRecord>(notes.map((n) => [n.seq, n]));
    // Who wrote the note now on a step, and when: the path's rows line up with the history and the current step.
    const byline = (i: number) => {
      const note = path[i] && latest.get(path[i].seq);
      if (!note) return undefined;
      return { name: note.agentId !== null ? (agents.get(note.agentId)?.name ?? '') : '', time: `${utcMinute(note.at)} UTC` };
    };
    const current = byline(view.history.length);
    return {
      pageTitle: view.step.title,
      session: {
        id: session.id,
        ref: session.ref,
        ticketRef: session.ticketRef,
        // The caller's language named in the agent's ("tyska" in a Swedish console), as the rest of the page.
        lngName: t(`languageName.${callerLng}`),
        lng: callerLng,
        channel: t(`channel.${session.channel}`),
        agent: session.agentId !== null ? agents.get(session.agentId)?.name : undefined,
        takenOverAt: session.takenOverAt ? `${utcMinute(session.takenOverAt)} UTC` : undefined,
      },
      flowTitle: renderer.text(flow, 'title', lng, 'agent'),
      // At the step cap only Start over is left (it continues in a new session).
      step: view.tooLong ? { ...view.step, options: [] } : view.step,
      tooLong: view.tooLong,
      participantStep: forSession(
        renderer.step(flow, view.step.id, callerLng, 'participant'),
        view.session.ref,
        view.checkedDomain ?? renderer.common('check.yourDomain', callerLng),
      ),
      check: view.check ? checkView(view.check, t, view.checkAsks) : undefined,
      headersCheck: view.headersCheck ? headersView(view.headersCheck, t) : undefined,
      bounceCheck: view.bounceCheck ? bounceView(view.bounceCheck, t) : undefined,
      showRaw: true,
      actionUrl: `/agent/s/${session.id}`,
      note: view.note,
      // Who wrote the note in the field: changing it adds a version and keeps theirs (unknown for notes from before).
      noteBy: view.note && current?.name ? current : undefined,
      history: view.history.map((entry, i) => ({ ...entry, noteBy: entry.note ? byline(i) : undefined })),
      canGoBack: view.canGoBack,
      outcomeLabel: view.step.outcome ? t(`session.outcome.${view.step.outcome}`) : undefined,
      notice: view.notice,
      noticeText: view.notice ? t(`session.notice.${view.notice}`) : undefined,
    };
  }

  /** The session's transcript in one format, in the reader's language. */
  async transcript(sessionId: string, lng: Language, format: TranscriptFormat): Promise<string> {
    return transcript(this.ctx.renderer, await this.transcriptInput(sessionId, lng), format);
  }

  /** The transcript page: both formats, to copy or download. */
  async transcripts(sessionId: string, lng: Language) {
    const { renderer } = this.ctx;
    const input = await this.transcriptInput(sessionId, lng);
    return {
      session: { id: input.session.id, ref: input.session.ref },
      text: transcript(renderer, input, 'text'),
      markdown: transcript(renderer, input, 'markdown'),
    };
  }

  /** A page of sessions: an agent's own, or for an administrator who asks, everyone's; with the filters' options. */
  async sessions(agent: AgentRecord, query: SessionsQuery, lng: Language) {
    const { flows, renderer, i18n } = this.ctx;
    const t = i18n.getFixedT(lng);
    const mine = agent.role !== 'admin' || !query.all;
    const filter: SessionFilter = {
      ...(mine ? { agentId: agent.id } : {}),
      ...(query.flow ? { flowId: query.flow } : {}),
      ...(query.outcome === 'active' ? { status: 'active' as const } : query.outcome ? { outcome: query.outcome } : {}),
      ...(query.language ? { lng: query.language } : {}),
      ...(query.channel ? { channel: query.channel } : {}),
      ...(query.from !== undefined ? { from: query.from } : {}),
      ...(query.to !== undefined ? { to: query.to + DAY_MS } : {}),
      limit: SESSIONS_PAGE_SIZE,
      offset: (query.page - 1) * SESSIONS_PAGE_SIZE,
    };
    const [{ sessions, total }, agents] = await Promise.all([this.store.listSessions(filter), this.agentsById()]);
    // Each session under the guide's title as the version it ran on had it.
    const versions = new Map<string, RegisteredFlow | undefined>();
    for (const s of sessions) {
      const key = `${s.flowId}\u0000${s.flowVersion}`;
      if (!versions.has(key)) versions.set(key, (await this.ctx.content.pinned(s.flowId, s.flowVersion)) ?? flows.get(s.flowId));
    }
    const rows = sessions.map((s) => {
      const flow = versions.get(`${s.flowId}\u0000${s.flowVersion}`);
      return {
        id: s.id,
        ref: s.ref,
        flow: flow ? renderer.text(flow, 'title', lng) : s.flowId,
        outcome: s.outcome ? t(`session.outcome.${s.outcome}`) : t('agent.sessions.active'),
        lng: t(`languageName.${s.lng}`, { defaultValue: s.lng }),
        channel: t(`channel.${s.channel}`),
        agent: s.agentId !== null ? (agents.get(s.agentId)?.name ?? '') : '',
        created: utcMinute(s.createdAt),
      };
    });
    const pages = Math.max(1, Math.ceil(total / SESSIONS_PAGE_SIZE));
    return {
      rows,
      total,
      pageNo: query.page,
      pages,
      filters: {
        flows: flows.list.map((f) => option(f.id, renderer.text(f, 'title', lng), query.flow)),
        outcomes: ['active', ...OUTCOMES].map((o) =>
          option(o, o === 'active' ? t('agent.sessions.active') : t(`session.outcome.${o}`), query.outcome),
        ),
        languages: LANGUAGES.map((l) => option(l, LANGUAGE_NAMES[l], query.language)),
        channels: CHANNELS.map((c) => option(c, t(`channel.${c}`), query.channel)),
        all: !mine,
      },
    };
  }

  /** The accounts, for the administrators' page. */
  agents(): Promise<AgentRecord[]> {
    return this.store.listAgents();
  }

  figures(filter: AnalyticsFilter) {
    return this.store.analytics(filter);
  }

  exportSessions(filter: AnalyticsFilter): ReturnType<Store['exportSessions']> {
    return this.store.exportSessions(filter);
  }

  exportSteps(filter: AnalyticsFilter): ReturnType<Store['exportSteps']> {
    return this.store.exportSteps(filter);
  }

  private async transcriptInput(sessionId: string, lng: Language): Promise<TranscriptInput> {
    const session = await this.store.getSession(sessionId);
    if (!session) throw unknownSession();
    const [steps, notes, agents, pinned] = await Promise.all([
      this.store.listSteps(session.id, TRANSCRIPT_LIMITS.rows),
      this.store.listNotes(session.id, TRANSCRIPT_LIMITS.notes),
      this.agentsById(),
      this.ctx.content.pinned(session.flowId, session.flowVersion),
    ]);
    // The words of the version the session ran on; a session from before versions has only the current one.
    const flow = pinned ?? this.ctx.flows.get(session.flowId);
    return { session, flow, steps, notes, agents, lng, t: this.ctx.i18n.getFixedT(lng) };
  }

  private async agentsById(): Promise<Map<number, AgentRecord>> {
    return new Map((await this.store.listAgents()).map((a) => [a.id, a]));
  }
}
