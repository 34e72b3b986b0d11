import type { TFunction } from 'i18next';
import { CHECK_RESULT } from '../../flows/types.ts';
import type { EmailDomainReport } from '../checks/email-domain.ts';
import type { RegisteredFlow } from '../engine/flow-registry.ts';
import type { Language } from '../i18n/locales.ts';
import { utcMinute } from './format.ts';
import type { StepRenderer } from './step.ts';
import type { AgentRecord, NoteRecord, SessionRecord, StepRecord } from '../store/types.ts';

export const TRANSCRIPT_FORMATS = ['text', 'markdown'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/**
 * Bounds on a transcript: the rows it is built from and the text it returns. A real session is a few kilobytes;
 * these only stop a session that went on and on (or a note pasted again and again) from costing the server.
 */
export const TRANSCRIPT_LIMITS = { rows: 1000, notes: 1000, chars: 200_000 } as const;

export interface TranscriptInput {
  session: SessionRecord;
  /** The version of the guide the session is on (undefined when the guide is gone). */
  flow: RegisteredFlow | undefined;
  /** The session's first rows, at most TRANSCRIPT_LIMITS.rows of them. */
  steps: StepRecord[];
  /** Every version of the notes (oldest first): who wrote what, when. */
  notes: NoteRecord[];
  agents: Map<number, AgentRecord>;
  /** The reader's language: the agent's, which may differ from the caller's. */
  lng: Language;
  t: TFunction;
}

const time = (ms: number) => `${utcMinute(ms)} UTC`;

const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;
// Control characters, and the marks that reorder or hide text (a right-to-left override can make "Unsolved" read
// as something else).
const CONTROL = /[\p{Cc}]/gu;
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const clean = (s: string) => s.replace(CONTROL, ' ').replace(BIDI, '');

/** A value as one line: a ticket reference like "T-1\n\nOutcome: Solved" must not add lines of its own. */
export const oneLine = (s: string) =>
  s
    .split(LINE_BREAK)
    .map((line) => clean(line).trim())
    .filter(Boolean)
    .join(' ');

/** Markdown would read `*`, `_`, `[`, `<`, `&`… in a value as formatting, links or HTML: escape them so text shows as typed. */
export const mdEscape = (s: string) => oneLine(s).replace(/([\\`*_[\]<>|~&])/g, '\\$1');

/**
 * The whole session as a ticket system wants it: every step in order with the answer given, Back and Start over
 * where they happened, notes with who wrote them (and every earlier version), who acted, times and the outcome.
 * Plain text or Markdown; every value is written as one line (notes as indented lines of their own) and escaped
 * for Markdown, so no value can pass for a line of the transcript.
 */
export function transcript(renderer: StepRenderer, input: TranscriptInput, format: TranscriptFormat): string {
  const { session, flow, steps, notes, agents, lng, t } = input;
  const text = (key: string) => (flow ? renderer.text(flow, key, lng, 'agent') : key);
  const md = format === 'markdown';
  const esc = (s: string) => (md ? mdEscape(s) : oneLine(s));
  const agentName = (id: number) => agents.get(id)?.name ?? String(id);
  const lines: string[] = [];
  let size = 0;
  const push = (...add: string[]) => {
    for (const line of add) size += line.length + 1;
    lines.push(...add);
  };
  const field = (label: string, value: string) => push(md ? `- **${esc(label)}:** ${esc(value)}` : `${esc(label)}: ${esc(value)}`);

  push(md ? `# ${esc(t('transcript.heading'))}` : t('transcript.heading'), '');
  field(t('transcript.flow'), flow ? text('title') : session.flowId);
  field(t('transcript.ref'), session.ref);
  if (session.ticketRef) field(t('transcript.ticket'), session.ticketRef);
  field(t('transcript.callerLanguage'), t(`languageName.${session.lng}`, { defaultValue: session.lng }));
  field(t('transcript.channel'), t(`channel.${session.channel}`));
  field(t('transcript.started'), time(session.createdAt));
  if (session.agentId !== null)
    field(t('transcript.agent'), `${agentName(session.agentId)}${session.takenOverAt ? ` (${time(session.takenOverAt)})` : ''}`);
  push('', md ? `## ${esc(t('transcript.steps'))}` : `${t('transcript.steps')}:`, '');

  const versions = new Map<number, NoteRecord[]>();
  for (const note of notes) {
    const list = versions.get(note.seq);
    if (list) list.push(note);
    else versions.set(note.seq, [note]);
  }
  const noteLines = (label: string, note: string, by: string) => {
    const byline = `${esc(label)}${by ? ` (${by})` : ''}`;
    if (note === '') return [md ? `   - ${byline}` : `   ${byline}`];
    const head = `${byline}:`;
    if (md) return [`   - ${head} ${mdEscape(note)}`];
    const [first = '', ...more] = note.split(LINE_BREAK).map(clean);
    // Further lines of a note are marked as its own, so a line in it cannot pass for an answer or the outcome.
    return [`   ${head} ${first}`.trimEnd(), ...more.map((line) => `      | ${line}`.trimEnd())];
  };

  // Each row says where the session went; the answer to a step is the event of the row after it.
  let n = 0;
  let cut = steps.length < session.lastSeq + 1;
  for (const [i, row] of steps.entries()) {
    if (size > TRANSCRIPT_LIMITS.chars) {
      cut = true;
      break;
    }
    const next = steps[i + 1];
    const who = row.agentId !== null ? ` · ${esc(agentName(row.agentId))}` : '';
    if (row.event === 'BACK' || row.event === 'RESTART') {
      const what = t(row.event === 'BACK' ? 'transcript.wentBack' : 'transcript.restarted');
      push(md ? `- *${esc(what)}* (${time(row.at)}${who})` : `   [${what}, ${time(row.at)}${who}]`);
    }
    n++;
    const title = flow?.machine.states[row.state] ? text(`${row.state}.title`) : row.state;
    push(md ? `${n}. **${esc(title)}** (${time(row.at)}${who})` : `${n}. ${esc(title)} (${time(row.at)}${who})`);
    if (next && next.event !== 'BACK' && next.event !== 'RESTART' && flow?.machine.states[row.state]) {
      const report = next.data as EmailDomainReport;
      const answer =
        next.event === CHECK_RESULT
          ? `${t('check.checked', { domain: report.domainUnicode })}: SPF ${report.spf.status}, MX ${report.mx.status}, DMARC ${report.dmarc.status}`
          : text(`${row.state}.options.${next.event}`);
      push(md ? `   - ${esc(t('transcript.answer'))}: ${esc(answer)}` : `   ${esc(t('transcript.answer'))}: ${esc(answer)}`);
    }
    const history = versions.get(row.seq);
    if (history) {
      for (const [v, note] of history.entries()) {
        if (size > TRANSCRIPT_LIMITS.chars) {
          cut = true;
          break;
        }
        const label = note.text === '' ? 'transcript.noteRemoved' : v === 0 ? 'transcript.note' : 'transcript.noteChanged';
        const by = [note.agentId !== null ? esc(agentName(note.agentId)) : '', time(note.at)].filter(Boolean).join(', ');
        push(...noteLines(t(label), note.text, by));
      }
    } else if (row.note) push(...noteLines(t('transcript.note'), row.note, ''));
  }
  if (cut) push('', md ? `*${esc(t('transcript.cut'))}*` : `[${t('transcript.cut')}]`);

  push('');
  if (session.outcome) field(t('transcript.outcome'), `${t(`session.outcome.${session.outcome}`)} — ${text(`${session.snapshot.value}.title`)}`);
  else field(t('transcript.status'), t('transcript.inProgress'));
  return lines.join('\n') + '\n';
}
