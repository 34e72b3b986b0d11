import type { Store } from '../types.ts';
import type { Db } from './db.ts';
import { notPorted } from './not-ported.ts';

/** Placeholder: part B ports analytics and the exports (replaced at merge). */
export function analyticsPart(_db: Db, _now: () => number = Date.now): Pick<Store, 'analytics' | 'exportSessions' | 'exportSteps'> {
  return notPorted(['analytics', 'exportSessions', 'exportSteps']);
}
