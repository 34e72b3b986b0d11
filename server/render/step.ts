import type { i18n } from 'i18next';
import type { CheckType, Facts, Outcome, StepKind } from '../../flows/types.ts';
import { factIn } from '../content/document.ts';
import { stepMeta, type RegisteredFlow } from '../engine/flow-registry.ts';
import { addFlowTexts, tFor } from '../i18n/i18n.ts';
import type { Language } from '../i18n/locales.ts';
import type { Audience } from '../store/types.ts';
import { escapeHtml, renderMarkdown } from './markdown.ts';

export interface StepOptionView {
  event: string;
  label: string;
}

/** The step as the public contract shows it. */
export interface StepView {
  id: string;
  kind: StepKind;
  /** At a check step: which check it runs, so the page shows its field (a domain, or a box for pasted headers). */
  checkType?: CheckType;
  title: string;
  bodyHtml: string;
  options: StepOptionView[];
  outcome?: Outcome;
  final: boolean;
}

/*
 * Facts reach a Markdown body as private-use placeholders and are put back, HTML-escaped, after rendering. A value
 * such as `_spf.example.com` or `v=spf1 a mx ~all` is then shown exactly as written, whether the translator put it
 * in running text, a code span or a code block: Markdown never gets the chance to read `_` or `*` in it.
 * Lists become bullet lists of code items, as addresses and IPs are meant to be copied.
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;
/*
 * A list fact's second and later items start with this mark, so they can take the prefix of the line the
 * placeholder stood on: a list in a quoted message (`> {{facts.ips}}`) or an indented list item stays inside it.
 */
const CONTINUED = '\uE003';
const CONTINUED_LINE = /^\uE003/;
const LINE_PREFIX = /^(?:[ \t]*>[ \t]?)*[ \t]*/;

/*
 * `{{session.ref}}` in a body (a ready-to-send message that names the session) is the one text that differs per
 * session. Steps are rendered and cached per version, so the body keeps this mark and `forSession` puts the session's
 * ref in when a session is shown.
 */
export const REF_MARK = '\uE002';
/*
 * `{{session.domain}}` in a body is the domain the session's check looked up (a sender address built from an
 * article's pattern, such as NOREPLY@<their domain>), or the words for "your domain" before any check.
 */
export const DOMAIN_MARK = '\uE004';

/** The step as one session shows it: its ref, and the domain it checked, where the body asks for them. */
export function forSession(step: StepView, ref: string, domain?: string): StepView {
  let bodyHtml = step.bodyHtml;
  if (bodyHtml.includes(REF_MARK)) bodyHtml = bodyHtml.replaceAll(REF_MARK, escapeHtml(ref));
  if (domain !== undefined && bodyHtml.includes(DOMAIN_MARK)) bodyHtml = bodyHtml.replaceAll(DOMAIN_MARK, escapeHtml(domain));
  return bodyHtml === step.bodyHtml ? step : { ...step, bodyHtml };
}

/** Lines a list fact continued get the prefix (quote marks, indent) of the line the list started on. */
function continueLists(source: string): string {
  if (!source.includes(CONTINUED)) return source;
  let prefix = '';
  return source
    .split('\n')
    .map((line) => {
      if (!CONTINUED_LINE.test(line)) {
        prefix = LINE_PREFIX.exec(line)![0];
        return line;
      }
      return prefix + line.slice(1);
    })
    .join('\n');
}

function factPlaceholders(facts: Facts, lng: Language) {
  const values: string[] = [];
  const forMarkdown: Record<string, string> = {};
  const plain: Record<string, string> = {};
  for (const [name, fact] of Object.entries(facts)) {
    const value = factIn(fact, lng);
    if (typeof value === 'string') {
      forMarkdown[name] = `${OPEN}${values.push(value) - 1}${CLOSE}`;
      plain[name] = value;
    } else {
      forMarkdown[name] = value.map((v) => `- \`${OPEN}${values.push(v) - 1}${CLOSE}\``).join(`\n${CONTINUED}`);
      plain[name] = value.join(', ');
    }
  }
  return { values, forMarkdown, plain };
}

/*
 * Every cache below is keyed by the flow's render key (its version, its content hash, plus the values it shows of
 * other guides), never its id: two versions of one guide, one for sessions pinned to it and one for new sessions,
 * never share a text, and a guide shows another guide's fact as that guide states it now.
 */
export class StepRenderer {
  /** Steps are pure functions of flow version, state, language and audience, so each is rendered once. */
  private readonly cache = new Map<string, StepView>();
  private readonly facts = new Map<string, ReturnType<typeof factPlaceholders>>();
  /** Plain texts (titles, answer labels) are as pure as steps; history lists ask for the same ones on every request. */
  private readonly texts = new Map<string, string>();
  /** The versions whose texts this renderer's i18next instance holds. */
  private readonly loaded = new Set<string>();

  constructor(private readonly i18n: i18n) {}

