import { createHash, randomBytes } from 'node:crypto';
import { AppError, invalidDocument } from '../http/errors.ts';
import type { Language } from '../i18n/locales.ts';
import { DraftConflictError, type DraftRecord, type DraftSummary, type FlowVersionRecord, type ContentStore } from '../store/types.ts';
import { contentHash, flowDocumentSchema, type FlowDocument } from './document.ts';
import { confirmText, recordEdit, type TextOrigins } from './origins.ts';
import { changesOutside } from './permissions.ts';
import type { ContentService, Editor } from './service.ts';
import type { Problem } from './validate.ts';

/** What a save sends besides the document: the revision it was made on, and the language the person writes in. */
export interface SaveOptions {
  ifRevision: number;
  /** The language whose texts are the source where one save changes several languages of a text. */
  sourceLng: Language;
  /** What changed, in a few words, for the history. */
  note?: string | null;
}

/**
 * The studio's drafts: working copies of a guide that people keep saving until one is published or discarded.
 * A saved draft has the document's shape but may be incomplete (texts missing, a step not yet linked): the full
 * validation runs when it is published, and the studio shows its problems all along. Every save names the revision
 * it was made on, so two people editing one draft never overwrite each other silently (409 with the draft as it is).
 */
export class DraftService {
  constructor(
    private readonly store: ContentStore,
    private readonly content: ContentService,
  ) {}

  list(flowId?: string): Promise<DraftSummary[]> {
    return this.store.listDrafts(flowId);
  }

  async get(id: number, flowId?: string): Promise<DraftRecord> {
    const draft = await this.store.getDraft(id);
    if (!draft || (flowId !== undefined && draft.flowId !== flowId)) throw new AppError(404, 'unknown_draft', `There is no draft ${id}${flowId ? ` of "${flowId}"` : ''}.`);
    return draft;
  }

  /** A new draft of a guide from its latest version (or version `from`), with that version's text origins. */
  async start(flowId: string, editor: Editor, from?: number): Promise<DraftRecord> {
    const base = await this.content.version(flowId, from);
    const { version: _number, ...document } = base.document;
    return this.store.createDraft(
      { flowId, hash: base.hash, document, createdBy: editor.actor.agentId, baseVersion: base.number, origins: base.origins },
      { actor: editor.actor, action: 'draft', note: from === undefined ? null : `from version ${from}` },
    );
  }

  /** A draft of a guide that has no version yet (a new guide, or a copy of another). Authors and admins only. */
  async startNew(document: FlowDocument, editor: Editor, note: string | null = null): Promise<DraftRecord> {
    if (editor.onlyTexts) throw new AppError(403, 'forbidden', 'A translator cannot add a guide.');
    const doc = this.shaped(document);
    if (await this.store.getVersion(doc.id)) throw new AppError(409, 'invalid_input', `There is a guide "${doc.id}" already; choose another id.`);
    return this.store.createDraft(
      { flowId: doc.id, hash: contentHash(doc), document: doc, createdBy: editor.actor.agentId, baseVersion: null },
      { actor: editor.actor, action: 'draft', note },
    );
  }

  /**
   * Saves a draft's new document: 422 when it has not the document's shape, 403 when a translator changed anything
   * but the texts of their languages, 409 (`draft_conflict`, with the draft's current revision) when someone saved
   * since `ifRevision`, or `draft_closed` when it was published or discarded. The text origins follow the change.
   */
  async save(id: number, input: unknown, editor: Editor, options: SaveOptions): Promise<DraftRecord> {
    const current = await this.get(id);
    this.checkOpen(current);
    const document = this.shaped(input);
    if (document.id !== current.flowId) throw invalidDocument([{ message: `the document's id is "${document.id}", but the draft is of "${current.flowId}"`, path: 'id' }]);
    if (editor.onlyTexts) {
      const outside = changesOutside(current.document, document, editor.onlyTexts);
      if (outside.length)
        throw new AppError(403, 'forbidden', `A translator (${editor.onlyTexts.join(', ') || 'no language'}) may change only the texts of those languages; this also changes ${outside.join(', ')}.`);
    }
    const origins = recordEdit(current.document, document, current.origins, editor.onlyTexts ? 'translator' : 'author', options.sourceLng);
    return this.write(current, document, origins, editor, options);
  }

