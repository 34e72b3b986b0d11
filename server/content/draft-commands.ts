import { z } from 'zod';
import { CHECK_TYPES, OUTCOMES } from '../../flows/types.ts';
import { LANGUAGES, type Language } from '../i18n/locales.ts';
import type { FlowDocument } from './document.ts';
import {
  addOption,
  addStep,
  deleteFact,
  deleteOption,
  deleteStep,
  moveOption,
  moveStep,
  renameFact,
  renameOption,
  renameStep,
  setCheck,
  setFact,
  setOptionTarget,
  setRouteTarget,
  setStepKind,
  setText,
  STEP_KINDS,
  STEP_TEXT_NAMES,
  stepIdFromTitle,
  type TextField,
} from './edit.ts';
import { optionsOf } from './compile.ts';
import { invalidEdit } from './edit-common.ts';

/*
 * The studio's forms as commands: each form posts an `op` and its fields; the command says what to change in the
 * draft's document (through the pure edits of edit.ts), where the page should go next, and a few words for the
 * history. Parsing here, not in the route, so the same commands serve the forms and the autosave script alike.
 */

const id = z.string().trim().min(1).max(100);
const text = (max: number) => z.string().max(max);
const dir = z.enum(['up', 'down']);
/** The target select's value for "a new step": the option then leads to a question made from its label. */
export const NEW_STEP = '__new__';

const stepOps = z.discriminatedUnion('op', [
  z.object({ op: z.literal('kind'), kind: z.enum(STEP_KINDS), outcome: z.enum(OUTCOMES).or(z.literal('')).optional() }),
  z.object({ op: z.literal('rename'), to: id }),
  z.object({ op: z.literal('move'), direction: dir }),
  z.object({ op: z.literal('delete'), redirectTo: z.string().max(100).optional() }),
  z.object({ op: z.literal('addOption'), label: text(300).trim().min(1), lng: z.enum(LANGUAGES), target: id, event: z.string().trim().max(40).optional() }),
  z.object({ op: z.literal('optionTarget'), event: id, target: id }),
  z.object({ op: z.literal('optionRename'), event: id, to: id }),
  z.object({ op: z.literal('optionMove'), event: id, direction: dir }),
  z.object({ op: z.literal('optionDelete'), event: id }),
  z.object({ op: z.literal('routeTarget'), event: id, index: z.coerce.number().int().min(0).max(19), target: id }),
  z.object({ op: z.literal('check'), type: z.enum(CHECK_TYPES).optional(), includes: text(3100).optional(), dmarc: z.literal('on').optional() }),
  z.object({ op: z.literal('texts') }).passthrough(),
]);

const draftOps = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('addStep'),
    title: text(300).trim().min(1),
    lng: z.enum(LANGUAGES),
    kind: z.enum(STEP_KINDS),
    outcome: z.enum(OUTCOMES).or(z.literal('')).optional(),
    after: z.string().max(100).optional(),
  }),
  z.object({ op: z.literal('guideTexts') }).passthrough(),
  z.object({ op: z.literal('factSet'), name: id, kind: z.enum(['text', 'list', 'perLanguage']), value: text(2000).optional(), list: text(200_000).optional() }).passthrough(),
  z.object({ op: z.literal('factRename'), name: id, to: id }),
  z.object({ op: z.literal('factDelete'), name: id }),
]);

/** What a command did: the new document, the page to show next (a path inside the draft) and a note for the history. */
export interface Applied {
  document: FlowDocument;
  /** `steps/<id>#anchor`, `facts`, or '' for the draft's page. */
  next: string;
  note: string;
}

const outcomeOf = (o: string | undefined) => (o ? (o as (typeof OUTCOMES)[number]) : undefined);

