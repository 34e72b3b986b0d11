import MiniSearch from 'minisearch';
import { stemmer as stemDe } from '@orama/stemmers/german';
import { stemmer as stemEn } from '@orama/stemmers/english';
import { stemmer as stemNo } from '@orama/stemmers/norwegian';
import { stemmer as stemSv } from '@orama/stemmers/swedish';
import { stopwords as stopDe } from '@orama/stopwords/german';
import { stopwords as stopEn } from '@orama/stopwords/english';
import { stopwords as stopNo } from '@orama/stopwords/norwegian';
import { stopwords as stopSv } from '@orama/stopwords/swedish';
import type { FlowRegistry, RegisteredFlow } from '../engine/flow-registry.ts';
import { LANGUAGES, type Language } from '../i18n/locales.ts';
import { REF_MARK, type StepRenderer } from '../render/step.ts';
import { RECIPIENT_FLOW_IDS } from '../../flows/index.ts';

export interface SearchHit {
  flowId: string;
  /** The step inside the flow that fits the words best, when it is not the flow's first step. */
  stepId?: string;
  title: string;
  stepTitle?: string;
  snippet: string;
}

/** A document a query found: its score, and which of the query's words it has. */
interface Scored {
  doc: Doc;
  score: number;
  terms: string[];
  hit: boolean[];
}

interface Doc {
  id: string;
  flowId: string;
  stepId?: string;
  title: string;
  text: string;
  options: string;
  /** Words people use for this problem that the texts may not (`<flow-id>:keywords`); flow documents only. */
  keywords: string;
}

const STEMMERS: Record<Language, (w: string) => string> = { sv: stemSv, no: stemNo, de: stemDe, en: stemEn };
/*
 * "I never got the invitation" and "the participant never got the invitation" differ only in who speaks: the first
 * person is what tells the recipient's guide from the sender's, so these words are searched, not dropped.
 */
const FIRST_PERSON: Record<Language, string[]> = {
  sv: ['jag', 'mig', 'min', 'mitt', 'mina'],
  no: ['jeg', 'meg', 'min', 'mitt', 'mine'],
  de: ['ich', 'mich', 'mir', 'mein', 'meine', 'meinen', 'meiner'],
  en: ['i', 'me', 'my'],
};
/*
 * Of those, the ones that say the person speaks of themself as the one who did or did not get something ("I never
 * got", "send me"). A possessive does not: "my invoice" and "my participants" are as often the sender's words.
 */
const SPEAKER: Record<Language, string[]> = { sv: ['jag', 'mig'], no: ['jeg', 'meg'], de: ['ich', 'mich', 'mir'], en: ['i', 'me'] };
const stopWords = (words: string[], lng: Language) => new Set(words.filter((w) => !FIRST_PERSON[lng].includes(w)));
const STOPWORDS: Record<Language, Set<string>> = {
  sv: stopWords(stopSv, 'sv'),
  no: stopWords(stopNo, 'no'),
  de: stopWords(stopDe, 'de'),
  en: stopWords(stopEn, 'en'),
};

/** People type without diacritics on foreign keyboards: "skrappost" must find "skräppost", "loschen" "löschen". */
export function fold(s: string): string {
  return s
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[øœ]/g, 'o')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
}

/**
 * A word as the index sees it: lower case, stop words dropped, stemmed for the language, then folded. The stem of
 * the folded word and the folded word itself are kept too: a stemmer may cut a typed "enkat" to "enk" where it
 * leaves "enkät" whole.
 */
export function termsFor(lng: Language) {
  const stem = STEMMERS[lng];
  const stop = STOPWORDS[lng];
  const keep = new Set(FIRST_PERSON[lng]);
  const one = (term: string): string[] | null => {
    const lower = term.toLowerCase();
    if ((lower.length < 2 && !keep.has(lower)) || stop.has(lower)) return null;
    const folded = fold(lower);
    const terms = new Set([fold(stem(lower)), fold(stem(folded)), folded]);
    return [...terms];
  };
  // "e-post", "Spam-Ordner": the word written together ("epost", "spamordner") and each of its parts.
  return (term: string): string[] | null => {
    if (!term.includes('-')) return one(term);
    const forms = [term.replace(/-/g, ''), ...term.split('-')].flatMap((t) => one(t) ?? []);
    return forms.length ? [...new Set(forms)] : null;
  };
}

