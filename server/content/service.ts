import type { RegisteredFlow } from '../engine/flow-registry.ts';
import { AppError, invalidDocument, unknownFlow } from '../http/errors.ts';
import {
  VersionConflictError,
  type Actor,
  type AuditRecord,
  type DraftRecord,
  type FlowVersionRecord,
  type FlowVersionSummary,
  type NewVersion,
  type PendingUpdateRecord,
  type ContentStore,
} from '../store/types.ts';
import { contentHash, type FlowDocument } from './document.ts';
import { DEFAULT_LANGUAGE, type Language } from '../i18n/locales.ts';
import { recordEdit, type EditRole, type TextOrigins } from './origins.ts';
import { changesOutside } from './permissions.ts';
import { validateDocument, type Problem } from './validate.ts';
import { installVersion, pinnedFlow, type VersionRegistry } from './versions.ts';

/** Who changes a guide, and what they may change: a translator only the texts of their languages. */
export interface Editor {
  actor: Actor;
  /** Set for a translator: the languages whose texts they may change; nothing else of a guide. */
  onlyTexts?: readonly string[];
}

/** Where the content of a publish comes from. */
export type PublishSource =
  | { draft: number }
  /** Rollback: an earlier version's content again, as a new number. */
  | { version: number }
  /** The release's changed built-in document that was held back. */
  | { pending: true }
  /** A document given whole (the CLI's import). */
  | { document: unknown };

export interface PublishOptions {
  note?: string | null;
  /** How the audit log names it: a CLI import is `import`, a rollback is always `rollback`. */
  action?: 'publish' | 'import';
}

/** A guide as lists show it: its latest version and whether a release's update waits for review. */
export interface GuideSummary {
  id: string;
  latest: FlowVersionSummary;
  pending?: { hash: string; foundAt: number };
}

/** What an import did: nothing (same content as the latest version), a draft, or a new version. */
export type ImportResult =
  | { kind: 'unchanged'; version: FlowVersionSummary }
  | { kind: 'draft'; draft: DraftRecord }
  | { kind: 'published'; version: FlowVersionRecord };

/** How many times a translator's publish is tried again when someone published in between. */
const CONFLICT_RETRIES = 3;

const withoutDocument = ({ document: _document, ...summary }: FlowVersionRecord): FlowVersionSummary => summary;

/**
 * Guides as versioned documents: drafts, publishing (validated first, always), rollback, history and the audit log,
 * and keeping the registry in step with the database: every guide's latest version current, older ones loaded
 * when a session pinned to one comes back, and versions published by other processes picked up by polling.
 */
export class ContentService {
  /** The number installed as current per guide, so a late install of an older number never replaces a newer one. */
  private readonly current = new Map<string, number>();
  private mark = 0;

