import { CHECK, CHECK_RESULT } from '../../flows/types.ts';
import { AppError } from '../http/errors.ts';
import { optionsOf } from './compile.ts';
import type { FlowDocument, StateDocument } from './document.ts';

/*
 * A preview of a draft keeps nothing: the way taken is the URL's `path`, a list of tokens joined by dots, each an
 * option's event (`FOUND_IN_SPAM`) or, where the real guide runs a check, one route of the check's result by its
 * index (`CHECK_RESULT~2`). The step shown is the one those tokens lead to from the first step, so Back is the path
 * without its last token and Start over the empty path. The walk reads the document itself: a check's routes are
 * followed to their targets directly, with no DNS lookup and no result data for guards to read.
 */

/** Tokens a path holds at most: far more than any guide's longest way, few enough that a URL stays short. */
export const PREVIEW_PATH_MAX = 200;

const TOKEN = /^([A-Z][A-Z0-9_]*)(?:~(\d{1,2}))?$/;

/** A guarded route's condition as a document writes it: `spfIs` with the statuses that take the route. */
export interface RouteGuard {
  type: string;
  status: string[];
}

/** One way on from a step: an option (an event with one target) or one route of a check's result. */
export type PreviewChoice =
  | { kind: 'option'; token: string; event: string; target: string }
  | { kind: 'route'; token: string; event: string; index: number; guard?: RouteGuard; target: string };

/** The tokens of a `path` query value; 400 when it is not a path (a wrong token, more than PREVIEW_PATH_MAX). */
export function parsePreviewPath(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value !== 'string') throw new AppError(400, 'invalid_input', 'path: give one path of events joined by dots.');
  const tokens = value.split('.');
  if (tokens.length > PREVIEW_PATH_MAX) throw new AppError(400, 'invalid_input', `path: at most ${PREVIEW_PATH_MAX} steps can be previewed in one path.`);
  const wrong = tokens.find((token) => !TOKEN.test(token));
  if (wrong !== undefined) throw new AppError(400, 'invalid_input', `path: "${wrong.slice(0, 60)}" is not an event.`);
  return tokens;
}

/** The path tokens as a `path` query value. */
export const previewPath = (tokens: readonly string[]) => tokens.join('.');

/**
 * The ways on from a step, in the order the page shows them. A check step offers, in place of its CHECK (a domain
 * the person types), each route of its CHECK_RESULT, then its other options. An option whose `on` lists guarded
 * routes is sent without result data in the real guide, so no guard holds and its first unguarded route is taken.
 */
export function previewChoices(doc: FlowDocument, stepId: string): PreviewChoice[] {
  const state = doc.machine.states[stepId];
  if (!state || state.type === 'final') return [];
  const choices: PreviewChoice[] = [];
  for (const event of optionsOf(state)) {
    if (event === CHECK) {
      choices.push(...checkRoutes(state));
      continue;
    }
    const to = state.on?.[event];
    const target = typeof to === 'string' ? to : to?.find((route) => !route.guard)?.target;
    if (target !== undefined) choices.push({ kind: 'option', token: event, event, target });
  }
  return choices;
}

function checkRoutes(state: StateDocument): PreviewChoice[] {
  const to = state.on?.[CHECK_RESULT];
  if (to === undefined) return [];
  const routes = typeof to === 'string' ? [{ target: to }] : to;
  return routes.map((route, index) => ({
    kind: 'route',
    token: `${CHECK_RESULT}~${index}`,
    event: CHECK_RESULT,
    index,
    ...('guard' in route && route.guard ? { guard: { type: route.guard.type, status: [...route.guard.params.status] } } : {}),
    target: route.target,
  }));
}

/** One step of the way taken: the step, and the choice that left it. */
export interface PreviewTrailEntry {
  step: string;
  choice: PreviewChoice;
}

/**
 * Follows the tokens from the document's first step: the step reached and the way there. A token that is not a
 * way on from the step it meets (a link followed after the draft changed, or an edited URL) is a 400 naming both.
 */
export function walkPreview(doc: FlowDocument, tokens: readonly string[]): { step: string; trail: PreviewTrailEntry[] } {
  let step = doc.machine.initial;
  const trail: PreviewTrailEntry[] = [];
  for (const token of tokens) {
    const choice = previewChoices(doc, step).find((c) => c.token === token);
    if (!choice) throw new AppError(400, 'event_not_allowed', `"${token}" is not an option of the step "${step}" (after ${trail.length} answers).`);
    trail.push({ step, choice });
    step = choice.target;
  }
  return { step, trail };
}
