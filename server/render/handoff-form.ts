import type { SessionView } from '../engine/engine.ts';
import { MESSAGE_MAX, type FieldProblem } from '../handoff/service.ts';
import type { AppContext } from '../http/context.ts';
import type { Language } from '../i18n/locales.ts';

export const HANDOFF_FIELDS = ['message', 'email', 'name'] as const;
export type HandoffField = (typeof HANDOFF_FIELDS)[number];

/** What a refused form sends back to the page: the text as typed, and each field's problem. */
export interface HandoffTyped {
  values: Partial<Record<HandoffField, string>>;
  problems: Partial<Record<HandoffField, FieldProblem>>;
}

/** The `details.fields` of an invalid_input from the service, as far as it names our fields. */
export function fieldProblems(details: Record<string, unknown> | undefined): HandoffTyped['problems'] | undefined {
  const fields = details?.fields;
  if (!fields || typeof fields !== 'object') return undefined;
  const problems: HandoffTyped['problems'] = {};
  for (const field of HANDOFF_FIELDS) {
    const problem = (fields as Record<string, unknown>)[field];
    if (problem === 'required' || problem === 'tooLong' || problem === 'invalid') problems[field] = problem;
  }
  return Object.keys(problems).length ? problems : undefined;
}

/**
 * The "ask support" part of a session page (views/partials/handoff.hbs), or nothing where it has no place: the form
 * at an escalated ending, the confirmation once a request from that ending is stored. The recipient's guide hands on
 * to the sender, IT or an email provider, so its endings offer no request to our support. Texts in `lng` (the
 * session's), errors as `handoff.request.errors.<field>.<problem>`.
 */
export async function handoffPart(
  ctx: Pick<AppContext, 'handoffs' | 'i18n'>,
  view: SessionView,
  lng: Language,
  actionUrl: string,
  typed?: HandoffTyped,
) {
  // Only escalated endings can offer it; which of them do (not the recipient's guide) is the service's rule.
  if (view.step.outcome !== 'escalated') return undefined;
  const [sent, open] = await Promise.all([ctx.handoffs.current(view.session.id), ctx.handoffs.canRequest(view.session.id)]);
  if (sent) return { sent: { ref: view.session.ref, hasEmail: Boolean(sent.story.email) } };
  if (!open) return undefined;
  const t = ctx.i18n.getFixedT(lng);
  const first = HANDOFF_FIELDS.find((f) => typed?.problems[f]);
  const field = (name: HandoffField) => {
    const problem = typed?.problems[name];
    return {
      value: typed?.values[name] ?? '',
      error: problem ? t(`handoff.request.errors.${name}.${problem}`, { max: MESSAGE_MAX.toLocaleString(lng) }) : undefined,
      // Without JavaScript, the browser puts the cursor in the first field to correct.
      autofocus: name === first,
    };
  };
  return {
    actionUrl: `${actionUrl}/handoff`,
    requireEmail: ctx.handoffs.requireEmail,
    messageMax: MESSAGE_MAX,
    messageMaxText: MESSAGE_MAX.toLocaleString(lng),
    hasErrors: Boolean(first),
    message: field('message'),
    email: field('email'),
    name: field('name'),
  };
}