const TOKENS = /[\p{L}\p{N}]+(?:[-.@][\p{L}\p{N}]+)*/gu;
const tokenize = (text: string) => text.match(TOKENS) ?? [];

/** Markdown and HTML reduced to the words a person reads. */
function plain(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replaceAll(REF_MARK, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,;:!?)])/g, '$1')
    .trim();
}

/** Below this a match is noise: a stray fuzzy hit on a nonsense word. */
const MIN_SCORE = 2.5;
/** Flows scoring under this share of the best one are not worth showing. */
const RELATIVE_CUTOFF = 0.2;
/** A match in another language than the visitor's counts, but less. */
const OTHER_LANGUAGE_WEIGHT = 0.7;
/*
 * The recipient's guide repeats the senders' guides' words (it gives their articles' advice), so words alone cannot
 * tell them apart: who speaks does. "payslip not received" is as likely the employer's; "where is my payslip" is
 * the employee's. The recipient's guide counts this much more when the person speaks of themself, and less when not.
 */
const RECIPIENT_GUIDE_WEIGHT = { ofThemself: 1.5, otherwise: 0.35 };

/*
 * Words that say only that an email is missing, not which step of a guide is meant: "jag får inga mejl", "I never
 * got the email", "ich bekomme keine Mails". Every guide is about this; a query of such words (and first-person
 * words and stop words) names no step, so its hits start at each guide's beginning, which asks the way from there.
 * Checked in every language's form, as a query is run against every language's index.
 */
const GENERIC: Record<Language, string[]> = {
  sv: ['mejl', 'mejlet', 'mejlen', 'mail', 'e-post', 'epost', 'email', 'får', 'fått', 'fick', 'kommer', 'kom', 'fram', 'aldrig', 'saknas', 'inget', 'ingen', 'inga'],
  no: ['e-post', 'e-posten', 'epost', 'mail', 'mailen', 'får', 'fått', 'fikk', 'kommer', 'kom', 'frem', 'fram', 'aldri', 'mangler', 'ingen'],
  de: ['mail', 'mails', 'e-mail', 'e-mails', 'email', 'bekommen', 'bekomme', 'erhalten', 'kommt', 'angekommen', 'nie', 'fehlt', 'keine', 'kein'],
  en: ['email', 'emails', 'e-mail', 'mail', 'mails', 'get', 'got', 'getting', 'receive', 'received', 'receiving', 'arrive', 'arriving', 'arrived', 'never', 'missing', 'no', 'not'],
};
/**
 * A hit starts deep inside a guide, at a step rather than its beginning (its title, summary and keywords, and its
 * first step), only when the words clearly fit that step better: the step alone has every word the guide matches,
 * at least one of them names something (is not one of the GENERIC words or a first-person word), and the step
 * scores at least DEEP_START_MARGIN times what the beginning scores.
 */
export const DEEP_START_MARGIN = 1.2;

/**
 * "Describe your problem": finds the flows, and the step inside a flow, that fit a visitor's own words. One
 * MiniSearch index per language, built from the same texts the steps show (at start-up, and again whenever a guide
 * is published or added); a query is run against all four, so a German query on the Swedish page still finds its
 * flow.
 */
