import { builtinDocuments } from '../../server/content/builtin.ts';
import type { FlowDocument } from '../../server/content/document.ts';
import { syncBuiltins } from '../../server/content/sync.ts';
import type { AppOptions } from '../../server/http/app.ts';
import { testApp, type TestApp } from './app.ts';

/** The app as a server start leaves it: the built-in guides in the database as version 1, each current. */
export async function syncedApp(file?: string, options: Partial<AppOptions> = {}): Promise<TestApp> {
  const t = testApp(file, options);
  await syncBuiltins(t.store, builtinDocuments());
  await t.app.locals.ctx.content.installLatest();
  return t;
}

/** A built-in guide's document, changed by `change` (a copy: the built-ins stay as they are). */
export function editedDocument(id: string, change: (doc: FlowDocument) => void): FlowDocument {
  const doc = builtinDocuments().find((d) => d.id === id);
  if (!doc) throw new Error(`no built-in guide ${id}`);
  change(doc);
  return doc;
}

/** participant-no-email with its first step's English title replaced: a small, visible edit. */
export const retitled = (title: string) =>
  editedDocument('participant-no-email', (d) => {
    d.texts.en.howLongAgo!.title = title;
  });