  /** A translator's (or author's) "the translation is still right": the text stands on the source as it is now. */
  async confirm(id: number, lng: Language, key: string, editor: Editor, ifRevision: number): Promise<DraftRecord> {
    const current = await this.get(id);
    this.checkOpen(current);
    if (editor.onlyTexts && !editor.onlyTexts.includes(lng)) throw new AppError(403, 'forbidden', `A translator (${editor.onlyTexts.join(', ')}) works only on those languages, not on ${lng}.`);
    const origins = confirmText(current.document, current.origins, lng, key);
    return this.write(current, current.document, origins, editor, { ifRevision, sourceLng: lng, note: `confirmed ${lng} ${key}` });
  }

  async discard(id: number, editor: Editor): Promise<DraftRecord> {
    const current = await this.get(id);
    if (editor.onlyTexts && current.createdBy !== editor.actor.agentId) throw new AppError(403, 'forbidden', 'A translator can discard only drafts they started.');
    try {
      return await this.store.discardDraft(id, editor.actor);
    } catch (e) {
      throw e instanceof DraftConflictError ? closed(e.current) : e;
    }
  }

  /** Publishes a draft with a change note: validated first (422 with every problem), then the guide's next version. */
  publish(draft: DraftRecord, editor: Editor, note: string | null): Promise<FlowVersionRecord> {
    this.checkOpen(draft);
    return this.content.publish(draft.flowId, { draft: draft.id }, editor, { note });
  }

  /** Every problem the draft would be refused for at publishing, each naming its step, option and language. */
  problems(draft: DraftRecord): Problem[] {
    return this.content.problemsOf(draft.document);
  }

  /** A new private link to preview the draft; the one before it stops working. Only its hash is stored. */
  async previewLink(id: number): Promise<string> {
    const token = randomBytes(18).toString('base64url');
    await this.store.setPreviewToken(id, tokenHash(token));
    return token;
  }

  /** The open draft a private preview link shows; undefined for an unknown token or a closed draft. */
  async byPreviewToken(token: string): Promise<DraftRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{24}$/.test(token)) return undefined;
    const draft = await this.store.getDraftByPreviewToken(tokenHash(token));
    return draft?.status === 'open' ? draft : undefined;
  }

  private async write(current: DraftRecord, document: FlowDocument, origins: TextOrigins, editor: Editor, options: SaveOptions): Promise<DraftRecord> {
    try {
      return await this.store.saveDraft(current.id, {
        document,
        hash: contentHash(document),
        origins,
        actor: editor.actor,
        ifRevision: options.ifRevision,
        note: options.note?.trim().slice(0, 300) || null,
      });
    } catch (e) {
      if (!(e instanceof DraftConflictError)) throw e;
      if (e.current.status !== 'open') throw closed(e.current);
      throw new AppError(409, 'draft_conflict', `Draft ${current.id} was saved by someone else since revision ${options.ifRevision}; it is at revision ${e.current.revision} now.`, {
        details: { revision: e.current.revision, updatedBy: e.current.updatedBy, updatedAt: new Date(e.current.updatedAt).toISOString() },
      });
    }
  }

  private checkOpen(draft: DraftRecord) {
    if (draft.status !== 'open') throw closed(draft);
  }

  /** The document's shape (not its completeness): what any saved draft has. */
  private shaped(input: unknown): FlowDocument {
    const parsed = flowDocumentSchema.safeParse(input);
    if (!parsed.success) throw invalidDocument(parsed.error.issues.map((i) => ({ message: `${i.path.join('.') || 'document'}: ${i.message}`, path: i.path.join('.') })));
    const { version: _number, ...document } = parsed.data;
    return document;
  }
}

const closed = (draft: DraftRecord) => new AppError(409, 'draft_closed', `Draft ${draft.id} of "${draft.flowId}" was ${draft.status} already.`);

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');