export class FlowSearch {
  private indexes = new Map<Language, MiniSearch<Doc>>();
  private readonly processors = new Map<Language, (term: string) => string[] | null>(LANGUAGES.map((lng) => [lng, termsFor(lng)]));
  private docs = new Map<string, Doc>();
  /** Per index language: the forms of the GENERIC and first-person words of every language, as that index sees them. */
  private readonly generic = new Map<Language, Set<string>>(
    LANGUAGES.map((lng) => {
      const process = this.processors.get(lng)!;
      const words = LANGUAGES.flatMap((l) => [...GENERIC[l], ...FIRST_PERSON[l]]);
      return [lng, new Set(words.flatMap((w) => process(w) ?? []))];
    }),
  );

  constructor(
    private readonly flows: FlowRegistry,
    private readonly renderer: StepRenderer,
  ) {
    this.rebuild();
  }

  /**
   * Indexes the current version of every guide. The app calls it whenever the registry's current set changes (a
   * guide published or added); the new indexes replace the old ones at once, so a search never sees half of them.
   */
  rebuild(): void {
    const indexes = new Map<Language, MiniSearch<Doc>>();
    const docs = new Map<string, Doc>();
    for (const lng of LANGUAGES) {
      const index = new MiniSearch<Doc>({
        fields: ['title', 'text', 'options', 'keywords'],
        storeFields: [],
        tokenize,
        processTerm: this.processors.get(lng)!,
        searchOptions: {
          boost: { title: 2.5, text: 1, options: 1.2, keywords: 2 },
          prefix: (term) => term.length >= 4,
          fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
          maxFuzzy: 2,
          combineWith: 'OR',
        },
      });
      const forLanguage = this.flows.list.flatMap((flow) => this.documents(flow, lng));
      for (const d of forLanguage) docs.set(`${lng}:${d.id}`, d);
      index.addAll(forLanguage);
      indexes.set(lng, index);
    }
    this.indexes = indexes;
    this.docs = docs;
  }

  private documents(flow: RegisteredFlow, lng: Language): Doc[] {
    const docs: Doc[] = [
      {
        id: flow.id,
        flowId: flow.id,
        title: this.renderer.text(flow, 'title', lng),
        text: this.renderer.text(flow, 'summary', lng),
        options: '',
        keywords: this.renderer.text(flow, 'keywords', lng),
      },
    ];
    for (const state of Object.keys(flow.machine.states)) {
      const step = this.renderer.step(flow, state, lng, 'participant');
      docs.push({
        id: `${flow.id}#${state}`,
        flowId: flow.id,
        stepId: state,
        title: step.title,
        text: plain(step.bodyHtml),
        options: step.options.map((o) => o.label).join(' · '),
        keywords: '',
      });
    }
    return docs;
  }

