import { describe, expect, it } from 'vitest';
import { builtinDocuments } from '../../server/content/builtin.ts';
import { contentHash, type FlowDocument } from '../../server/content/document.ts';
import { ContentService } from '../../server/content/service.ts';
import { startContent } from '../../server/content/startup.ts';
import { syncBuiltins } from '../../server/content/sync.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { useTempFiles } from '../support/app.ts';
import { editedDocument } from '../support/content.ts';

/*
 * What a start does with the release's built-in guides: an empty database gets each as version 1; a changed one is
 * published as a new version unless people published edits since, then it waits as a pending update; an unchanged
 * one changes nothing. Each "release" here is a list of built-in documents.
 */

const syncFile = useTempFiles('sync.db');
const store = () => createSqliteStore(syncFile());

const FLOW = 'participant-no-email';
/** A release whose participant-no-email says `title` as its English title. */
const release = (title?: string): FlowDocument[] =>
  builtinDocuments().map((d) =>
    d.id === FLOW && title
      ? editedDocument(FLOW, (e) => {
          e.texts.en.title = title;
        })
      : d,
  );
const hashOf = (docs: FlowDocument[]) => contentHash(docs.find((d) => d.id === FLOW)!);
const PERSON = { actor: { agentId: null, via: 'cli' as const } };

