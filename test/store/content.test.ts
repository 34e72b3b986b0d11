import { expect, it } from 'vitest';
import { DraftConflictError, VersionConflictError, type Actor } from '../../server/store/types.ts';
import { CLI, doc, version } from '../support/store-records.ts';
import { describeStores, T0 } from '../support/stores.ts';

describeStores('guide versions, drafts and the audit log', (kind) => {
  it('numbers each guide from 1, keeps every version whole, and lists the latest of each guide', async () => {
    const { store } = await kind.open();
    expect((await store.publishVersion(version('a', 'one'))).number).toBe(1);
    expect((await store.publishVersion(version('b', 'one'))).number).toBe(1);
    const two = await store.publishVersion(version('a', 'two'));
    expect(two).toMatchObject({ flowId: 'a', number: 2, hash: 'h-two', note: 'note two', publishedBy: null, via: 'cli', publishedAt: T0 });
    expect((await store.getVersion('a', 1))!.document).toEqual(doc('a', 'one'));
    expect((await store.getVersion('a'))!.number).toBe(2);
    expect(await store.getVersion('a', 3)).toBeUndefined();
    expect((await store.listVersions('a')).map((v) => v.number)).toEqual([2, 1]);
    expect((await store.listLatestVersions()).map((v) => [v.flowId, v.number])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect((await store.latestVersions()).map((v) => [v.flowId, v.number, v.document])).toEqual([
      ['a', 2, doc('a', 'two')],
      ['b', 1, doc('b', 'one')],
    ]);
    expect((await store.getVersionByHash('a', 'h-one'))!.number).toBe(1);
    expect(await store.getVersionByHash('a', 'h-none')).toBeUndefined();
  });

  it('refuses a publish whose expected latest version is out of date, storing nothing', async () => {
    const { store } = await kind.open();
    await store.publishVersion(version('a', 'one'));
    await expect(store.publishVersion(version('a', 'two', { ifLatest: null }))).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.listVersions('a')).length).toBe(1);
    expect((await store.listAudit({ limit: 10, offset: 0 })).length).toBe(1);
    await store.publishVersion(version('a', 'two', { ifLatest: 1 }));
    expect((await store.listVersions('a')).length).toBe(2);
  });

  it('two instances publishing one guide at the same moment never get the same number', async () => {
    const { store, another } = await kind.open();
    const instances = [store, another()];
    const numbers = (
      await Promise.all(
        ['x', 'y', 'z', 'w'].map(async (tag, i) => {
          const got: number[] = [];
          for (let n = 0; n < 10; n++) got.push((await instances[i % 2]!.publishVersion(version('a', `${tag}-${n}`))).number);
          return got;
        }),
      )
    ).flat();
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('tells another instance that something was published by a counter, and what', async () => {
    const { store: writer, another } = await kind.open();
    const reader = another();
    const start = await reader.versionsMark();
    expect(await reader.versionsSince(start)).toEqual({ mark: start, versions: [] });
    await writer.publishVersion(version('a', 'one'));
    await writer.publishVersion(version('b', 'one'));
    const mark = await reader.versionsMark();
    expect(mark).toBeGreaterThan(start);
    const since = await reader.versionsSince(start);
    expect(since.mark).toBe(mark);
    expect(since.versions.map((v) => `${v.flowId}@${v.number}`)).toEqual(['a@1', 'b@1']);
    expect((await reader.versionsSince(mark)).versions).toEqual([]);
  });

  it('records publishes, drafts and pending updates in the audit log, with who and from which version', async () => {
    const { store } = await kind.open();
    const admin = await store.createAgent({ email: 'ada@example.com', name: 'Ada', role: 'admin', passwordHash: 'x' });
    await store.applyBuiltin({ kind: 'publish', version: { ...version('a', 'one'), actor: { agentId: null, via: 'release' } } });
    const draft = await store.createDraft(
      { flowId: 'a', hash: 'h-two', document: doc('a', 'two'), createdBy: admin.id },
      { actor: { agentId: admin.id, via: 'console' }, action: 'draft', note: null },
    );
    expect(await store.getDraft(draft.id)).toMatchObject({ flowId: 'a', hash: 'h-two', createdBy: admin.id, document: doc('a', 'two') });
    await store.publishVersion({ ...version('a', 'two'), actor: { agentId: admin.id, via: 'console' }, draftId: draft.id });
    await store.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-three', document: doc('a', 'three') }, fromVersion: 2 });
    await store.publishVersion({ ...version('a', 'one'), action: 'rollback', note: 'back to one' });
    const log = await store.listAudit({ flowId: 'a', limit: 10, offset: 0 });
    expect(log.map((e) => [e.action, e.via, e.agentId, e.fromVersion, e.toVersion, e.draftId, e.note])).toEqual([
      ['rollback', 'cli', null, 2, 3, null, 'back to one'],
      ['pending', 'release', null, 2, null, null, null],
      ['publish', 'console', admin.id, 1, 2, draft.id, 'note two'],
      ['draft', 'console', admin.id, 1, null, draft.id, null],
      ['publish', 'release', null, null, 1, null, 'note one'],
    ]);
    expect(await store.listAudit({ flowId: 'b', limit: 10, offset: 0 })).toEqual([]);
    expect((await store.listAudit({ limit: 2, offset: 1 })).map((e) => e.action)).toEqual(['pending', 'publish']);
  });

  it('keeps a pending update until its content is published, and remembers the built-in it saw', async () => {
    const { store } = await kind.open();
    expect(await store.builtinSeen('a')).toBeUndefined();
    await store.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-two', document: doc('a', 'two') }, fromVersion: null });
    expect(await store.builtinSeen('a')).toBe('h-two');
    expect((await store.listPendingUpdates()).map((p) => [p.hash, p.foundAt])).toEqual([['h-two', T0]]);
    // A later release replaces it.
    await store.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-three', document: doc('a', 'three') }, fromVersion: null });
    expect((await store.getPendingUpdate('a'))!.document).toEqual(doc('a', 'three'));
    await store.publishVersion(version('a', 'other'));
    expect(await store.getPendingUpdate('a')).toBeDefined();
    await store.publishVersion(version('a', 'three'));
    expect(await store.getPendingUpdate('a')).toBeUndefined();
    await store.applyBuiltin({ kind: 'seen', flowId: 'a', hash: 'h-four' });
    expect(await store.builtinSeen('a')).toBe('h-four');
    // A built-in publish checks its expected latest version: another instance starting at once got there first.
    await expect(
      store.applyBuiltin({ kind: 'publish', version: { ...version('a', 'five'), actor: { agentId: null, via: 'release' }, ifLatest: null } }),
    ).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('drafts save by revision, refuse an older revision and a closed draft, list open ones, and are found by their preview link', async () => {
    const { store, tick } = await kind.open();
    await store.publishVersion(version('a', 'one'));
    const author: Actor = { agentId: null, via: 'token' };
    const d1 = await store.createDraft({ flowId: 'a', hash: 'h-d1', document: doc('a', 'd1'), createdBy: null }, { actor: author, action: 'draft', note: null });
    expect(d1).toMatchObject({ revision: 1, baseVersion: 1, status: 'open', createdAt: T0, updatedAt: T0 });
    tick(1000);
    const d2 = await store.createDraft(
      { flowId: 'b', hash: 'h-d2', document: doc('b', 'd2'), createdBy: null, baseVersion: null },
      { actor: CLI, action: 'import', note: 'from file' },
    );
    expect(d2.baseVersion).toBeNull();
    tick(1000);
    const save = (ifRevision: number, title: string) =>
      store.saveDraft(d1.id, { document: doc('a', title), hash: `h-${title}`, origins: { 'a.title': { source: 'sv', basis: {} } }, actor: author, ifRevision, note: title });
    expect(await save(1, 'two')).toMatchObject({ revision: 2, hash: 'h-two', updatedAt: T0 + 2000, origins: { 'a.title': { source: 'sv', basis: {} } } });
    await expect(save(1, 'other')).rejects.toBeInstanceOf(DraftConflictError);
    expect((await store.listDrafts()).map((d) => d.id)).toEqual([d1.id, d2.id]);
    expect((await store.listDrafts('a')).map((d) => d.id)).toEqual([d1.id]);
    await store.setPreviewToken(d1.id, 'preview-hash');
    expect((await store.getDraftByPreviewToken('preview-hash'))?.hash).toBe('h-two');
    expect(await store.getDraftByPreviewToken('nope')).toBeUndefined();
    expect(await store.discardDraft(d2.id, CLI)).toMatchObject({ status: 'discarded' });
    await expect(store.discardDraft(d2.id, CLI)).rejects.toBeInstanceOf(DraftConflictError);
    await store.publishVersion({ ...version('a', 'two'), draftId: d1.id, ifLatest: 1 });
    const closed = await save(2, 'three').catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(DraftConflictError);
    expect((closed as DraftConflictError).current.status).toBe('published');
    expect(await store.listDrafts()).toEqual([]);
    expect((await store.listAudit({ limit: 20, offset: 0 })).map((a) => a.action)).toEqual(['publish', 'discard', 'edit', 'import', 'draft', 'publish']);
  });

  it('two instances saving the same revision of a draft at once: one save is stored, the other is a conflict', async () => {
    const { store, another } = await kind.open();
    const other = another();
    const draft = await store.createDraft({ flowId: 'a', hash: 'h', document: doc('a', 'x'), createdBy: null }, { actor: CLI, action: 'draft', note: null });
    for (let revision = 1; revision <= 5; revision++) {
      const results = await Promise.allSettled(
        [store, other].map((s, i) =>
          s.saveDraft(draft.id, { document: doc('a', `${revision}-${i}`), hash: `${revision}-${i}`, origins: {}, actor: CLI, ifRevision: revision, note: null }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(DraftConflictError)]);
    }
    expect((await store.getDraft(draft.id))!.revision).toBe(6);
  });
});
