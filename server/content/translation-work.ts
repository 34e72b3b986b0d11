import { AppError } from '../http/errors.ts';
import { LANGUAGES, type Language } from '../i18n/locales.ts';
import type { DraftRecord } from '../store/types.ts';
import { compareDocuments, wordDiff, type WordPart } from './compare.ts';
import type { FlowDocument } from './document.ts';
import type { DraftService } from './drafts.ts';
import { referencesOf } from './fact-refs.ts';
import { expectedKeys, missingTexts, staleTexts, type StaleText, type TextOrigins } from './origins.ts';
import type { ContentService, Editor } from './service.ts';
import { setTextAt, textAt } from './text-keys.ts';
import { translatorNotes, unitsOf, type VersionedDocument } from './translation.ts';

/*
 * A translator's work in the studio (README: "The studio"): per guide and language, the texts that are missing and
 * the texts that are stale (their source changed after they were translated, origins.ts), and saving a translation
 * or a "still correct" into the person's own draft of the guide.
 *
 * Everything is computed on the guide's **working state** for that person: their open draft of the guide (the one
 * they started; the newest if several), else the latest published version. So what they translated is no longer
 * listed, though it is not published yet: the draft page publishes it. The first save starts that draft.
 */

/** A guide's texts as one person works on them. */
export interface WorkingState {
  flowId: string;
  document: FlowDocument;
  origins: TextOrigins;
  /** The person's open draft of the guide, when they have one; without it the texts are the latest version's. */
  draft?: DraftRecord;
  /** The guide's latest published version (what a new draft would start from). */
  version: number;
}

export type WorkKind = 'missing' | 'stale';

/** One text to translate: missing, or stale with what it was translated from and the source now. */
export interface WorkItem {
  key: string;
  kind: WorkKind;
  stale?: StaleText;
}

/** Where a save or confirmation was made: the draft and revision the page showed, or (without a draft) the version. */
export interface WorkedOn {
  draftId?: number;
  revision?: number;
  version?: number;
}

/** Everything the focused view shows of one text. */
export interface FocusedText {
  key: string;
  kind?: WorkKind;
  /** The language translated from and its text now; absent when no other language has the text. */
  source?: { lng: Language; text: string };
  /** For a stale text: the source text it was translated from, and the word diff from that to the source now. */
  was?: string;
  diff?: WordPart[];
  /** The text in the target language now (in the working state). */
  target?: string;
  /** Translator notes for this text: its own (locales/context.json), fact values, the agent wording's. */
  notes: string[];
}

const written = (doc: FlowDocument, lng: Language, key: string) => {
  const text = textAt(doc, lng, key);
  return text !== undefined && text.trim() !== '' ? text : undefined;
};

/** The missing and stale texts of a language, in reading order (a text is one or the other: a stale text exists). */
export function workItems(doc: FlowDocument, origins: TextOrigins, lng: Language): WorkItem[] {
  const missing = new Set(missingTexts(doc, lng));
  const stale = new Map(staleTexts(doc, origins, lng).map((s) => [s.key, s]));
  return expectedKeys(doc).flatMap((key): WorkItem[] => {
    if (missing.has(key)) return [{ key, kind: 'missing' }];
    const s = stale.get(key);
    return s ? [{ key, kind: 'stale', stale: s }] : [];
  });
}

/**
 * The item to work on after `key`: the first one after it in reading order. None when the rest is done (the list
 * then shows what the person skipped, if anything), so a save never sends them back to a text they passed over.
 */
export function nextItem(doc: FlowDocument, items: readonly WorkItem[], key: string): WorkItem | undefined {
  const order = expectedKeys(doc);
  const at = order.indexOf(key);
  return items.find((i) => order.indexOf(i.key) > at);
}

/**
 * The language a text is translated from into `lng`: its recorded source, else (no origin, or `lng` is the source
 * itself) the first other language that has it, in the usual order.
 */
