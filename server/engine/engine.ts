import { randomBytes, randomInt } from 'node:crypto';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { CHECK, CHECK_RESULT, type DomainCheck } from '../../flows/types.ts';
import { readDomain, type CheckedDomain } from '../checks/domain.ts';
import type { EmailDomainReport } from '../checks/email-domain.ts';
import { headerVerdicts, type HeaderReport } from '../checks/headers.ts';
import type { BounceReport } from '../checks/bounce.ts';
import { AppError, InvalidDomainError, invalidInput, unknownFlow, unknownSession } from '../http/errors.ts';
import { pinnedFlow } from '../content/versions.ts';
import type { FlowRegistry, RegisteredFlow } from './flow-registry.ts';
import type { Language } from '../i18n/locales.ts';
import type { CheckAsks } from '../render/check.ts';
import { forSession, type StepRenderer, type StepView } from '../render/step.ts';
import {
  FeedbackGivenError,
  MAX_STEPS_PER_SESSION,
  RefTakenError,
  StepConflictError,
  type Audience,
  type Channel,
  type NewStep,
  type PersistedSnapshot,
  type SessionRecord,
  type StepRecord,
  type Store,
} from '../store/types.ts';

export interface HistoryEntry {
  stepId: string;
  title: string;
  event: string;
  answer: string;
  note: string | null;
  at: number;
}

/** How to show a session: in which language, and in whose wording (an agent sees agent wording). */
export interface ViewOptions {
  lng?: Language;
  audience?: Audience;
}

/** Who acts: an agent's steps are recorded with their id, and may carry a note on the step being left. */
export interface ActOptions extends ViewOptions {
  agentId?: number;
  note?: string;
}

export const NOTICES = ['flow_changed'] as const;
export type Notice = (typeof NOTICES)[number];

export interface SessionView {
  session: SessionRecord;
  flow: RegisteredFlow;
  lng: Language;
  step: StepView;
  /** The note stored on the current step, if any. */
  note: string | null;
  history: HistoryEntry[];
  canGoBack: boolean;
  /** The session holds MAX_STEPS_PER_SESSION rows: it cannot go on, only start over (in a new session). */
  tooLong: boolean;
  notice?: Notice;
  /** At an outcome: whether this outcome has had its "did this help?" answer. */
  feedbackGiven?: boolean;
  /** On the step a domain check led to: the check's report. */
  check?: EmailDomainReport;
  /** On the step a headers check led to: what the pasted headers say. */
  headersCheck?: HeaderReport;
  /** On the step a bounce check led to: what the pasted bounce says. */
  bounceCheck?: BounceReport;
  /** The domain the session's latest check looked up, as people write it (`{{session.domain}}` in a body). */
  checkedDomain?: string;
  /** With `check`: what the check step's article asks of the domain beyond SPF (a DMARC policy or not). */
  checkAsks?: CheckAsks;
}

/**
 * The longest text a check step takes: a domain is at most 253 characters, but people paste addresses and URLs,
 * which parseDomain takes the domain out of.
 */
export const DOMAIN_MAX = 300;

/**
 * What a person types at a step that asks for it: the domain at a domain check (at most DOMAIN_MAX characters), the
 * pasted headers at a headers check.
 */
export interface StepInput {
  domain?: string | undefined;
  headers?: string | undefined;
  /** The bounce pasted at a bounce check. */
  text?: string | undefined;
}

/** Runs a check step's check; injected so flows and engine stay free of DNS. */
export type DomainChecker = (domain: CheckedDomain, includes: readonly string[]) => Promise<EmailDomainReport>;
/** Reads pasted headers (refusing what is not headers with an InvalidPasteError); injected like the domain check. */
export type HeadersChecker = (text: string | undefined) => Promise<HeaderReport>;

/** Reads a pasted bounce (refusing text without a status code with an InvalidPasteError). */
export type BounceChecker = (text: string | undefined) => Promise<BounceReport>;

