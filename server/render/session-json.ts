import type { TFunction } from 'i18next';
import type { SessionView } from '../engine/engine.ts';
import { checkView } from './check.ts';
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

/** The public Session shape (README: JSON API) as text; the test holds it to sessionJson's, for every step of every guide. */
export function sessionJsonText({ session, step, history, lng, notice, check, checkAsks }: SessionView, t: TFunction): string {
  let out = `{"sessionId":${q(session.id)},"ref":${q(session.ref)},"flowId":${q(session.flowId)},"lng":${q(lng)},"audience":${q(session.audience)},"status":${q(session.status)}`;
  if (session.outcome) out += `,"outcome":${q(session.outcome)}`;
  // After a check step, the step carries the verdicts in the session's language and the raw report: never the same.
  out += `,"step":${check ? q({ ...step, check: { ...checkView(check, t, checkAsks), report: check } }) : stepText(step)},"history":[`;
  for (let i = 0; i < history.length; i++) {
    const { stepId, title, answer } = history[i]!;
    out += `${i ? ',' : ''}{"stepId":${q(stepId)},"title":${q(title)},"answer":${q(answer)}}`;
  }
  out += ']';
  if (notice) out += `,"notice":${q(notice)}`;
  return `${out}}`;
}
