import { createI18n, tFor } from '../../server/i18n/i18n.ts';
import type { HandoffT } from '../../server/handoff/channels/story-view.ts';
import type { HandoffStory } from '../../server/handoff/story.ts';

/** The app's own `t` (common namespace, the real locales): what the server gives the channels. */
export function handoffT(): HandoffT {
  return tFor(createI18n(), 'en');
}

/**
 * A hand-off as the store would hold it: a person at the end of "participant-no-email" who checked their domain
 * and wrote a message. Override any field; `message` carries markup on purpose, to prove it is escaped.
 */
export function handoffStory(overrides: Partial<HandoffStory> = {}): HandoffStory {
  return {
    id: 'hof_01JQ7Z8K2M',
    sessionId: 'ses_7d1c9e0b',
    ref: 'K7Q-4M2',
    flowId: 'participant-no-email',
    flowTitle: 'I did not get the email',
    flowVersion: 'sha256-3f9a1c',
    lng: 'de',
    storyLng: 'en',
    outcome: 'escalated',
    stepId: 'contactSupport',
    stepTitle: 'Contact support',
    message: 'Still nothing after two days.\n<script>alert("x")</script> & more',
    email: 'anna@example.de',
    name: 'Anna Schmidt',
    createdAt: '2026-12-02T10:15:00.000Z',
    transcript: [
      { stepId: 'checkedSpam', title: 'Did you look in your spam folder?', answer: 'Yes, it is not there', at: '2026-12-02T10:12:00.000Z' },
      { stepId: 'checkDomain', title: 'Check the sending domain', answer: 'Checked example.de', at: '2026-12-02T10:13:30.000Z' },
      { stepId: 'contactSupport', title: 'Contact support', at: '2026-12-02T10:14:10.000Z' },
    ],
    transcriptText:
      'Support transcript\n\n1. Did you look in your spam folder?\n   Answer: Yes, it is not there\n2. Check the sending domain\n   Answer: Checked example.de\n3. Contact support\n',
    transcriptMarkdown:
      '# Support transcript\n\n1. **Did you look in your spam folder?**\n   - Answer: Yes, it is not there\n2. **Check the sending domain**\n   - Answer: Checked example.de\n3. **Contact support**\n',
    checks: [{ domain: 'example.de', status: 'include_missing', findings: ['SPF does not include amazonses.com'] }],
    consoleUrl: 'https://help.example.com/agent/sessions/ses_7d1c9e0b',
    ...overrides,
  };
}