/** The checks a check step can run, one per CHECK_TYPES entry. */
export interface Checkers {
  emailDomain: DomainChecker;
  headers: HeadersChecker;
  bounce: BounceChecker;
}

export interface StartOptions {
  flowId: string;
  lng: Language;
  audience?: Audience;
  channel?: Channel;
  origin?: string | null;
  agentId?: number;
  ticketRef?: string | null;
  /** A step to begin at instead of the first, e.g. the one a search found. */
  startAt?: string;
  /** The session this one continues (Start over at the step cap), noted on its first row. */
  continues?: string;
}

/** Ref codes are read out on the phone: no 0/O, 1/I/L, and grouped as `K7Q-4M2`. */
const REF_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function newRef(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += REF_ALPHABET[randomInt(REF_ALPHABET.length)];
  return `${s.slice(0, 3)}-${s.slice(3)}`;
}

/** What people type for a ref: any case, with or without the dash, with spaces. */
export function normalizeRef(input: string): string {
  const s = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return s.length === 6 ? `${s.slice(0, 3)}-${s.slice(3)}` : s;
}

/** Session ids are the participant's only key to their session, so they are unguessable (128 random bits). */
const newSessionId = () => randomBytes(16).toString('base64url');

interface PathEntry {
  row: StepRecord;
  /** The option taken at this step, if the person has moved on from it. */
  answer?: string;
  /** What came with it (a check's report). */
  answerData?: unknown;
}

/**
 * The steps a person has walked, as they see them now: Back removes the last step, Start over clears them. The
 * transcript rows stay as they are; this is a reading of them.
 */
export function pathOf(steps: readonly StepRecord[]): PathEntry[] {
  let path: PathEntry[] = [];
  for (const row of steps) {
    const top = path.at(-1);
    // A path read from its end (one longer than the cap, from before there was one) begins at its first row.
    if (row.event === 'START' || row.event === 'RESTART' || !top) path = [{ row }];
    else if (row.event === 'BACK') {
      path.pop();
      const below = path.at(-1);
      if (below) below.answer = below.answerData = undefined;
    } else {
      Object.assign(top, { answer: row.event, answerData: row.data });
      path.push({ row });
    }
  }
  return path;
}

/** A stored check result is a domain check's when it names the domain; a headers report names none. */
const isDomainReport = (data: unknown): data is EmailDomainReport => typeof data === 'object' && data !== null && 'domainUnicode' in data;

/** A bounce report names its category; neither a domain nor a headers report has one. */
const isBounceReport = (data: unknown): data is BounceReport => typeof data === 'object' && data !== null && 'category' in data;

/** Whether a session holds as many rows as it may: then no step can be stored, and Start over begins anew. */
const atCap = (session: SessionRecord) => session.lastSeq + 1 >= MAX_STEPS_PER_SESSION;

const sessionTooLong = () =>
  new AppError(
    409,
    'session_too_long',
    `This session has reached its limit of ${MAX_STEPS_PER_SESSION} steps; start over to continue in a new session.`,
  );

const persist = (s: AnyMachineSnapshot): PersistedSnapshot => ({ value: String(s.value), context: s.context ?? {} });

/** A session as a step starts from: its record, its flow, and the rows on its current path. */
interface Opened {
  session: SessionRecord;
  flow: RegisteredFlow;
  steps: StepRecord[];
}

/** A transcript row about to be stored: who took it and its seq are the engine's to add. */
type Step = Omit<NewStep, 'seq' | 'agentId'>;

/**
 * Runs flows for sessions. One call = one step: restore the stored snapshot, check the event is an option now,
 * advance, store snapshot and transcript row in one transaction, and describe the new step in the session's
 * language. The only code that touches snapshots.
 */
export class Engine {
  constructor(
    private readonly store: Store,
    private readonly flows: FlowRegistry,
    private readonly renderer: StepRenderer,
    private readonly checks: Checkers,
  ) {}

