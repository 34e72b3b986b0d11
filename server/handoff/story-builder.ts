import { CHECK_RESULT, type Outcome } from '../../flows/types.ts';
import type { EmailDomainReport } from '../checks/email-domain.ts';
import type { RegisteredFlow } from '../engine/flow-registry.ts';
import type { Language } from '../i18n/locales.ts';
import type { StepRenderer } from '../render/step.ts';
import type { SessionRecord, StepRecord } from '../store/types.ts';
import type { HandoffStory, StoryCheck, StoryStep } from './story.ts';

export interface StoryInput {
  id: string;
  session: SessionRecord;
  flow: RegisteredFlow;
  steps: StepRecord[];
  outcome: Outcome;
  request: { message: string; email: string | null; name: string | null };
  /** The support team's language (HANDOFF_LANGUAGE). */
  storyLng: Language;
  transcriptText: string;
  transcriptMarkdown: string;
  consoleUrl: string | null;
  createdAt: number;
}

/**
 * The story a hand-off carries, in the support team's language and with the agents' wording of each step: every step
 * the session took and the answer given there, the domain checks it ran with their findings, and the ending.
 */
export function buildStory(renderer: StepRenderer, input: StoryInput): HandoffStory {
  const { session, flow, steps, storyLng } = input;
  const text = (key: string) => renderer.text(flow, key, storyLng, 'agent');
  const transcript: StoryStep[] = [];
  const checks: StoryCheck[] = [];
  for (const [i, row] of steps.entries()) {
    if (!flow.machine.states[row.state]) continue;
    const next = steps[i + 1];
    const step: StoryStep = { stepId: row.state, title: text(`${row.state}.title`), at: new Date(row.at).toISOString() };
    if (next && next.event !== 'BACK' && next.event !== 'RESTART') {
      if (next.event === CHECK_RESULT) {
        const report = next.data as EmailDomainReport;
        checks.push(checkOf(report));
        step.answer = report.domainUnicode;
      } else step.answer = text(`${row.state}.options.${next.event}`);
    }
    transcript.push(step);
  }
  const stepId = String(session.snapshot.value);
  return {
    id: input.id,
    sessionId: session.id,
    ref: session.ref,
    flowId: session.flowId,
    flowTitle: text('title'),
    flowVersion: session.flowVersion,
    lng: session.lng as Language,
    storyLng,
    outcome: input.outcome,
    stepId,
    stepTitle: text(`${stepId}.title`),
    message: input.request.message,
    email: input.request.email,
    name: input.request.name,
    createdAt: new Date(input.createdAt).toISOString(),
    transcript,
    transcriptText: input.transcriptText,
    transcriptMarkdown: input.transcriptMarkdown,
    checks,
    consoleUrl: input.consoleUrl,
  };
}

/** A check's result as a help desk reads it: each part's status, and the problems it found. */
function checkOf(report: EmailDomainReport): StoryCheck {
  const parts = { SPF: report.spf, MX: report.mx, DMARC: report.dmarc } as const;
  const findings = Object.entries(parts).map(([name, part]) => {
    const problems = 'problems' in part && Array.isArray(part.problems) ? (part.problems as unknown[]).map(String) : [];
    const record = 'record' in part && typeof part.record === 'string' ? ` (${part.record})` : '';
    return `${name}: ${part.status}${record}${problems.length ? ` — ${problems.join(', ')}` : ''}`;
  });
  const statuses = Object.values(parts).map((p) => p.status);
  return { domain: report.domainUnicode, status: statuses.every((s) => s === 'ok') ? 'ok' : 'problem', findings };
}