/** A command on one step of the draft. `step` is the step the form is for. */
export function applyStepCommand(doc: FlowDocument, step: string, body: Record<string, unknown>, editable: readonly Language[]): Applied {
  const cmd = parseCommand(stepOps, body);
  const at = (anchor = '') => `steps/${encodeURIComponent(step)}${anchor}`;
  switch (cmd.op) {
    case 'kind':
      return { document: setStepKind(doc, step, cmd.kind, outcomeOf(cmd.outcome)), next: at('#kind'), note: `${step}: kind ${cmd.kind}` };
    case 'rename':
      return { document: renameStep(doc, step, cmd.to), next: `steps/${encodeURIComponent(cmd.to)}`, note: `${step} renamed ${cmd.to}` };
    case 'move':
      return { document: moveStep(doc, step, cmd.direction), next: '#steps', note: `${step} moved ${cmd.direction}` };
    case 'delete':
      return { document: deleteStep(doc, step, cmd.redirectTo || undefined), next: '#steps', note: `${step} deleted` };
    case 'addOption': {
      let next = doc;
      let target = cmd.target;
      if (target === NEW_STEP) {
        target = stepIdFromTitle(cmd.label, Object.keys(doc.machine.states));
        next = addStep(next, { id: target, kind: 'question', after: step, titles: { [cmd.lng]: cmd.label } });
      }
      const event = cmd.event?.trim();
      const document = addOption(next, step, { label: cmd.label, lng: cmd.lng, target, ...(event ? { event } : {}) });
      const added = Object.keys(document.machine.states[step]?.on ?? {}).find((e) => !(e in (doc.machine.states[step]?.on ?? {})));
      return { document, next: at('#options'), note: `${step}: option ${added ?? event ?? ''} added` };
    }
    case 'optionTarget':
      return { document: setOptionTarget(doc, step, cmd.event, cmd.target), next: at('#options'), note: `${step}: ${cmd.event} → ${cmd.target}` };
    case 'optionRename':
      return { document: renameOption(doc, step, cmd.event, cmd.to), next: at('#options'), note: `${step}: option ${cmd.event} renamed ${cmd.to}` };
    case 'optionMove':
      return { document: moveOption(doc, step, cmd.event, cmd.direction), next: at('#options'), note: `${step}: option ${cmd.event} moved` };
    case 'optionDelete':
      return { document: deleteOption(doc, step, cmd.event), next: at('#options'), note: `${step}: option ${cmd.event} deleted` };
    case 'routeTarget':
      return { document: setRouteTarget(doc, step, cmd.event, cmd.index, cmd.target), next: at('#options'), note: `${step}: route ${cmd.index + 1} → ${cmd.target}` };
    case 'check': {
      const current = doc.machine.states[step]?.meta.check;
      const type = cmd.type ?? current?.type ?? 'email-domain';
      // Only the domain check looks for includes and DMARC; another check keeps neither.
      const includes =
        type === 'email-domain'
          ? (cmd.includes ?? '')
              .split(/\r?\n/)
              .map((s) => s.trim())
              .filter(Boolean)
          : [];
      return {
        document: setCheck(doc, step, { type, includes, ...(cmd.dmarc && type === 'email-domain' ? { dmarc: true } : {}) }),
        next: at('#check'),
        note: `${step}: check settings`,
      };
    }
    case 'texts': {
      const fields: TextField[] = [
        ...STEP_TEXT_NAMES.map((name) => ({ step, name })),
        ...(doc.machine.states[step]?.type === 'final' ? [] : optionsOf(doc.machine.states[step] ?? { meta: { kind: 'question' } })).map((option) => ({ step, option })),
      ];
      const { document, changed } = applyTexts(doc, body, fields, editable);
      return { document, next: at('#texts'), note: `${step}: texts ${changed.join(', ') || 'unchanged'}` };
    }
  }
}

/** A command on the draft as a whole: a new step, the guide's own texts, its facts. */
export function applyDraftCommand(doc: FlowDocument, body: Record<string, unknown>, editable: readonly Language[]): Applied {
  const cmd = parseCommand(draftOps, body);
  switch (cmd.op) {
    case 'addStep': {
      const stepId = stepIdFromTitle(cmd.title, Object.keys(doc.machine.states));
      const document = addStep(doc, {
        id: stepId,
        kind: cmd.kind,
        ...(cmd.outcome ? { outcome: outcomeOf(cmd.outcome) } : {}),
        ...(cmd.after ? { after: cmd.after } : {}),
        titles: { [cmd.lng]: cmd.title },
      });
      return { document, next: `steps/${encodeURIComponent(stepId)}`, note: `step ${stepId} added` };
    }
    case 'guideTexts': {
      const fields: TextField[] = (['title', 'summary', 'keywords'] as const).map((guide) => ({ guide }));
      const { document, changed } = applyTexts(doc, body, fields, editable);
      return { document, next: '#guide-texts', note: `guide texts ${changed.join(', ') || 'unchanged'}` };
    }
    case 'factSet':
      return { document: setFact(doc, cmd.name, factValue(cmd, body)), next: 'facts', note: `fact ${cmd.name} set` };
    case 'factRename':
      return { document: renameFact(doc, cmd.name, cmd.to), next: 'facts', note: `fact ${cmd.name} renamed ${cmd.to}` };
    case 'factDelete':
      return { document: deleteFact(doc, cmd.name), next: 'facts', note: `fact ${cmd.name} deleted` };
  }
}

/** The form field of a text: `sv.title`, `de.body_agent`, `en.options.FOUND`, `no.summary`. */
export const textFieldName = (lng: Language, field: TextField) =>
  'guide' in field ? `${lng}.${field.guide}` : 'name' in field ? `${lng}.${field.name}` : `${lng}.options.${field.option}`;

/** Sets every text the form sent, in the languages the person may edit; a field not sent is left as it is. */
function applyTexts(doc: FlowDocument, body: Record<string, unknown>, fields: readonly TextField[], editable: readonly Language[]) {
  let document = doc;
  const changed = new Set<Language>();
  for (const lng of editable)
    for (const field of fields) {
      const value = body[textFieldName(lng, field)];
      if (typeof value !== 'string') continue;
      const next = setText(document, lng, field, value);
      if (next !== document && JSON.stringify(next.texts[lng]) !== JSON.stringify(document.texts[lng])) changed.add(lng);
      document = next;
    }
  return { document, changed: [...changed] };
}

/** A fact's value from its form: one text, a list (one per line), or a text per language (`value.sv`, …). */
function factValue(cmd: { kind: 'text' | 'list' | 'perLanguage'; value?: string | undefined; list?: string | undefined }, body: Record<string, unknown>) {
  if (cmd.kind === 'text') return (cmd.value ?? cmd.list ?? '').trim();
  if (cmd.kind === 'list') {
    const items = (cmd.list ?? '')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (!items.length) throw invalidEdit('A list fact needs at least one value, one per line.');
    return items;
  }
  const perLanguage: Partial<Record<Language, string>> = {};
  for (const lng of LANGUAGES) {
    const v = body[`value.${lng}`];
    if (typeof v === 'string' && v.trim()) perLanguage[lng] = v.trim();
  }
  return perLanguage;
}

function parseCommand<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidEdit(`The form could not be read: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'op'} ${i.message}`).join('; ')}`);
  return parsed.data;
}