  async start(options: StartOptions): Promise<SessionView> {
    const flow = this.flows.get(options.flowId);
    if (!flow) throw unknownFlow(options.flowId);
    const snapshot = options.startAt ? this.startingAt(flow, options.startAt) : persist(initialTransition(flow.machine)[0]);
    for (let attempt = 0; ; attempt++) {
      try {
        const session = await this.store.createSession(
          {
            id: newSessionId(),
            ref: newRef(),
            flowId: flow.id,
            flowVersion: flow.version,
            lng: options.lng,
            audience: options.audience ?? 'participant',
            channel: options.channel ?? 'self',
            origin: options.origin ?? null,
            snapshot,
            agentId: options.agentId ?? null,
            ticketRef: options.ticketRef ?? null,
          },
          {
            seq: 0,
            state: snapshot.value,
            event: 'START',
            data: options.startAt ? { startAt: options.startAt } : options.continues ? { continues: options.continues } : null,
            snapshot,
            agentId: options.agentId ?? null,
          },
        );
        return this.view(session, flow, await this.store.listPath(session.id), { lng: options.lng });
      } catch (e) {
        // 31^6 refs: a collision is rare, and a few fresh draws settle it.
        if (!(e instanceof RefTakenError) || attempt >= 5) throw e;
      }
    }
  }

  private startingAt(flow: RegisteredFlow, state: string): PersistedSnapshot {
    if (this.flows.entryStep(flow, state) !== state)
      throw new AppError(400, 'invalid_input', `A session of "${flow.id}" cannot start at "${state}".`);
    return persist(flow.machine.resolveState({ value: state, context: {} }));
  }

  /** The session as it stands, in `lng` (or its own language). */
  async get(id: string, options: ViewOptions = {}): Promise<SessionView> {
    const { session, flow, steps, notice } = await this.load(id);
    const view = this.view(session, flow, steps, options, notice);
    if (session.status !== 'finished') return view;
    const feedback = await this.store.listFeedback(id);
    return { ...view, feedbackGiven: feedback.some((f) => f.state === session.snapshot.value) };
  }

  /**
   * Answers the current step with option `type`. Only a check step asks for input (`input.domain` with CHECK); an
   * answer anywhere else carries none, so nothing a client sends is stored but the option it chose.
   */
  async send(id: string, type: string, input?: StepInput, options: ActOptions = {}): Promise<SessionView> {
    const { session, flow, steps, notice } = await this.load(id);
    // A session restarted because its flow changed shows the notice first; the old event meant something else.
    if (notice) return this.view(session, flow, steps, options, notice);
    if (atCap(session)) throw sessionTooLong();
    const state = session.snapshot.value;
    const meta = this.flows.meta(flow, state)!;
    if (input !== undefined && !(type === CHECK && meta.check))
      throw invalidInput(
        type === CHECK
          ? `Step "${state}" has no check to run; it takes no data.`
          : `Only CHECK at a check step takes data; send "${type}" without it.`,
      );
    if (session.status === 'finished')
      throw new AppError(409, 'session_finished', 'This session has reached its outcome; go back or start over.');
    const offered = (meta.options ?? []).some((o) => o.event === type);
    if (offered && type === CHECK && meta.check) return this.runCheck({ session, flow, steps }, meta.check, input, options);
    const notAnOption = () => new AppError(409, 'event_not_allowed', `"${type}" is not an option at step "${state}".`);
    if (!offered) throw notAnOption();
    // A plain move (no guard, no action) is looked up; xstate gave the same target when the version was installed.
    const target = this.flows.plainTarget(flow, state, type);
    if (target !== undefined)
      return this.advance({ session, flow, steps }, { state: target, event: type, data: null, snapshot: { value: target, context: session.snapshot.context } }, options);
    const current = flow.machine.resolveState(session.snapshot);
    if (!current.can({ type })) throw notAnOption();
    const [next] = transition(flow.machine, current, { type });
    return this.advance({ session, flow, steps }, { state: String(next.value), event: type, data: null, snapshot: persist(next) }, options);
  }

