import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { CHECK } from '../../../flows/types.ts';
import { TooManyAttempts } from '../../auth/attempts.ts';
import type { AppContext } from '../../http/context.ts';
import { AppError, InvalidDomainError, InvalidPasteError, invalidInput } from '../../http/errors.ts';
import { offeredDomain } from '../../checks/domain.ts';
import { checkField, type CheckField } from '../../render/check-field.ts';
import { pasteField } from '../../render/headers.ts';
import { requestLanguage } from '../../http/request.ts';
import type { ConsoleService, StepAction } from '../../services/console.ts';
import type { InboxService } from '../../services/inbox.ts';
import { sendConsolePage } from '../console-page.ts';
import { language, optional, parse, pressed } from '../parse.ts';
import { HANDOFF_STATUSES } from '../../store/types.ts';

const homeQuery = z.object({
  q: z
    .string()
    .optional()
    .transform((q) => (q ?? '').trim().slice(0, 300)),
});

const pickupForm = z.object({
  ref: z.string({ error: 'enter the code the participant gave you' }).trim().min(1, 'enter the code the participant gave you').max(20, 'a code has 6 characters, like K7Q-4M2'),
});

/**
 * A ticket reference is one line: it is written into transcripts, where a line break or a control character could
 * add lines that were never there ("T-1\n\nOutcome: Solved").
 */
const ticketRef = z
  .string()
  .optional()
  .transform((s) => s?.trim() || null)
  .pipe(
    z
      .string()
      .max(100, 'a ticket reference has at most 100 characters')
      .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, 'a ticket reference is one line, without control characters')
      .nullable(),
  );

const startForm = z.object({
  flowId: z.string().max(100).default(''),
  lng: z.string({ error: 'choose the caller’s language' }).pipe(language),
  ticketRef,
  step: optional(z.string().max(100)),
  /** A search hit's button: `<flow id>` or `<flow id>#<step id>`; it stands for flowId and step. */
  hit: optional(z.string().max(201)),
});

/** The guide (and step) to start: the hit pressed, else the guide chosen in the list. */
function startAt(form: z.infer<typeof startForm>): { flowId: string; step?: string } {
  if (form.hit) {
    const [flowId = '', step] = form.hit.split('#', 2);
    return { flowId, ...(step ? { step } : {}) };
  }
  return { flowId: form.flowId, ...(form.step ? { step: form.step } : {}) };
}

const stepForm = z.object({
  event: optional(z.string().max(100)),
  back: pressed,
  restart: pressed,
  domain: z.string().max(1000).optional(),
  /** As on the participant's page: the suggested domain's button, and the text a suggestion was offered for. */
  use: z.string().max(1000).optional(),
  seen: z.string().max(1000).optional(),
  /** At a headers check step: the pasted headers (their size is the check's to refuse). */
  headers: z.string().optional(),
  /** At a bounce check step: the message that came back. */
  text: z.string().optional(),
  // Cut rather than refused: a browser's maxlength counts a line break once, the form sends it as two characters.
  note: z
    .string()
    .optional()
    .transform((s) => s?.trim().slice(0, 4000)),
});

/** Which of the step form's buttons was pressed; the order settles a form that sends more than one. */
function stepAction(form: z.infer<typeof stepForm>): StepAction | undefined {
  if (form.restart) return { kind: 'restart' };
  if (form.back) return { kind: 'back' };
  if (form.event === CHECK && form.headers !== undefined) return { kind: 'paste', field: 'headers', value: form.headers };
  if (form.event === CHECK && form.text !== undefined) return { kind: 'paste', field: 'text', value: form.text };
  if (form.event === CHECK || form.use !== undefined) return { kind: 'check', domain: form.use ?? form.domain };
  if (form.event) return { kind: 'answer', event: form.event };
  if (form.note !== undefined) return { kind: 'note' };
  return undefined;
}

/**
 * Triage: the console's home (pick a session up by its ref, or start a guide for a caller), and the steps of a
 * session in agent wording, with notes.
 */
