import { CHECK, CHECK_RESULT, CHECK_TYPES, OUTCOMES, type Facts } from '../../flows/types.ts';
import { optionsOf } from '../content/compile.ts';
import type { FlowDocument, StepTexts } from '../content/document.ts';
import { factUses, referrers, STEP_KINDS, STEP_TEXT_NAMES, type TextField } from '../content/edit.ts';
import { textFieldName } from '../content/draft-commands.ts';
import { missingTexts, staleTexts, type TextOrigins } from '../content/origins.ts';
import type { Problem } from '../content/validate.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../i18n/locales.ts';
import { documentSvg } from './flow-svg.ts';
import { stepMarks } from './step-marks.ts';
import { plainTextWithFacts, textPreviewHtml } from './step.ts';

/*
 * What the studio's draft pages show, built from a draft's document: the diagram with its problems marked and steps
 * as links, the list of steps, every problem with a link to where it is fixed, a step's options and texts in four
 * columns with a preview, and the facts with where each is used. Plain data for the templates; no I/O.
 */

/** Examples for `{{session.ref}}` and `{{session.domain}}` in a preview. */
const PREVIEW_SESSION = { ref: 'K7Q-4M2', domain: 'example.com' };

const base = (draftId: number) => `/admin/studio/drafts/${draftId}`;

/** A step's title in `lng` (else in the first language that has one), with its facts put in; '' when none has one. */
const stepTitle = (doc: FlowDocument, facts: Facts, lng: Language, step: string) => {
  for (const l of [lng, ...LANGUAGES]) {
    const t = (doc.texts[l] as Record<string, StepTexts | undefined>)[step]?.title;
    if (t?.trim()) return plainTextWithFacts(t, facts, l);
  }
  return '';
};

/** The guide's title in `lng`, with its facts put in. */
export const guideTitle = (doc: FlowDocument, facts: Facts, lng: Language) => plainTextWithFacts(doc.texts[lng].title, facts, lng) || doc.id;

/** The facts a text shows, in the order it shows them, each once. */
const factsIn = (text: string) => [...new Set([...text.matchAll(/\{\{\s*facts\.([A-Za-z0-9]+)\s*\}\}/g)].map((m) => m[1]!))];

/** Where a problem is fixed: the step's texts in its language, its options, the facts, or the guide's own texts. */
export function problemHref(draftId: number, p: Problem): string {
  if (p.path?.startsWith('facts.')) return `${base(draftId)}/facts#fact-${p.path.split('.')[1]}`;
  if (p.step) {
    const anchor = p.lng ? `#texts-${p.lng}` : p.event || p.path?.includes('.on') ? '#options' : '';
    return `${base(draftId)}/steps/${encodeURIComponent(p.step)}${anchor}`;
  }
  if (p.path?.startsWith('texts.')) return `${base(draftId)}#guide-texts`;
  return `${base(draftId)}#problems`;
}

export function diagramOf(doc: FlowDocument, facts: Facts, draftId: number, lng: Language, problems: Problem[], selected?: string) {
  return documentSvg(doc, {
    flowTitle: guideTitle(doc, facts, lng),
    title: (s) => stepTitle(doc, facts, lng, s),
    label: (s, e) => plainTextWithFacts((doc.texts[lng] as Record<string, StepTexts | undefined>)[s]?.options?.[e] ?? e, facts, lng),
    href: (s) => `${base(draftId)}/steps/${encodeURIComponent(s)}`,
    problems: stepMarks(problems),
    ...(selected ? { selected } : {}),
  });
}

/** The draft's overview: steps in order with their marks, problems with links, the guide's texts, what translations lack. */
export function draftView(doc: FlowDocument, origins: TextOrigins, facts: Facts, draftId: number, lng: Language, problems: Problem[], editable: readonly Language[]) {
  const marks = stepMarks(problems);
  const ids = Object.keys(doc.machine.states);
  return {
    svg: diagramOf(doc, facts, draftId, lng, problems),
    steps: ids.map((id, i) => {
      const state = doc.machine.states[id]!;
      return {
        id,
        title: stepTitle(doc, facts, lng, id),
        kind: state.meta.kind,
        outcome: state.meta.outcome,
        initial: id === doc.machine.initial,
        first: i === 0,
        last: i === ids.length - 1,
        marks: (marks.get(id) ?? []).map((m) => m.message),
      };
    }),
    problems: problems.map((p) => ({ message: p.message, href: problemHref(draftId, p) })),
    guideTexts: LANGUAGES.map((l) => ({
      lng: l,
      name: LANGUAGE_NAMES[l],
      editable: editable.includes(l),
      fields: (['title', 'summary', 'keywords'] as const).map((k) => ({ key: k, name: `${l}.${k}`, value: doc.texts[l][k], long: k !== 'title' })),
    })),
    translations: LANGUAGES.map((l) => ({ lng: l, name: LANGUAGE_NAMES[l], missing: missingTexts(doc, l).length, stale: staleTexts(doc, origins, l).length })),
    kinds: STEP_KINDS,
    outcomes: OUTCOMES,
  };
}