  /**
   * A check step: look the domain up, or read the pasted headers, then let the flow branch on the verdicts. The
   * report is kept with the step (a headers report holds no body and only masked addresses); the flow sees verdicts.
   */
  private async runCheck(opened: Opened, check: DomainCheck, input: StepInput | undefined, options: ActOptions): Promise<SessionView> {
    let report: EmailDomainReport | HeaderReport | BounceReport;
    let verdicts: unknown;
    const sent = Object.keys(input ?? {}).filter((k) => input?.[k as keyof StepInput] !== undefined);
    const takes = { 'email-domain': 'domain', headers: 'headers', bounce: 'text' }[check.type];
    if (sent.some((k) => k !== takes)) throw invalidInput(`This step takes {"${takes}": "…"} with CHECK.`);
    if (check.type === 'headers') {
      report = await this.checks.headers(input?.headers);
      verdicts = headerVerdicts(report);
    } else if (check.type === 'bounce') {
      const bounce = await this.checks.bounce(input?.text);
      report = bounce;
      verdicts = { bounce: { status: bounce.category } };
    } else {
      const domain = readDomain(input?.domain);
      if ('error' in domain) throw new InvalidDomainError(domain);
      report = verdicts = await this.checks.emailDomain(domain, check.includes);
    }
    const { flow, session } = opened;
    const [next] = transition(flow.machine, flow.machine.resolveState(session.snapshot), { type: CHECK_RESULT, data: verdicts });
    return this.advance(opened, { state: String(next.value), event: CHECK_RESULT, data: report, snapshot: persist(next) }, options);
  }

  async back(id: string, options: ActOptions = {}): Promise<SessionView> {
    const opened = await this.load(id);
    if (atCap(opened.session)) throw sessionTooLong();
    const previous = pathOf(opened.steps).at(-2);
    if (!previous) throw new AppError(409, 'nothing_to_go_back_to', 'This is the first step; there is nothing to go back to.');
    const { state, snapshot } = previous.row;
    return this.advance(opened, { state, event: 'BACK', data: null, snapshot }, options);
  }

  /**
   * Starts the flow over in the same session. At the step cap the session cannot take the row, so Start over
   * continues in a new session instead (same flow, language, audience, channel, host and agent): the person is
   * never stuck, and no session grows past the cap. The returned view's session id then differs from `id`.
   */
  async restart(id: string, options: ActOptions = {}): Promise<SessionView> {
    const loaded = await this.load(id);
    // Start over is a fresh start: on the guide's current version, whichever version the session was on.
    const opened = { ...loaded, flow: this.flows.get(loaded.session.flowId) ?? loaded.flow };
    const { session, flow } = opened;
    if (atCap(session)) {
      const agentId = options.agentId ?? session.agentId;
      return this.start({
        flowId: flow.id,
        lng: options.lng ?? (session.lng as Language),
        audience: session.audience,
        channel: session.channel,
        origin: session.origin,
        ticketRef: session.ticketRef,
        ...(agentId !== null ? { agentId } : {}),
        continues: session.id,
      });
    }
    const snapshot = persist(initialTransition(flow.machine)[0]);
    return this.advance(opened, { state: snapshot.value, event: 'RESTART', data: null, snapshot }, options);
  }

  /** Saves a note on the current step without moving on (e.g. at an outcome). */
  async note(id: string, note: string, options: ActOptions = {}): Promise<SessionView> {
    const { session, flow, steps } = await this.load(id);
    const current = pathOf(steps).at(-1)!.row;
    await this.store.setNote(id, { seq: current.seq, note, agentId: options.agentId ?? null });
    const updated = steps.map((r) => (r.seq === current.seq ? { ...r, note } : r));
    return this.view(session, flow, updated, options);
  }

