import { describe, expect, it } from 'vitest';
import { CHECK_RESULT, type CheckVerdicts } from '../../flows/types.ts';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { builtinGuide } from '../fixtures/documents.ts';
import { pathsToOutcomes, stateMeta } from '../support/walk.ts';

/*
 * A `resolved` ending that says what the domain check verifies ("your domain allows the emails") may only be
 * reached through that check, with SPF found ok. Paths that skipped the check, or where it got no answer, end
 * elsewhere (informational endings that say what was not confirmed), so the resolution rate counts only what was
 * verified. Every guide with a check step names here the endings that claim its result, even when there are none.
 */
const CLAIMS_CHECKED_SPF: Record<string, string[]> = {
  'participant-no-email': ['spfVerified'],
  'survey-emails-blocked': ['senderAuthorised'],
  'notification-sender-setup': ['ownDomainReady'],
  // Its endings claim the best practices the person followed, never a record the check read.
  'delivered-not-in-inbox': [],
};

/** The endings of the same part of each guide when nothing was checked: they say so, and are not `resolved`. */
const UNCHECKED_ENDINGS: Record<string, string[]> = {
  'participant-no-email': ['spfRecordAdded'],
  'survey-emails-blocked': ['senderNotConfirmed'],
  'notification-sender-setup': ['ownDomainUnchecked'],
};

const guidesWithCheck = BUILTIN_FLOW_IDS.filter((id) => {
  const { machine } = builtinGuide(id);
  return Object.keys(machine.states).some((s) => stateMeta(machine, s).kind === 'check');
});

describe('honest outcomes', () => {
  it('names, for every guide with a check, the endings that claim its result', () => {
    expect(Object.keys(CLAIMS_CHECKED_SPF).sort()).toEqual([...guidesWithCheck].sort());
  });

  describe.each(Object.entries(CLAIMS_CHECKED_SPF).filter(([, endings]) => endings.length))('%s', (id, endings) => {
    const { machine } = builtinGuide(id);
    const paths = pathsToOutcomes(machine);

    it.each(endings)('reaches %s, a resolved ending, only through a check that found SPF ok', (ending) => {
      expect(stateMeta(machine, ending).outcome).toBe('resolved');
      const reaching = paths.filter((p) => p.states.at(-1) === ending);
      expect(reaching.length).toBeGreaterThan(0);
      for (const p of reaching) {
        const checks = p.events.flatMap((e, i) => (e === CHECK_RESULT ? [p.data[i] as CheckVerdicts] : []));
        expect(checks.at(-1)?.spf.status, p.events.join(' → ')).toBe('ok');
      }
    });
  });

  describe.each(Object.entries(UNCHECKED_ENDINGS))('%s without the check', (id, endings) => {
    const { machine } = builtinGuide(id);
    const paths = pathsToOutcomes(machine);

    it.each(endings)('ends at %s, informational, where the check was skipped', (ending) => {
      expect(stateMeta(machine, ending).outcome).toBe('informational');
      expect(paths.some((p) => p.states.at(-1) === ending && p.events.includes('SKIP_CHECK'))).toBe(true);
    });
  });
});