/** One step's editor: its kind, options and where they lead, check settings, and its texts in four columns. */
export function stepView(
  doc: FlowDocument,
  origins: TextOrigins,
  facts: Facts,
  draftId: number,
  step: string,
  lng: Language,
  problems: Problem[],
  editable: readonly Language[],
  /** Texts the person sent that were not saved (a conflict): shown in the fields instead of the draft's. */
  unsaved?: Record<string, unknown>,
) {
  const state = doc.machine.states[step]!;
  const final = state.type === 'final';
  const events = final ? [] : optionsOf(state);
  const targets = Object.keys(doc.machine.states).map((id) => ({ id, title: stepTitle(doc, facts, lng, id) || id }));
  const stale = new Map(LANGUAGES.map((l) => [l, new Set(staleTexts(doc, origins, l).map((s) => s.key))]));
  const stepProblems = problems.filter((p) => p.step === step);
  const options = events
    .filter((e) => e !== CHECK)
    .map((event, i, all) => ({
      event,
      label: plainTextWithFacts((doc.texts[lng] as Record<string, StepTexts | undefined>)[step]?.options?.[event] ?? '', facts, lng),
      target: typeof state.on?.[event] === 'string' ? (state.on[event] as string) : '',
      first: i === 0,
      last: i === all.length - 1,
    }));
  const routes = Array.isArray(state.on?.[CHECK_RESULT])
    ? (state.on![CHECK_RESULT] as { target: string; guard?: { type: string; params: { status: string[] } } }[]).map((r, index) => ({
        index,
        guard: r.guard ? `${r.guard.type}: ${r.guard.params.status.join(', ')}` : '',
        target: r.target,
      }))
    : [];
  const fields: { field: TextField; label: string; event?: string; long: boolean }[] = [
    ...STEP_TEXT_NAMES.map((name) => ({ field: { step, name } as TextField, label: name, long: name !== 'title' })),
    ...events.map((event) => ({ field: { step, option: event } as TextField, label: `option-${event}`, event, long: false })),
  ];
  const texts = LANGUAGES.map((l) => {
    const st = (doc.texts[l] as Record<string, StepTexts | undefined>)[step];
    const valueOf = (f: TextField) => {
      const name = textFieldName(l, f);
      if (unsaved && typeof unsaved[name] === 'string') return unsaved[name] as string;
      if ('name' in f) return st?.[f.name] ?? '';
      if ('option' in f) return st?.options?.[f.option] ?? '';
      return '';
    };
    const body = valueOf({ step, name: 'body' });
    return {
      lng: l,
      name: LANGUAGE_NAMES[l],
      editable: editable.includes(l),
      fields: fields.map(({ field, label, event, long }) => {
        const key = 'name' in field ? `${step}.${field.name}` : 'option' in field ? `${step}.options.${field.option}` : '';
        const value = valueOf(field);
        const saved = 'name' in field ? (st?.[field.name] ?? '') : 'option' in field ? (st?.options?.[field.option] ?? '') : '';
        return {
          name: textFieldName(l, field),
          id: `t-${l}-${label}`,
          label,
          event,
          check: event === CHECK,
          long,
          value,
          saved: unsaved && value !== saved ? saved : undefined,
          stale: stale.get(l)!.has(key),
          facts: factsIn(value),
          missing: label !== 'body_agent' && !value.trim(),
          optional: label === 'body_agent',
        };
      }),
      previewHtml: body.trim() ? textPreviewHtml(body, facts, l, PREVIEW_SESSION) : '',
      problems: stepProblems.filter((p) => p.lng === l).map((p) => p.message),
    };
  });
  const refs = referrers(doc, step);
  return {
    step: {
      id: step,
      title: stepTitle(doc, facts, lng, step),
      kind: state.meta.kind,
      outcome: state.meta.outcome,
      final,
      check: state.meta.check
        ? {
            type: state.meta.check.type,
            types: CHECK_TYPES.map((t) => ({ value: t, selected: t === state.meta.check!.type })),
            domain: state.meta.check.type === 'email-domain',
            includes: state.meta.check.includes.join('\n'),
            dmarc: state.meta.check.dmarc === true,
          }
        : undefined,
      initial: step === doc.machine.initial,
    },
    svg: diagramOf(doc, facts, draftId, lng, problems, step),
    options,
    routes,
    targets,
    texts,
    referrers: refs.map((r) => ({ step: r.step, title: stepTitle(doc, facts, lng, r.step) || r.step, event: r.event })),
    inUse: refs.some((r) => r.step !== step) || step === doc.machine.initial,
    problems: stepProblems.filter((p) => !p.lng).map((p) => p.message),
    kinds: STEP_KINDS.map((k) => ({ value: k, selected: k === state.meta.kind })),
    outcomes: OUTCOMES.map((o) => ({ value: o, selected: o === state.meta.outcome })),
    languages: LANGUAGES.map((l) => ({ value: l, name: LANGUAGE_NAMES[l], selected: l === lng })),
  };
}

/** The facts table: each fact's value as a form can edit it, and every text and check that uses it. */
export function factsView(doc: FlowDocument, draftId: number) {
  const uses = factUses(doc);
  return Object.entries(doc.facts).map(([name, value]) => {
    const where = uses.get(name) ?? [];
    const kind = typeof value === 'string' ? 'text' : Array.isArray(value) ? 'list' : 'guide' in value ? 'reference' : 'perLanguage';
    return {
      name,
      kind,
      isText: kind === 'text',
      isList: kind === 'list',
      isPerLanguage: kind === 'perLanguage',
      isReference: kind === 'reference',
      text: typeof value === 'string' ? value : '',
      list: Array.isArray(value) ? value.join('\n') : '',
      perLanguage: LANGUAGES.map((l) => ({ lng: l, name: LANGUAGE_NAMES[l], value: kind === 'perLanguage' ? ((value as Partial<Record<Language, string>>)[l] ?? '') : '' })),
      reference: kind === 'reference' ? (value as { guide: string; fact: string }) : undefined,
      uses: where.map((u) => ({
        lng: u.lng,
        key: u.key,
        href: `${base(draftId)}/steps/${encodeURIComponent(u.key.split('.')[0]!)}${u.lng ? `#texts-${u.lng}` : ''}`,
        guide: ['title', 'summary', 'keywords'].includes(u.key),
      })),
      inUse: where.length > 0,
    };
  });
}