  constructor(
    private readonly store: ContentStore,
    private readonly registry: VersionRegistry,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  // Reading

  async list(): Promise<GuideSummary[]> {
    const [latest, pending] = await Promise.all([this.store.listLatestVersions(), this.store.listPendingUpdates()]);
    const byFlow = new Map(pending.map((p) => [p.flowId, p]));
    return latest.map((v) => {
      const p = byFlow.get(v.flowId);
      return { id: v.flowId, latest: v, ...(p ? { pending: { hash: p.hash, foundAt: p.foundAt } } : {}) };
    });
  }

  /** A guide's latest version (or version `number`) with its document; 404 when there is none. */
  async version(flowId: string, number?: number): Promise<FlowVersionRecord> {
    const v = await this.store.getVersion(flowId, number);
    if (v) return v;
    if (number !== undefined && (await this.store.getVersion(flowId))) throw unknownVersion(flowId, number);
    throw unknownFlow(flowId);
  }

  async versions(flowId: string): Promise<FlowVersionSummary[]> {
    const list = await this.store.listVersions(flowId);
    if (!list.length) throw unknownFlow(flowId);
    return list;
  }

  pending(flowId: string): Promise<PendingUpdateRecord | undefined> {
    return this.store.getPendingUpdate(flowId);
  }

  audit(filter: { flowId?: string; limit: number; offset: number }): Promise<AuditRecord[]> {
    return this.store.listAudit(filter);
  }

  /** The content hash sessions of version `number` are pinned to (what analytics filters by). */
  async hashOf(flowId: string, number: number): Promise<string> {
    return (await this.version(flowId, number)).hash;
  }

  // Writing

  /** Validates and stores a draft of guide `flowId`; InvalidDocument (422) with every problem when it is not valid. */
  async createDraft(
    flowId: string,
    input: unknown,
    editor: Editor,
    options: { action?: 'draft' | 'import'; note?: string | null; sourceLng?: Language; role?: EditRole } = {},
  ) {
    const document = this.checked(flowId, input);
    await this.checkAllowed(document, editor);
    const latest = await this.store.getVersion(flowId);
    return this.store.createDraft(
      { flowId, hash: contentHash(document), document, createdBy: editor.actor.agentId, origins: originsAfter(latest, document, options.role ?? roleOf(editor), options.sourceLng) },
      { actor: editor.actor, action: options.action ?? 'draft', note: options.note ?? null },
    );
  }

  /**
   * Publishes guide `flowId` from a draft, an earlier version (rollback), its pending update or a whole document:
   * validated (with today's rules, whatever it was checked against when stored), stored as the next number, and
   * installed as the guide's current version here at once (other instances poll).
   */
  async publish(flowId: string, source: PublishSource, editor: Editor, options: PublishOptions = {}): Promise<FlowVersionRecord> {
    const { input, action, draftId, origins } = await this.sourceOf(flowId, source, options);
    const document = this.checked(flowId, input);
    const hash = contentHash(document);
    for (let attempt = 0; ; attempt++) {
      const latest = await this.store.getVersion(flowId);
      if (latest?.hash === hash)
        throw new AppError(409, 'document_unchanged', `Version ${latest.number} of "${flowId}" has exactly this content; nothing was published.`);
      // A translator's change is judged against the version it replaces: that version must still be the latest.
      if (editor.onlyTexts) await this.checkAllowed(document, editor, latest);
      // A whole document (a file, a release's update) says nothing of where its texts came from: its changes to the
      // latest version are taken as an author's, so translations of what it changed are marked stale.
      const textOrigins = origins ?? originsAfter(latest, document, roleOf(editor));
      const version: NewVersion = {
        flowId,
        hash,
        document,
        note: options.note?.trim() || null,
        actor: editor.actor,
        action,
        ...(draftId !== undefined ? { draftId } : {}),
        origins: textOrigins,
        ...(editor.onlyTexts ? { ifLatest: latest?.number ?? null } : {}),
      };
      try {
        const published = await this.store.publishVersion(version);
        this.install(published);
        return published;
      } catch (e) {
        if (!(e instanceof VersionConflictError) || attempt >= CONFLICT_RETRIES) throw e;
      }
    }
  }

  /**
   * A document from a file (the CLI): refused with every problem when invalid; nothing stored when it has the
   * latest version's content; else a draft, or with `publish` a new version.
   */
  async import(input: unknown, editor: Editor, options: { publish: boolean; note?: string | null }): Promise<ImportResult> {
    const document = this.checked(undefined, input);
    const latest = await this.store.getVersion(document.id);
    if (latest?.hash === contentHash(document)) return { kind: 'unchanged', version: withoutDocument(latest) };
    if (!options.publish) return { kind: 'draft', draft: await this.createDraft(document.id, document, editor, { action: 'import', note: options.note ?? null }) };
    return { kind: 'published', version: await this.publish(document.id, { document }, editor, { note: options.note ?? null, action: 'import' }) };
  }

  private async sourceOf(flowId: string, source: PublishSource, options: PublishOptions) {
    if ('draft' in source) {
      const draft = await this.store.getDraft(source.draft);
      if (!draft || draft.flowId !== flowId) throw new AppError(404, 'unknown_draft', `Guide "${flowId}" has no draft ${source.draft}.`);
      if (draft.status !== 'open') throw new AppError(409, 'draft_closed', `Draft ${draft.id} of "${flowId}" was ${draft.status} already.`);
      return { input: draft.document as unknown, action: 'publish' as const, draftId: draft.id, origins: draft.origins };
    }
    if ('version' in source) {
      const earlier = await this.version(flowId, source.version);
      return { input: earlier.document as unknown, action: 'rollback' as const, origins: earlier.origins };
    }
    if ('pending' in source) {
      const pending = await this.store.getPendingUpdate(flowId);
      if (!pending) throw new AppError(404, 'unknown_version', `Guide "${flowId}" has no pending update.`);
      return { input: pending.document as unknown, action: 'publish' as const };
    }
    return { input: source.document, action: options.action ?? 'publish' };
  }

  /** Every problem of a document, checked exactly as a draft or publish checks it (with the current guides' facts). */
  problemsOf(input: unknown): Problem[] {
    const result = validateDocument(input, { others: this.otherGuides() });
    return result.ok ? [] : result.problems;
  }

  /** The document, validated, for guide `flowId`; without the `version` an export adds (numbers are the store's). */
  private checked(flowId: string | undefined, input: unknown): FlowDocument {
    const result = validateDocument(input, { others: this.otherGuides() });
    if (!result.ok) throw invalidDocument(result.problems);
    const { version: _number, ...document } = result.document;
    if (flowId !== undefined && document.id !== flowId)
      throw invalidDocument([{ message: `the document's id is "${document.id}", but it was sent for guide "${flowId}"`, path: 'id' }]);
    return document;
  }

  /** Every current guide's facts: a document is published alongside them (see referenceProblems). */
  private otherGuides(): Map<string, FlowDocument['facts']> {
    return new Map(this.registry.list.map((f) => [f.id, f.document.facts]));
  }

  /** A translator may change the texts of their languages in a guide that exists, and nothing else. */
  private async checkAllowed(document: FlowDocument, editor: Editor, latest?: FlowVersionRecord) {
    if (!editor.onlyTexts) return;
    const current = latest ?? (await this.store.getVersion(document.id));
    const langs = editor.onlyTexts.join(', ') || 'no language';
    if (!current) throw new AppError(403, 'forbidden', `A translator (${langs}) cannot add a guide; "${document.id}" has no published version.`);
    const outside = changesOutside(current.document, document, editor.onlyTexts);
    if (outside.length)
      throw new AppError(403, 'forbidden', `A translator (${langs}) may change only the texts of those languages; this also changes ${outside.join(', ')}.`);
  }

  // Keeping the registry in step

  /** At start, after the built-in sync: every guide's latest stored version becomes its current one. */
  async installLatest(): Promise<void> {
    // The mark first: a version published while the rest is read is installed again by the next poll, not missed.
    this.mark = await this.store.versionsMark();
    for (const v of await this.store.latestVersions()) this.install(v);
  }

  /** The version a session started on (see pinnedFlow). */
  pinned(flowId: string, hash: string): Promise<RegisteredFlow | undefined> {
    return pinnedFlow(this.store, this.registry, flowId, hash);
  }

  /** Installs what other processes published since the last look; returns how many versions that was. */
  async refresh(): Promise<number> {
    if ((await this.store.versionsMark()) === this.mark) return 0;
    const { mark, versions } = await this.store.versionsSince(this.mark);
    for (const v of versions) this.install(v);
    this.mark = mark;
    return versions.length;
  }

  /** Polls every `ms` (FLOW_POLL_MS) for versions published elsewhere; returns the function that stops it. */
  watch(ms: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.refresh()
        .catch(this.onError)
        .finally(() => (running = false));
    }, ms);
    // The poll never keeps a process alive that has nothing else to do (a test, a shutdown).
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Installs a version; current unless a newer number of the guide is current already. A stored version that no
   * longer compiles (a release removed a guard it names) is reported and skipped: the guide stays as it was.
   */
  private install(v: FlowVersionRecord) {
    const current = (this.current.get(v.flowId) ?? 0) <= v.number;
    try {
      installVersion(this.registry, v, current);
      if (current) this.current.set(v.flowId, v.number);
    } catch (err) {
      this.onError(new Error(`version ${v.number} of guide ${v.flowId} cannot be installed: ${(err as Error).message}`, { cause: err }));
    }
  }
}

/** The text origins of a document that replaces `latest` whole (see origins.ts); none for a guide's first version. */
const originsAfter = (latest: FlowVersionRecord | undefined, document: FlowDocument, role: EditRole, sourceLng: Language = DEFAULT_LANGUAGE): TextOrigins =>
  latest ? recordEdit(latest.document, document, latest.origins, role, sourceLng) : {};

const roleOf = (editor: Editor): EditRole => (editor.onlyTexts ? 'translator' : 'author');

export const unknownVersion = (flowId: string, number: number) =>
  new AppError(404, 'unknown_version', `Guide "${flowId}" has no version ${number}.`);