  private factsOf(flow: RegisteredFlow, lng: Language) {
    const id = `${flow.renderKey}\u0000${lng}`;
    let f = this.facts.get(id);
    if (!f) this.facts.set(id, (f = factPlaceholders(flow.facts, lng)));
    return f;
  }

  /**
   * The flow's texts come with its document, so they reach i18next (under the version's namespace) when a version
   * is first shown: any registry's flow renders on any app's instance, without wiring one to the other.
   */
  private t(flow: RegisteredFlow, lng: Language) {
    if (!this.loaded.has(flow.ns)) {
      addFlowTexts(this.i18n, flow.ns, flow.document.texts);
      this.loaded.add(flow.ns);
    }
    return tFor(this.i18n, lng, flow.ns);
  }

  /** A text of the flow in plain form (for titles, labels and transcripts). */
  text(flow: RegisteredFlow, key: string, lng: Language, audience: Audience = 'participant'): string {
    const id = `${flow.renderKey}\u0000${key}\u0000${lng}\u0000${audience}`;
    let text = this.texts.get(id);
    if (text === undefined) {
      const { plain } = this.factsOf(flow, lng);
      text = this.t(flow, lng)(key, { facts: plain, context: audience === 'agent' ? 'agent' : undefined });
      this.texts.set(id, text);
    }
    return text;
  }

  /** A Markdown text of the flow rendered to safe HTML, with facts shown exactly. */
  html(flow: RegisteredFlow, key: string, lng: Language, audience: Audience = 'participant'): string {
    const { values, forMarkdown } = this.factsOf(flow, lng);
    const source = this.t(flow, lng)(key, { facts: forMarkdown, session: { ref: REF_MARK, domain: DOMAIN_MARK }, context: audience === 'agent' ? 'agent' : undefined });
    return renderMarkdown(continueLists(source)).replace(PLACEHOLDER, (_, i: string) => escapeHtml(values[Number(i)]!));
  }

  step(flow: RegisteredFlow, state: string, lng: Language, audience: Audience): StepView {
    const key = `${flow.renderKey}\u0000${state}\u0000${lng}\u0000${audience}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const meta = stepMeta(flow, state);
    if (!meta) throw new Error(`flow ${flow.id} has no state ${state}`);
    const view: StepView = {
      id: state,
      kind: meta.kind,
      ...(meta.check ? { checkType: meta.check.type } : {}),
      title: this.text(flow, `${state}.title`, lng, audience),
      bodyHtml: this.html(flow, `${state}.body`, lng, audience),
      options: (meta.options ?? []).map(({ event }) => ({
        event,
        label: this.text(flow, `${state}.options.${event}`, lng, audience),
      })),
      ...(meta.outcome ? { outcome: meta.outcome } : {}),
      final: flow.machine.states[state]!.type === 'final',
    };
    this.cache.set(key, view);
    return view;
  }

  /** A text of the `common` namespace (the app's own words, not a flow's). */
  common(key: string, lng: Language, values: Record<string, unknown> = {}): string {
    return tFor(this.i18n, lng)(key, values);
  }

  answerLabel(flow: RegisteredFlow, state: string, event: string, lng: Language, audience: Audience): string {
    return this.text(flow, `${state}.options.${event}`, lng, audience);
  }
}

/** A `{{…}}` placeholder of a guide's text, as i18next reads it: a fact, or the session's ref or domain. */
const TEXT_PLACEHOLDER = /\{\{\s*(facts\.[A-Za-z0-9]+|session\.ref|session\.domain)\s*\}\}/g;

/**
 * One text of a guide being edited, rendered as a step shows it (Markdown, facts exactly as written, lists as code
 * bullets), without the text being in any i18next namespace: a draft changes with every save, and its texts must not
 * pile up in the app's instance. `session` fills the session's ref and domain with examples.
 */
export function textPreviewHtml(text: string, facts: Facts, lng: Language, session: { ref: string; domain: string }): string {
  const { values, forMarkdown } = factPlaceholders(facts, lng);
  const source = text.replace(TEXT_PLACEHOLDER, (whole, name: string) => {
    if (name === 'session.ref') return REF_MARK;
    if (name === 'session.domain') return DOMAIN_MARK;
    return forMarkdown[name.slice('facts.'.length)] ?? whole;
  });
  return renderMarkdown(continueLists(source))
    .replace(PLACEHOLDER, (_, i: string) => escapeHtml(values[Number(i)]!))
    .replaceAll(REF_MARK, escapeHtml(session.ref))
    .replaceAll(DOMAIN_MARK, escapeHtml(session.domain));
}

/** A title or label of a guide being edited, as plain text with its facts put in (as a step shows it). */
export function plainTextWithFacts(text: string, facts: Facts, lng: Language): string {
  if (!text.includes('{{')) return text;
  const { plain } = factPlaceholders(facts, lng);
  return text.replace(TEXT_PLACEHOLDER, (whole, name: string) => (name.startsWith('facts.') ? (plain[name.slice('facts.'.length)] ?? whole) : whole));
}
