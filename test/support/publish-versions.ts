/**
 * A separate process that publishes `count` versions of guide `flowId` to the database `file` as fast as it can,
 * so a test can run several at once against one file and see what the store's numbering does under real
 * concurrency. Opens the database, says `ready`, and starts when it reads a line on stdin (so every process
 * publishes at the same moment); prints the numbers it got as one JSON line.
 */
import { once } from 'node:events';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import type { FlowDocument } from '../../server/content/document.ts';

const [file, flowId, count, tag] = process.argv.slice(2) as [string, string, string, string];
const store = createSqliteStore(file);
console.log('ready');
await once(process.stdin, 'data');
const numbers: number[] = [];
for (let i = 0; i < Number(count); i++) {
  const document = { id: flowId, tag, i } as unknown as FlowDocument;
  const v = await store.publishVersion({ flowId, hash: `${tag}-${i}`, document, note: null, actor: { agentId: null, via: 'cli' }, action: 'publish' });
  numbers.push(v.number);
}
await store.close();
console.log(JSON.stringify(numbers));
process.stdin.destroy();