export function sourceLanguage(doc: FlowDocument, origins: TextOrigins, lng: Language, key: string): Language | undefined {
  const recorded = origins[key]?.source;
  if (recorded && recorded !== lng && written(doc, recorded, key) !== undefined) return recorded;
  return LANGUAGES.find((l) => l !== lng && written(doc, l, key) !== undefined);
}

/** How many texts of `languages` a draft changed from the version it started from (added, changed or removed). */
export function changedTexts(base: FlowDocument, draft: FlowDocument, languages: readonly Language[]): number {
  return compareDocuments(base, draft).texts.filter((t) => languages.includes(t.lng)).length;
}

/** A save's text as stored: line breaks as in the documents (a browser sends CRLF), no surrounding blanks. */
export const normalizedText = (text: string) => text.replace(/\r\n?/g, '\n').trim();

const conflict = (message: string) => new AppError(409, 'draft_conflict', message);

/** The service behind the studio's translation pages. Routes do HTTP; this decides what to list and where to write. */
export class TranslationWork {
  constructor(
    private readonly content: ContentService,
    private readonly drafts: DraftService,
  ) {}

  /** A guide's working state for `editor` (404 for an unknown guide). */
  async state(flowId: string, editor: Editor): Promise<WorkingState> {
    const [latest, open] = await Promise.all([this.content.version(flowId), this.drafts.list(flowId)]);
    const own = editor.actor.agentId === null ? undefined : open.find((d) => d.createdBy === editor.actor.agentId && d.status === 'open');
    if (!own) return { flowId, document: latest.document, origins: latest.origins, version: latest.number };
    const draft = await this.drafts.get(own.id, flowId);
    return { flowId, document: draft.document, origins: draft.origins, draft, version: latest.number };
  }

  /** Every published guide's working state, in the guides' order. */
  async states(editor: Editor): Promise<WorkingState[]> {
    const guides = await this.content.list();
    return Promise.all(guides.map((g) => this.state(g.id, editor)));
  }

  /** How many texts of `languages` the person's draft changed, against the version it started from; 0 without one. */
  async changedInDraft(state: WorkingState, languages: readonly Language[]): Promise<number> {
    const base = state.draft?.baseVersion;
    if (!state.draft || base === null || base === undefined) return 0;
    const from = await this.content.version(state.flowId, base);
    return changedTexts(from.document, state.draft.document, languages);
  }

  /** The focused view of text `key` in `lng` (404 when the guide has no such text). */
  async focus(state: WorkingState, lng: Language, key: string): Promise<FocusedText> {
    const doc = state.document;
    if (!expectedKeys(doc).includes(key)) throw unknownText(state.flowId, key);
    const item = workItems(doc, state.origins, lng).find((i) => i.key === key);
    const src = sourceLanguage(doc, state.origins, lng, key);
    const target = textAt(doc, lng, key);
    return {
      key,
      ...(item ? { kind: item.kind } : {}),
      ...(src ? { source: { lng: src, text: written(doc, src, key)! } } : {}),
      ...(item?.stale ? { was: item.stale.was, diff: wordDiff(item.stale.was, item.stale.now) } : {}),
      ...(target !== undefined ? { target } : {}),
      notes: await this.notes(doc, src ?? lng, lng, key),
    };
  }

  /**
   * Stores `text` as the translation at `key` in `lng`, in the person's draft (started from the latest version
   * when they have none). Saving the text unchanged says it is still right (see confirm). 409 `draft_conflict` when
   * the texts changed since the page was made (`at`), 403 for a language that is not the person's.
   */
  async save(flowId: string, lng: Language, key: string, text: string, editor: Editor, at: WorkedOn): Promise<DraftRecord> {
    checkLanguage(editor, lng);
    const value = normalizedText(text);
    if (!value) throw new AppError(400, 'invalid_input', 'Write the translation first; an empty text is a missing one.');
    const { draft, revision } = await this.draftToWrite(flowId, key, editor, at);
    if (written(draft.document, lng, key) === value) return this.drafts.confirm(draft.id, lng, key, editor, revision);
    const document = structuredClone(draft.document);
    setTextAt(document, lng, key, value);
    return this.drafts.save(draft.id, document, editor, { ifRevision: revision, sourceLng: lng, note: `translated ${lng} ${key}` });
  }