  /** An agent continues a session found by its ref code; returns its id. */
  async takeOver(ref: string, agentId: number): Promise<string> {
    const session = await this.store.getSessionByRef(normalizeRef(ref));
    if (!session) throw unknownSession(`There is no session with the code ${ref}.`);
    if (session.agentId !== agentId) await this.store.assignAgent(session.id, agentId);
    return session.id;
  }

  async setLanguage(id: string, lng: Language): Promise<void> {
    const session = await this.store.getSession(id);
    if (!session) throw unknownSession();
    if (session.lng !== lng) await this.store.setLanguage(id, lng);
  }

  async feedback(id: string, helpful: boolean, comment: string | null): Promise<void> {
    const { session } = await this.load(id);
    if (session.status !== 'finished')
      throw new AppError(409, 'event_not_allowed', 'Feedback is given at an outcome; this session has not reached one.');
    try {
      await this.store.addFeedback(session.id, { helpful, comment, state: session.snapshot.value });
    } catch (e) {
      if (e instanceof FeedbackGivenError)
        throw new AppError(409, 'feedback_given', 'This outcome has its answer already; thank you.', { cause: e });
      throw e;
    }
  }

  /** One step: stores it, then describes the session as it now stands. */
  private async advance(opened: Opened, step: Step, actor: ActOptions): Promise<SessionView> {
    const after = await this.record(opened, step, actor);
    return this.view(after.session, opened.flow, after.steps, actor);
  }

  /** Stores one transcript row and the session's new state together; returns both as they now stand. */
  private async record({ session, flow, steps }: Opened, step: Step, actor: ActOptions = {}): Promise<Opened> {
    // The hard bound: whatever led here, no session stores a row past the cap (seqs count from 0 without gaps, and
    // a seq taken by a concurrent step is a conflict, so this holds under races too).
    if (atCap(session)) throw sessionTooLong();
    const seq = session.lastSeq + 1;
    const meta = this.flows.meta(flow, step.state)!;
    const finished = flow.machine.states[step.state]!.type === 'final';
    const path = pathOf(steps);
    const seqs = path.map((e) => e.row.seq);
    const agentId = actor.agentId ?? null;
    const change = {
      snapshot: step.snapshot,
      status: finished ? ('finished' as const) : ('active' as const),
      outcome: finished ? (meta.outcome ?? null) : null,
      flowVersion: flow.version,
      path: step.event === 'START' || step.event === 'RESTART' ? [seq] : step.event === 'BACK' ? seqs.slice(0, -1) : [...seqs, seq],
      // An agent acting on a session continues it: the session records who has it, and since when, with this step.
      ...(agentId !== null && session.agentId !== agentId ? { takenBy: agentId } : {}),
    };
    // A note belongs to the step it was written at: the one being left.
    const leaving = path.at(-1)?.row;
    const note = actor.note !== undefined && leaving ? { seq: leaving.seq, note: actor.note, agentId: actor.agentId ?? null } : undefined;
    try {
      await this.store.appendStep(session.id, { ...step, seq, agentId, prevState: session.snapshot.value }, change, note);
    } catch (e) {
      if (e instanceof StepConflictError)
        throw new AppError(409, 'session_changed', 'This session was changed in another window; reload it to continue.', { cause: e });
      throw e;
    }
    const { takenBy, ...rest } = change;
    const updated: SessionRecord = {
      ...session,
      ...rest,
      ...(takenBy !== undefined ? { agentId: takenBy, takenOverAt: Date.now() } : {}),
      updatedAt: Date.now(),
      lastSeq: seq,
    };
    const row: StepRecord = { ...step, seq, sessionId: session.id, note: null, agentId, at: updated.updatedAt };
    const before = note ? steps.map((r) => (r.seq === note.seq ? { ...r, note: note.note } : r)) : steps;
    return { session: updated, flow, steps: [...before, row] };
  }

