import type { Store } from '../types.ts';
import type { Db } from './db.ts';
import { notPorted } from './not-ported.ts';

const PEOPLE = [
  'createAgent',
  'findAgentByEmail',
  'listAgents',
  'setAgentPassword',
  'removeAgent',
  'createLogin',
  'getLogin',
  'deleteLogin',
  'reserveAttempt',
  'settleAttempt',
] as const;

/** Placeholder: part C ports agents, logins and sign-in attempts (replaced at merge). */
export function peoplePart(_db: Db, _now: () => number = Date.now): Pick<Store, (typeof PEOPLE)[number]> {
  return notPorted(PEOPLE);
}