  /** "Still correct": the translation at `key` stands on its source as it is now. Same conflicts as save. */
  async confirm(flowId: string, lng: Language, key: string, editor: Editor, at: WorkedOn): Promise<DraftRecord> {
    checkLanguage(editor, lng);
    const { draft, revision } = await this.draftToWrite(flowId, key, editor, at);
    if (written(draft.document, lng, key) === undefined) throw new AppError(400, 'invalid_input', `There is no ${lng} text at ${key} to confirm; write it first.`);
    return this.drafts.confirm(draft.id, lng, key, editor, revision);
  }

  /**
   * The draft a write goes into, and the revision it must still be at. With a draft named, that draft (the
   * person's own; DraftService checks the revision). Without one, a new draft of the latest version, unless the
   * person started a draft or someone published a version since the page was made: then the page was made on
   * texts that are no longer the working state, which is a conflict like any other.
   */
  private async draftToWrite(flowId: string, key: string, editor: Editor, at: WorkedOn): Promise<{ draft: DraftRecord; revision: number }> {
    if (at.draftId !== undefined) {
      if (at.revision === undefined) throw new AppError(400, 'invalid_input', 'A save into a draft names the revision it was made on.');
      const draft = await this.drafts.get(at.draftId, flowId);
      if (draft.createdBy === null || draft.createdBy !== editor.actor.agentId) throw new AppError(403, 'forbidden', `Draft ${draft.id} is someone else's; translations go into your own draft.`);
      if (!expectedKeys(draft.document).includes(key)) throw unknownText(flowId, key);
      return { draft, revision: at.revision };
    }
    const state = await this.state(flowId, editor);
    if (!expectedKeys(state.document).includes(key)) throw unknownText(flowId, key);
    if (state.draft) throw conflict(`You started draft ${state.draft.id} of "${flowId}" since this page was made; check the text there and save again.`);
    if (at.version !== undefined && at.version !== state.version) throw conflict(`Version ${state.version} of "${flowId}" was published since this page was made (on version ${at.version}); check the text and save again.`);
    const draft = await this.drafts.start(flowId, editor);
    if (!expectedKeys(draft.document).includes(key)) throw unknownText(flowId, key);
    return { draft, revision: draft.revision };
  }

  /** The notes an agency export gives the same text (translation.ts), with the values of the facts it shows. */
  private async notes(doc: FlowDocument, source: Language, target: Language, key: string): Promise<string[]> {
    const others = await Promise.all(
      [...new Set(referencesOf(doc.facts).map(([, ref]) => ref.guide))].map((id) => this.content.version(id).then((v): VersionedDocument => ({ document: v.document, number: v.number }), () => undefined)),
    );
    const all = others.filter((o): o is VersionedDocument => o !== undefined);
    const unit = unitsOf({ document: doc, number: 0 }, all, { source, target, only: 'all' }).units.find((u) => u.key === key);
    if (unit) return unit.notes;
    const own = translatorNotes()[`${doc.id}.${key}`];
    return own ? [own] : [];
  }
}

/** The general note on guide texts (locales/context.json "flow texts"): Markdown, placeholders, du/Sie. */
export const generalNote = (): string | undefined => translatorNotes()['flow texts'];

function checkLanguage(editor: Editor, lng: Language) {
  if (editor.onlyTexts && !editor.onlyTexts.includes(lng))
    throw new AppError(403, 'forbidden', `A translator (${editor.onlyTexts.join(', ') || 'no language'}) works only on those languages, not on ${lng}.`);
}

const unknownText = (flowId: string, key: string) => new AppError(404, 'not_found', `The guide "${flowId}" has no text "${key}".`);