  /**
   * Loads a session with its transcript, on the version of its guide it started on (installed from the store if
   * this process has not seen it yet): a published change never moves a session mid-way. A session whose version
   * is unknown (it began before versions were stored) goes on with the current version if its path still exists
   * there; otherwise it is started over (recorded as a RESTART) and marked with a notice, instead of failing.
   */
  private async load(id: string): Promise<Opened & { notice?: Notice }> {
    const opened = await this.store.openSession(id);
    if (!opened) throw unknownSession();
    const { session, path: steps } = opened;
    const pinned = await pinnedFlow(this.store, this.flows, session.flowId, session.flowVersion);
    if (pinned) return { session, flow: pinned, steps };
    const flow = this.flows.get(session.flowId);
    if (!flow) throw unknownFlow(session.flowId);
    if (this.pathStillValid(flow, steps)) return { session, flow, steps };
    const snapshot = persist(initialTransition(flow.machine)[0]);
    // A full session cannot take the RESTART row: show the flow's first step, unstored; Start over goes on anew.
    if (atCap(session)) return { session: { ...session, snapshot, status: 'active', outcome: null }, flow, steps: [], notice: 'flow_changed' };
    const data = { reason: 'flow_changed', from: session.flowVersion };
    const after = await this.record({ session, flow, steps }, { state: snapshot.value, event: 'RESTART', data, snapshot });
    return { ...after, notice: 'flow_changed' as const };
  }

  private pathStillValid(flow: RegisteredFlow, steps: StepRecord[]): boolean {
    return pathOf(steps).every(({ row, answer }) => {
      const meta = this.flows.meta(flow, row.state);
      return meta !== undefined && (answer === undefined || (meta.options ?? []).some((o) => o.event === answer));
    });
  }

  private view(session: SessionRecord, flow: RegisteredFlow, steps: StepRecord[], options: ViewOptions, notice?: Notice): SessionView {
    const lng = options.lng ?? (session.lng as Language);
    const audience = options.audience ?? session.audience;
    const path = pathOf(steps);
    const checked = path.findLast(({ row }) => row.event === CHECK_RESULT && isDomainReport(row.data))?.row.data as EmailDomainReport | undefined;
    const checkedDomain = checked?.domainUnicode;
    const last = path.at(-1)?.row;
    const result = last?.event === CHECK_RESULT ? last.data : undefined;
    const history = path.slice(0, -1).map(({ row, answer, answerData }) => ({
      stepId: row.state,
      title: this.renderer.text(flow, `${row.state}.title`, lng, audience),
      event: answer!,
      answer:
        answer === CHECK_RESULT
          ? isDomainReport(answerData)
            ? this.renderer.common('check.checked', lng, { domain: answerData.domainUnicode })
            : this.renderer.common(isBounceReport(answerData) ? 'bounceCheck.checked' : 'headers.checked', lng)
          : this.renderer.answerLabel(flow, row.state, answer!, lng, audience),
      note: row.note,
      at: row.at,
    }));
    return {
      session,
      flow,
      lng,
      step: forSession(this.renderer.step(flow, session.snapshot.value, lng, audience), session.ref, checkedDomain ?? this.renderer.common('check.yourDomain', lng)),
      ...(checkedDomain ? { checkedDomain } : {}),
      note: path.at(-1)?.row.note ?? null,
      history,
      ...(result !== undefined && isDomainReport(result)
        ? { check: result, checkAsks: { dmarc: this.flows.meta(flow, path.at(-2)?.row.state ?? '')?.check?.dmarc === true } }
        : result !== undefined && isBounceReport(result)
          ? { bounceCheck: result }
          : result !== undefined
            ? { headersCheck: result as HeaderReport }
            : {}),
      canGoBack: path.length > 1 && !atCap(session),
      tooLong: atCap(session),
      ...(notice ? { notice } : {}),
    };
  }
}