  search(query: string, lng: Language, limit = 5): SearchHit[] {
    const text = query.slice(0, 300);
    const best = new Map<string, { score: number; doc: Doc; terms: string[] }>();
    for (const [indexLng, index] of this.indexes) {
      const weight = indexLng === lng ? 1 : OTHER_LANGUAGE_WEIGHT;
      // Each word the person typed, as the index of this language sees it (stop words gone).
      const words = tokenize(text)
        .map((w) => this.processors.get(indexLng)!(w))
        .filter((forms): forms is string[] => forms !== null);
      if (words.length === 0) continue;
      const ofThemself = tokenize(text).some((w) => SPEAKER[indexLng].includes(w.toLowerCase()));
      const covered = (queryTerms: string[]) =>
        words.map((forms) => forms.some((f) => queryTerms.includes(f)));
      // Coverage counts per flow: the word naming the problem may sit in a flow's keywords and the symptom in
      // one of its steps. A flow matching all the words beats one matching one common word many times.
      // Which words name something: a step is started at only for one of these (see DEEP_START_MARGIN).
      const generic = this.generic.get(indexLng)!;
      const naming = words.map((forms) => !forms.some((f) => generic.has(f)));
      const perFlow = new Map<string, { docs: Scored[]; words: boolean[] }>();
      for (const r of index.search(text)) {
        const doc = this.docs.get(`${indexLng}:${r.id}`)!;
        const hit = covered(r.queryTerms);
        const docCoverage = hit.filter(Boolean).length / words.length;
        const entry = perFlow.get(doc.flowId) ?? { docs: [], words: words.map(() => false) };
        entry.docs.push({ doc, score: r.score * docCoverage, terms: r.terms, hit });
        entry.words = entry.words.map((w, i) => w || hit[i]!);
        perFlow.set(doc.flowId, entry);
      }
      for (const [flowId, { docs, words: flowWords }] of perFlow) {
        const top = docs.reduce((a, b) => (b.score > a.score ? b : a));
        const coverage = flowWords.filter(Boolean).length / words.length;
        const speaker = RECIPIENT_FLOW_IDS.includes(flowId) ? RECIPIENT_GUIDE_WEIGHT[ofThemself ? 'ofThemself' : 'otherwise'] : 1;
        const score = top.score * weight * speaker * coverage ** 2;
        const current = best.get(flowId);
        if (score >= MIN_SCORE && (!current || score > current.score)) {
          const deep = this.deepStart(flowId, docs, flowWords, naming);
          best.set(flowId, { score, doc: deep?.doc ?? this.docs.get(`${indexLng}:${flowId}`)!, terms: top.terms });
        }
      }
    }
    const ranked = [...best.values()].sort((a, b) => b.score - a.score);
    const top = ranked[0]?.score ?? 0;
    return ranked
      .filter((r) => r.score >= top * RELATIVE_CUTOFF)
      .slice(0, limit)
      .map(({ doc, terms }) => this.hit(doc, terms, lng));
  }

  /** The step a flow's hit starts at, when the words clearly fit it better than the beginning (see DEEP_START_MARGIN). */
  private deepStart(flowId: string, docs: Scored[], flowWords: boolean[], naming: boolean[]): Scored | undefined {
    const flow = this.flows.get(flowId)!;
    const atBeginning = (d: Scored) => {
      const step = d.doc.stepId && this.flows.entryStep(flow, d.doc.stepId);
      return !step || step === flow.initial;
    };
    const candidate = docs.filter((d) => !atBeginning(d)).reduce<Scored | undefined>((a, b) => (!a || b.score > a.score ? b : a), undefined);
    if (!candidate) return undefined;
    const beginning = Math.max(0, ...docs.filter(atBeginning).map((d) => d.score));
    const hasAll = flowWords.every((w, i) => !w || candidate.hit[i]);
    const names = candidate.hit.some((h, i) => h && naming[i]);
    return hasAll && names && candidate.score >= DEEP_START_MARGIN * beginning ? candidate : undefined;
  }

  private hit(doc: Doc, terms: string[], lng: Language): SearchHit {
    // The indexed version is the current one: the index is rebuilt whenever that changes.
    const flow = this.flows.get(doc.flowId)!;
    const entry = doc.stepId ? this.flows.entryStep(flow, doc.stepId) : undefined;
    const inFlow = entry && entry !== flow.initial ? entry : undefined;
    const source = inFlow ? this.docs.get(`${lng}:${flow.id}#${inFlow}`)! : this.docs.get(`${lng}:${flow.id}`)!;
    return {
      flowId: flow.id,
      ...(inFlow ? { stepId: inFlow, stepTitle: source.title } : {}),
      title: this.renderer.text(flow, 'title', lng),
      snippet: excerpt(source.text, terms),
    };
  }
}

/** About 160 characters of the text around the first matched word, on word boundaries. */
export function excerpt(text: string, terms: string[], length = 160): string {
  if (text.length <= length) return text;
  const folded = fold(text);
  const at = terms.map((t) => folded.indexOf(t)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0;
  let start = Math.max(0, at - 40);
  if (start > 0) start = text.indexOf(' ', start) + 1;
  let end = Math.min(text.length, start + length);
  if (end < text.length) end = text.lastIndexOf(' ', end);
  return `${start > 0 ? '… ' : ''}${text.slice(start, end).trim()}${end < text.length ? ' …' : ''}`;
}