export function triageRoutes(ctx: AppContext, service: ConsoleService, inbox: InboxService): Router {
  const router = Router();
  const page = (req: Request, res: Response, name: string, data: Record<string, unknown>, status = 200) =>
    sendConsolePage(ctx, req, res, name, data, status);

  router.get('/agent', async (req, res) => {
    const lng = requestLanguage(req);
    const { q } = parse(homeQuery, req.query);
    const t = ctx.i18n.getFixedT(lng);
    const counts = await inbox.counts();
    // The inbox's states with their counts, each linking to the inbox filtered to it.
    const inboxCounts = HANDOFF_STATUSES.map((s) => ({ value: s, label: t(`agent.inbox.status.${s}`), count: counts[s] }));
    page(req, res, 'agent-home', { ...service.home(lng, q), inboxCounts, pageTitle: t('agent.home.title') });
  });

  router.post('/agent/pickup', async (req, res) => {
    const { ref } = parse(pickupForm, req.body);
    try {
      res.redirect(303, `/agent/s/${await service.pickUp(ref, req.login!.agent.id)}`);
    } catch (e) {
      if (!(e instanceof TooManyAttempts)) throw e;
      res.set('Retry-After', String(e.retryAfter));
      throw new AppError(429, 'rate_limited', 'Too many codes that match no session. Wait a while and try again.');
    }
  });

  router.post('/agent/start', async (req, res) => {
    const form = parse(startForm, req.body);
    const id = await service.start(req.login!.agent.id, { ...startAt(form), lng: form.lng, ticketRef: form.ticketRef });
    res.redirect(303, `/agent/s/${id}`);
  });

  router.get('/agent/s/:id', async (req, res) => {
    const lng = requestLanguage(req);
    const data = await service.triage(req.params.id, lng);
    page(req, res, 'agent-session', { ...data, supportHandoff: await inbox.forSession(data.session.id, lng) });
  });

  router.post('/agent/s/:id', ctx.limits.steps, ctx.limits.checkSteps, async (req, res) => {
    const form = parse(stepForm, req.body);
    const action = stepAction(form);
    if (!action) throw invalidInput('Choose one of the answers, or write a note.');
    const agentId = req.login!.agent.id;
    const lng = requestLanguage(req);
    // The domain field as on the participant's page: a pasted web address is offered its registrable domain once,
    // and what cannot be checked is said next to the field; the agent's note stays in its field either way.
    const again = async (field: CheckField, status: number) => {
      const data = await service.triage(req.params.id, lng);
      if (data.step.kind !== 'check' || data.notice || data.tooLong) return false;
      page(req, res, 'agent-session', { ...data, note: form.note ?? data.note, domainField: checkField(ctx, lng, field) }, status);
      return true;
    };
    if (action.kind === 'paste') {
      try {
        res.redirect(303, `/agent/s/${await service.act(req.params.id, agentId, action, form.note)}`);
      } catch (error) {
        if (!(error instanceof InvalidPasteError)) throw error;
        const data = await service.triage(req.params.id, lng);
        if (data.step.kind !== 'check' || data.notice || data.tooLong) throw error;
        const field = pasteField(ctx.i18n.getFixedT(lng), action.value, error.problem, action.field === 'headers' ? 'headers' : 'bounceCheck');
        page(req, res, 'agent-session', { ...data, note: form.note ?? data.note, pasteField: field }, error.status === 413 ? 413 : 422);
      }
      return;
    }
    if (action.kind === 'check') {
      const typed = action.domain ?? '';
      const suggestion = form.use === undefined ? offeredDomain(typed, form.seen) : undefined;
      if (suggestion && (await again({ value: typed, suggestion: { host: suggestion.host.unicode, domain: suggestion.domain.unicode } }, 200))) return;
      try {
        res.redirect(303, `/agent/s/${await service.act(req.params.id, agentId, action, form.note)}`);
      } catch (error) {
        if (error instanceof InvalidDomainError && (await again({ value: typed, refusal: error.refusal }, 422))) return;
        throw error;
      }
      return;
    }
    const id = await service.act(req.params.id, agentId, action, form.note);
    res.redirect(303, `/agent/s/${id}`);
  });

  return router;
}
