import type { HandoffStore } from '../types.ts';
import type { Db } from './db.ts';
import { notPorted } from './not-ported.ts';

/** Placeholder: part C ports the hand-offs and their outbox (replaced at merge). */
export function handoffStore(_db: Db, _now: () => number = Date.now): HandoffStore {
  return notPorted<HandoffStore>([
    'create',
    'get',
    'forSession',
    'list',
    'countByStatus',
    'claim',
    'setStatus',
    'claimDue',
    'delivered',
    'attemptFailed',
    'retry',
    'failed',
    'nextDue',
  ]);
}