describe('built-in guides at start', () => {
  it('an empty database gets every built-in guide as version 1, published by the system', async () => {
    const s = store();
    const outcomes = await syncBuiltins(s, release());
    expect(outcomes.map((o) => [o.result, o.number])).toEqual(builtinDocuments().map(() => ['published', 1]));
    const latest = await s.listLatestVersions();
    expect(latest.map((v) => v.flowId).sort()).toEqual(builtinDocuments().map((d) => d.id).sort());
    for (const v of latest) expect(v).toMatchObject({ number: 1, publishedBy: null, via: 'release' });
    expect((await s.getVersion(FLOW))!.hash).toBe(hashOf(release()));
    await s.close();
  });

  it('an unchanged release changes nothing', async () => {
    const s = store();
    await syncBuiltins(s, release());
    const audit = (await s.listAudit({ limit: 100, offset: 0 })).length;
    const outcomes = await syncBuiltins(s, release());
    expect(outcomes.every((o) => o.result === 'unchanged')).toBe(true);
    expect((await s.listVersions(FLOW)).length).toBe(1);
    expect((await s.listAudit({ limit: 100, offset: 0 })).length).toBe(audit);
    await s.close();
  });

  it('a changed built-in guide nobody edited is published as the next version', async () => {
    const s = store();
    await syncBuiltins(s, release());
    const outcomes = await syncBuiltins(s, release('Release two'));
    expect(outcomes.find((o) => o.flowId === FLOW)).toEqual({ flowId: FLOW, result: 'published', number: 2 });
    expect(outcomes.filter((o) => o.flowId !== FLOW).every((o) => o.result === 'unchanged')).toBe(true);
    expect((await s.getVersion(FLOW))!.document.texts.en.title).toBe('Release two');
    expect(await s.listPendingUpdates()).toEqual([]);
    await s.close();
  });

  it('a changed built-in guide that people edited since waits as a pending update; their version stays current', async () => {
    const s = store();
    await syncBuiltins(s, release());
    const content = new ContentService(s, new FlowRegistry());
    const edit = editedDocument(FLOW, (d) => {
      d.texts.en.title = 'Our own words';
    });
    await content.publish(FLOW, { document: edit }, PERSON);

    const outcomes = await syncBuiltins(s, release('Release two'));
    expect(outcomes.find((o) => o.flowId === FLOW)!.result).toBe('pending');
    expect((await s.getVersion(FLOW))!.document.texts.en.title).toBe('Our own words');
    expect((await s.getPendingUpdate(FLOW))!.hash).toBe(hashOf(release('Release two')));
    expect((await s.listAudit({ flowId: FLOW, limit: 1, offset: 0 }))[0]).toMatchObject({ action: 'pending', via: 'release', fromVersion: 2 });
    // The next start sees the same release: nothing more happens.
    expect((await syncBuiltins(s, release('Release two'))).find((o) => o.flowId === FLOW)!.result).toBe('unchanged');
    // A later release replaces what waits.
    await syncBuiltins(s, release('Release three'));
    expect((await s.getPendingUpdate(FLOW))!.document.texts.en.title).toBe('Release three');
    expect((await s.listVersions(FLOW)).length).toBe(2);

    // An administrator publishes it; the guide is the release's again, so the next release is published directly.
    const registry = new FlowRegistry();
    const admin = new ContentService(s, registry);
    const published = await admin.publish(FLOW, { pending: true }, PERSON);
    expect(published.number).toBe(3);
    expect(registry.get(FLOW)!.document.texts.en.title).toBe('Release three');
    expect(await s.getPendingUpdate(FLOW)).toBeUndefined();
    expect((await syncBuiltins(s, release('Release four'))).find((o) => o.flowId === FLOW)).toMatchObject({ result: 'published', number: 4 });
    await s.close();
  });

  it('after a rollback to a release’s content, the next release is published directly', async () => {
    const s = store();
    await syncBuiltins(s, release());
    const content = new ContentService(s, new FlowRegistry());
    await content.publish(FLOW, { document: editedDocument(FLOW, (d) => void (d.texts.en.title = 'Edited')) }, PERSON);
    expect((await syncBuiltins(s, release('Release two'))).find((o) => o.flowId === FLOW)!.result).toBe('pending');
    // Back to version 1, the first release's document: no edits of theirs left to keep.
    await content.publish(FLOW, { version: 1 }, PERSON);
    expect((await syncBuiltins(s, release('Release three'))).find((o) => o.flowId === FLOW)).toMatchObject({ result: 'published', number: 4 });
    await s.close();
  });

  it('two instances starting at once on an empty database publish each guide once', async () => {
    const file = syncFile();
    const one = createSqliteStore(file);
    const two = createSqliteStore(file);
    await Promise.all([syncBuiltins(one, release()), syncBuiltins(two, release())]);
    for (const v of await one.listLatestVersions()) expect(v.number).toBe(1);
    await Promise.all([syncBuiltins(one, release('Release two')), syncBuiltins(two, release('Release two'))]);
    expect((await one.listVersions(FLOW)).map((v) => v.number)).toEqual([2, 1]);
    await one.close();
    await two.close();
  });

  it('a start installs every guide’s latest version as current, and older ones on demand', async () => {
    const s = store();
    await syncBuiltins(s, release());
    const first = await s.getVersion(FLOW);
    await syncBuiltins(s, release('Release two'));
    // This release's registry: it knows the release's documents, not what the database held before.
    const registry = new FlowRegistry(release('Release two'));
    const { content } = await startContent(s, registry, { documents: release('Release two') });
    expect(registry.get(FLOW)).toMatchObject({ number: 2, version: hashOf(release('Release two')) });
    expect(registry.version(FLOW, first!.hash)).toBeUndefined();
    expect(await content.pinned(FLOW, first!.hash)).toMatchObject({ number: 1, version: first!.hash });
    expect(registry.get(FLOW)!.number).toBe(2);
    expect(await content.pinned(FLOW, 'no-such-hash')).toBeUndefined();
    await s.close();
  });
});

describe('a broken built-in document', () => {
  // builtinDocuments() checks only the shape; the full validation is here, for every document not seen before.
  it('stops the start with its problems, and stores nothing', async () => {
    const s = store();
    const broken = builtinDocuments().map((d) =>
      d.id === FLOW
        ? editedDocument(FLOW, (e) => {
            e.texts.de.checkSpam!.title = '';
          })
        : d,
    );
    await expect(syncBuiltins(s, broken)).rejects.toThrow(/participant-no-email is not valid: .*checkSpam/);
    expect(await s.listVersions(FLOW)).toEqual([]);
    await s.close();
  });
});
