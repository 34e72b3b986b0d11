import { oneLine } from '../../render/transcript.ts';
import { escapeHtml, renderMarkdown } from '../../render/markdown.ts';
import type { HandoffStory } from '../story.ts';

/**
 * Translates a label. Give the app's `t` for the `common` namespace; every call passes `lng: story.storyLng`, so the
 * labels follow the story's language (HANDOFF_LANGUAGE) whatever language the function was fixed to.
 */
export type HandoffT = (key: string, values?: Record<string, unknown>) => string;

/** The labelled facts a support person reads first, in the story's language. */
export function storyFacts(story: HandoffStory, t: HandoffT): { label: string; value: string }[] {
  const lng = story.storyLng;
  const tr = (key: string, values: Record<string, unknown> = {}) => t(key, { ...values, lng });
  return [
    { label: tr('handoff.email.guide'), value: story.flowTitle },
    { label: tr('handoff.email.ref'), value: story.ref },
    { label: tr('handoff.email.replyTo'), value: replyTo(story) ?? tr('handoff.email.noReplyTo') },
    { label: tr('handoff.email.language'), value: tr(`languageName.${story.lng}`, { defaultValue: story.lng }) },
    { label: tr('handoff.email.outcome'), value: `${tr(`session.outcome.${story.outcome}`, { defaultValue: story.outcome })} — ${story.stepTitle}` },
  ];
}

/** The subject a ticket or an email gets: the ref first, so a support team can search for it. */
export const storySubject = (story: HandoffStory) => `[${story.ref}] ${oneLine(story.flowTitle)}`;

/** `Name <address>` as a person reads it, or null when no address was given. */
export function replyTo(story: HandoffStory): string | null {
  if (!story.email) return null;
  return story.name ? `${oneLine(story.name)} <${story.email}>` : story.email;
}

const label = (t: HandoffT, story: HandoffStory, key: string) => t(`handoff.email.${key}`, { lng: story.storyLng });

/**
 * The whole hand-off as plain text. The person's message is quoted line by line, so nothing they typed can pass for
 * one of our labels or a transcript line.
 */
export function storyText(story: HandoffStory, t: HandoffT): string {
  const lines: string[] = [];
  lines.push(`${label(t, story, 'message')}:`, ...story.message.split(/\r\n|\r|\n/).map((l) => `> ${l}`.trimEnd()), '');
  for (const { label: l, value } of storyFacts(story, t)) lines.push(`${l}: ${oneLine(value)}`);
  if (story.checks.length > 0) {
    lines.push('', `${label(t, story, 'checks')}:`);
    for (const check of story.checks) {
      lines.push(`- ${oneLine(check.domain)}: ${oneLine(check.status)}`);
      for (const finding of check.findings) lines.push(`  - ${oneLine(finding)}`);
    }
  }
  lines.push('', `${label(t, story, 'transcript')}:`, '', story.transcriptText.trimEnd());
  if (story.consoleUrl) lines.push('', `${label(t, story, 'console')}: ${story.consoleUrl}`);
  return lines.join('\n') + '\n';
}

/**
 * The same as HTML (an email's HTML part, a ticket's first comment). Every value is escaped; the transcript is
 * Markdown rendered with raw HTML off, so a `<script>` in a message or an answer stays text.
 */
export function storyHtml(story: HandoffStory, t: HandoffT): string {
  const facts = storyFacts(story, t)
    .map(({ label: l, value }) => `<tr><th align="left" style="padding-right:1em">${escapeHtml(l)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const checks =
    story.checks.length === 0
      ? ''
      : `<h2>${escapeHtml(label(t, story, 'checks'))}</h2><ul>${story.checks
          .map(
            (c) =>
              `<li><strong>${escapeHtml(c.domain)}</strong>: ${escapeHtml(c.status)}${
                c.findings.length ? `<ul>${c.findings.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` : ''
              }</li>`,
          )
          .join('')}</ul>`;
  const link = story.consoleUrl
    ? `<p><a href="${escapeHtml(story.consoleUrl)}">${escapeHtml(label(t, story, 'console'))}</a></p>`
    : '';
  return [
    `<h2>${escapeHtml(label(t, story, 'message'))}</h2>`,
    `<blockquote style="white-space:pre-wrap">${escapeHtml(story.message)}</blockquote>`,
    `<table>${facts}</table>`,
    checks,
    `<h2>${escapeHtml(label(t, story, 'transcript'))}</h2>`,
    renderMarkdown(story.transcriptMarkdown),
    link,
  ].join('\n');
}
