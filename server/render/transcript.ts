import type { TFunction } from 'i18next';
import { CHECK_RESULT } from '../../flows/types.ts';
import type { EmailDomainReport } from '../checks/email-domain.ts';
import type { FlowRegistry } from '../engine/flow-registry.ts';
import type { Language } from '../i18n/locales.ts';
import type { StepRenderer } from './step.ts';
import type { AgentRecord, SessionRecord, StepRecord } from '../store/types.ts';

export type TranscriptFormat = 'text' | 'markdown';

export interface TranscriptInput {
  session: SessionRecord;
  steps: StepRecord[];
  agents: Map<number, AgentRecord>;
  /** The reader's language: the agent's, which may differ from the caller's. */
  lng: Language;
  t: TFunction;
}

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** Markdown would read `*`, `_`, `[`… in a person's note as formatting; escape them so notes show as typed. */
const mdEscape = (s: string) => s.replace(/([\\`*_[\]<>|])/g, '\\$1');

/**
 * The whole session as a ticket system wants it: every step in order with the answer given, Back and Start over
 * where they happened, notes, who acted, times and the outcome. Plain text or Markdown.
 */
export function transcript(flows: FlowRegistry, renderer: StepRenderer, input: TranscriptInput, format: TranscriptFormat): string {
  const { session, steps, agents, lng, t } = input;
  const flow = flows.get(session.flowId);
  const text = (key: string) => (flow ? renderer.text(flow, key, lng, 'agent') : key);
  const md = format === 'markdown';
  const esc = (s: string) => (md ? mdEscape(s) : s);
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(md ? `- **${label}:** ${esc(value)}` : `${label}: ${value}`);

  lines.push(md ? `# ${esc(t('transcript.heading'))}` : t('transcript.heading'), '');
  field(t('transcript.flow'), flow ? text('title') : session.flowId);
  field(t('transcript.ref'), session.ref);
  if (session.ticketRef) field(t('transcript.ticket'), session.ticketRef);
  field(t('transcript.callerLanguage'), session.lng);
  field(t('transcript.channel'), t(`channel.${session.channel}`));
  field(t('transcript.started'), time(session.createdAt));
  if (session.agentId !== null) {
    const agent = agents.get(session.agentId);
    field(t('transcript.agent'), `${agent?.name ?? session.agentId}${session.takenOverAt ? ` (${time(session.takenOverAt)})` : ''}`);
  }
  lines.push('', md ? `## ${esc(t('transcript.steps'))}` : `${t('transcript.steps')}:`, '');

  // Each row says where the session went; the answer to a step is the event of the row after it.
  let n = 0;
  steps.forEach((row, i) => {
    const next = steps[i + 1];
    const who = row.agentId !== null ? ` · ${agents.get(row.agentId)?.name ?? row.agentId}` : '';
    if (row.event === 'BACK' || row.event === 'RESTART') {
      const what = t(row.event === 'BACK' ? 'transcript.wentBack' : 'transcript.restarted');
      lines.push(md ? `- *${esc(what)}* (${time(row.at)}${who})` : `   [${what}, ${time(row.at)}${who}]`);
    }
    n++;
    const title = flow?.machine.states[row.state] ? text(`${row.state}.title`) : row.state;
    lines.push(md ? `${n}. **${esc(title)}** (${time(row.at)}${who})` : `${n}. ${title} (${time(row.at)}${who})`);
    if (next && next.event !== 'BACK' && next.event !== 'RESTART' && flow?.machine.states[row.state]) {
      const report = next.data as EmailDomainReport;
      const answer =
        next.event === CHECK_RESULT
          ? `${t('check.checked', { domain: report.domainUnicode })}: SPF ${report.spf.status}, MX ${report.mx.status}, DMARC ${report.dmarc.status}`
          : text(`${row.state}.options.${next.event}`);
      lines.push(md ? `   - ${esc(t('transcript.answer'))}: ${esc(answer)}` : `   ${t('transcript.answer')}: ${answer}`);
    }
    if (row.note) {
      const note = row.note.replace(/\r?\n/g, md ? ' ' : '\n      ');
      lines.push(md ? `   - ${esc(t('transcript.note'))}: ${esc(note)}` : `   ${t('transcript.note')}: ${note}`);
    }
  });

  lines.push('');
  if (session.outcome) field(t('transcript.outcome'), `${t(`session.outcome.${session.outcome}`)} — ${text(`${session.snapshot.value}.title`)}`);
  else field(t('transcript.status'), t('transcript.inProgress'));
  return lines.join('\n') + '\n';
}
