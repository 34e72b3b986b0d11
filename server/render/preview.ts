import type { TFunction } from 'i18next';
import { Lru } from '../checks/lru.ts';
import { compileDocument, linkedFacts } from '../content/compile.ts';
import type { FlowDocument } from '../content/document.ts';
import type { GuideFacts } from '../content/fact-refs.ts';
import { previewChoices, walkPreview, type PreviewChoice } from '../content/preview.ts';
import type { RegisteredFlow } from '../engine/flow-registry.ts';
import { createI18n } from '../i18n/i18n.ts';
import type { Language } from '../i18n/locales.ts';
import type { Audience } from '../store/types.ts';
import { forSession, StepRenderer, type StepView } from './step.ts';

/*
 * Drafts are shown with the participants' renderer, but never through the app's: the app's registry and its
 * i18next instance keep every version they meet for good, and a draft is a new version after every save. Each
 * draft content gets its own compiled machine and its own small i18next instance, kept in a small LRU cache by the
 * draft's content hash, so memory stays bounded however often drafts are saved and previewed.
 */

/** Drafts kept compiled at once: a handful of people previewing, each a few saves back. */
const CACHED_DRAFTS = 16;

/** What `{{session.ref}}` shows in a preview: the shape of a ref, plainly not a real one. */
export const PREVIEW_REF = 'ABC-123';

/** A draft ready to render: its compiled machine and a renderer whose i18next holds only its texts. */
export interface PreparedDraft {
  flow: RegisteredFlow;
  renderer: StepRenderer;
}

const NO_RESOURCES = { sv: {}, no: {}, de: {}, en: {} };

export class DraftPreviews {
  private readonly cache = new Lru<string, PreparedDraft>({ maxEntries: CACHED_DRAFTS });

  /** `others`: the current guides' facts, for a draft that shows another guide's fact. */
  constructor(private readonly others: GuideFacts) {}

  /** The draft compiled, or undefined when its machine cannot be built (a target that names no step, a missing fact). */
  prepare(draft: { hash: string; document: FlowDocument }): PreparedDraft | undefined {
    const known = this.cache.get(draft.hash);
    if (known) {
      // Another guide's fact may have been published since: the renderer keys its texts by what they show.
      const linked = linkedFacts(known.flow.document, known.flow.version, this.others);
      if (linked.renderKey === known.flow.renderKey) return known;
      const relinked = { ...known, flow: { ...known.flow, ...linked } };
      this.cache.set(draft.hash, relinked);
      return relinked;
    }
    let flow: RegisteredFlow;
    try {
      flow = compileDocument(draft.document, this.others);
    } catch {
      return undefined;
    }
    const prepared = { flow, renderer: new StepRenderer(createI18n(NO_RESOURCES)) };
    this.cache.set(draft.hash, prepared);
    return prepared;
  }
}

/** Where a check's route leads from, by its guard: `spfIs` reads the SPF part of the result. */
const PARTS: Record<string, string> = { spfIs: 'SPF', mxIs: 'MX', dmarcIs: 'DMARC' };

export interface PreviewChoiceView {
  label: string;
  href: string;
  /** A check's route (the preview's stand-in for a real check), not an option the person sees. */
  route: boolean;
}

export interface PreviewStepView {
  step: StepView;
  /** For the agent audience: what the participant reads at the same step, as the console shows beside it. */
  participantStep?: StepView;
  history: { title: string; answer: string }[];
  choices: PreviewChoiceView[];
  isCheck: boolean;
  outcomeLabel?: string;
  /** An escalated ending shows the participant the ref to give support (here the preview's stand-in). */
  showRef: boolean;
  backHref?: string;
  restartHref: string;
}

export interface PreviewWords {
  /** The `studio` namespace in the preview's language. */
  studio: TFunction;
  /** The `common` namespace in the preview's language. */
  common: TFunction;
}

/**
 * The step the path leads to, rendered as participants (or agents) see it, with every way on as a link to the
 * same preview one token longer. Throws the walk's 400 for a path the draft does not have.
 */
export function previewStep(
  prepared: PreparedDraft,
  tokens: readonly string[],
  lng: Language,
  audience: Audience,
  words: PreviewWords,
  href: (tokens: readonly string[]) => string,
): PreviewStepView {
  const { flow, renderer } = prepared;
  const doc = flow.document;
  const { step: stepId, trail } = walkPreview(doc, tokens);
  const domain = words.common('check.yourDomain');
  const step = forSession(renderer.step(flow, stepId, lng, audience), PREVIEW_REF, domain);
  const label = (at: string, choice: PreviewChoice) =>
    choice.kind === 'route' ? routeLabel(choice, words.studio) : renderer.answerLabel(flow, at, choice.event, lng, audience);
  return {
    step,
    ...(audience === 'agent' ? { participantStep: forSession(renderer.step(flow, stepId, lng, 'participant'), PREVIEW_REF, domain) } : {}),
    history: trail.map(({ step: at, choice }) => ({ title: renderer.text(flow, `${at}.title`, lng, audience), answer: label(at, choice) })),
    choices: previewChoices(doc, stepId).map((choice) => ({ label: label(stepId, choice), href: href([...tokens, choice.token]), route: choice.kind === 'route' })),
    isCheck: step.kind === 'check',
    ...(step.outcome ? { outcomeLabel: words.common(`session.outcome.${step.outcome}`) } : {}),
    showRef: audience === 'participant' && step.outcome === 'escalated',
    ...(tokens.length ? { backHref: href(tokens.slice(0, -1)) } : {}),
    restartHref: href([]),
  };
}

function routeLabel(choice: Extract<PreviewChoice, { kind: 'route' }>, studio: TFunction): string {
  if (!choice.guard) return studio('preview.checkAny');
  return studio('preview.checkFinds', { part: PARTS[choice.guard.type] ?? choice.guard.type, statuses: choice.guard.status.join(', ') });
}
