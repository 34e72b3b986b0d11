import type { TFunction } from 'i18next';
import type { SessionView } from '../engine/engine.ts';
import { bounceView } from './bounce.ts';
import { checkView } from './check.ts';
import { headersView } from './headers.ts';
import type { StepView } from './step.ts';

/*
 * The API's Session as JSON text, written directly: what `JSON.stringify(sessionJson(view, t))` gives
 * (server/routes/api.ts), byte for byte, without building the object first. The step is most of it (its body is
 * HTML to escape), and a step is the same for every session at it, so its JSON is kept with the step.
 */

/**
 * A step's JSON, kept beside the step object itself: the renderer keeps one object per version, step, language and
 * audience, so this holds one text per step it holds and lets go of the rest (a step with a session's ref put in
 * is an object of that request only).
 */
const stepJson = new WeakMap<StepView, string>();

function stepText(step: StepView): string {
  let text = stepJson.get(step);
  if (text === undefined) stepJson.set(step, (text = JSON.stringify(step)));
  return text;
}

const q = JSON.stringify;

/**
 * After a check step, the step with the check's verdicts in the session's language and the raw report (never the
 * same for two sessions, so never kept); undefined at every other step. One source for both ways the API writes it.
 */
export function checkedStep({ step, check, checkAsks, headersCheck, bounceCheck }: SessionView, t: TFunction) {
  if (check) return { ...step, check: { ...checkView(check, t, checkAsks), report: check } };
  if (headersCheck) return { ...step, check: { ...headersView(headersCheck, t), report: headersCheck } };
  if (bounceCheck) return { ...step, check: { ...bounceView(bounceCheck, t), report: bounceCheck } };
  return undefined;
}

/** The public Session shape (README: JSON API) as text; the test holds it to sessionJson's, for every step of every guide. */
export function sessionJsonText(view: SessionView, t: TFunction): string {
  const { session, step, history, lng, notice } = view;
  const checked = checkedStep(view, t);
  let out = `{"sessionId":${q(session.id)},"ref":${q(session.ref)},"flowId":${q(session.flowId)},"lng":${q(lng)},"audience":${q(session.audience)},"status":${q(session.status)}`;
  if (session.outcome) out += `,"outcome":${q(session.outcome)}`;
  out += `,"step":${checked ? q(checked) : stepText(step)},"history":[`;
  for (let i = 0; i < history.length; i++) {
    const { stepId, title, answer } = history[i]!;
    out += `${i ? ',' : ''}{"stepId":${q(stepId)},"title":${q(title)},"answer":${q(answer)}}`;
  }
  out += ']';
  if (notice) out += `,"notice":${q(notice)}`;
  return `${out}}`;
}
