import { AppError } from '../http/errors.ts';
import { LANGUAGES, type Language } from '../i18n/locales.ts';
import type { FlowDocument } from './document.ts';
import { edit, factNameSchema, factValueSchema, invalidEdit, isReservedTextKey, nameTaken, namedList, OBJECT_NAMES, renameKey } from './edit-common.ts';
import { textFieldKey, type GuideTextName, type TextField } from './edit-texts.ts';
import { PLACEHOLDER } from './validate.ts';

/*
 * Edits of a guide's facts. A fact is shown by name, as {{facts.name}} in any text of any language and in a check's
 * includes, so renaming one rewrites every place it is shown, and one still shown cannot be deleted.
 */

/** Where a fact is shown: a text (its key, as textFieldKey gives it, and its language) or a check (`<step>.check`). */
export interface FactUse {
  lng?: Language;
  key: string;
}

/** The fact a placeholder's inside names, as validation reads it (`{{ facts.spfInclude }}` → spfInclude). */
const FACT_INSIDE = /^(\s*facts\.)([A-Za-z0-9]+)(\s*)$/;

/** Every text of the document in a language, with the field it is. */
function textsOf(doc: FlowDocument, lng: Language): [TextField, string][] {
  const found: [TextField, string][] = [];
  const texts = doc.texts[lng];
  for (const [key, value] of Object.entries(texts)) {
    if (isReservedTextKey(key)) {
      found.push([{ guide: key as GuideTextName }, value as string]);
      continue;
    }
    const st = value as Exclude<typeof value, string>;
    for (const name of ['title', 'body', 'body_agent'] as const) if (st[name] !== undefined) found.push([{ step: key, name }, st[name]]);
    for (const [option, label] of Object.entries(st.options ?? {})) found.push([{ step: key, option }, label]);
  }
  return found;
}

/** The facts a text shows, each once. */
const factsIn = (text: string) => new Set([...text.matchAll(PLACEHOLDER)].flatMap((m) => FACT_INSIDE.exec(m[1]!)?.[2] ?? []));

/** A text with every placeholder of fact `from` showing fact `to`, spacing kept. */
const renamedIn = (text: string, from: string, to: string) =>
  text.replace(PLACEHOLDER, (whole, inside: string) => {
    const m = FACT_INSIDE.exec(inside);
    return m && m[2] === from ? `{{${m[1]}${to}${m[3]}}}` : whole;
  });

/**
 * Where each fact is shown: every fact of the guide (an unused one with no places), then any name shown that is not
 * a fact (validation reports those).
 */
export function factUses(doc: FlowDocument): Map<string, FactUse[]> {
  const uses = new Map<string, FactUse[]>(Object.keys(doc.facts).map((name) => [name, []]));
  const add = (name: string, use: FactUse) => {
    if (!uses.has(name)) uses.set(name, []);
    uses.get(name)!.push(use);
  };
  for (const lng of LANGUAGES)
    for (const [field, text] of textsOf(doc, lng)) for (const name of factsIn(text)) add(name, { lng, key: textFieldKey(field) });
  for (const [step, state] of Object.entries(doc.machine.states)) {
    const names = new Set((state.meta.check?.includes ?? []).flatMap((include) => [...factsIn(include)]));
    for (const name of names) add(name, { key: `${step}.check` });
  }
  return uses;
}

function checkFactName(name: string): void {
  const parsed = factNameSchema.safeParse(name);
  if (!parsed.success) throw invalidEdit(`"${name}" cannot name a fact: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  if (OBJECT_NAMES.includes(name)) throw invalidEdit(`"${name}" cannot name a fact: choose a name that says what the value is.`);
}

const unknownFact = (name: string) => new AppError(404, 'unknown_fact', `The guide has no fact "${name}".`);

/**
 * Adds a fact or changes its value: a value, a list of values, a value per language, or another guide's fact
 * (`{ guide, fact }`), as the schema allows them.
 */
export function setFact(doc: FlowDocument, name: string, value: FlowDocument['facts'][string]): FlowDocument {
  checkFactName(name);
  const parsed = factValueSchema.safeParse(value);
  if (!parsed.success) throw invalidEdit(`The fact "${name}" cannot be saved: ${parsed.error.issues[0]?.message ?? 'invalid value'}.`);
  return edit(doc, (draft) => {
    draft.facts[name] = parsed.data;
  });
}

/** Renames a fact, and every {{facts.from}} in every text and check include with it. */
export function renameFact(doc: FlowDocument, from: string, to: string): FlowDocument {
  if (!Object.hasOwn(doc.facts, from)) throw unknownFact(from);
  if (from === to) return structuredClone(doc);
  checkFactName(to);
  if (Object.hasOwn(doc.facts, to)) throw nameTaken(`The guide already has a fact "${to}".`);
  return edit(doc, (draft) => {
    draft.facts = renameKey(draft.facts, from, to);
    for (const lng of LANGUAGES) {
      const texts = draft.texts[lng] as Record<string, unknown>;
      for (const [key, value] of Object.entries(texts)) {
        if (typeof value === 'string') {
          texts[key] = renamedIn(value, from, to);
          continue;
        }
        const st = value as Exclude<FlowDocument['texts'][Language][string], string>;
        for (const name of ['title', 'body', 'body_agent'] as const) if (st[name] !== undefined) st[name] = renamedIn(st[name], from, to);
        for (const [option, label] of Object.entries(st.options ?? {})) st.options![option] = renamedIn(label, from, to);
      }
    }
    for (const state of Object.values(draft.machine.states))
      if (state.meta.check) state.meta.check.includes = state.meta.check.includes.map((include) => renamedIn(include, from, to));
  });
}

/** Deletes a fact no text or check shows; one still shown is refused (409 `fact_in_use`), naming where. */
export function deleteFact(doc: FlowDocument, name: string): FlowDocument {
  if (!Object.hasOwn(doc.facts, name)) throw unknownFact(name);
  const uses = factUses(doc).get(name) ?? [];
  if (uses.length) {
    const places = uses.map((u) => (u.lng ? `${u.key} (${u.lng})` : u.key));
    throw new AppError(409, 'fact_in_use', `The fact "${name}" is still shown in ${namedList(places)}. Remove it there first.`, { details: { fact: name, uses } });
  }
  return edit(doc, (draft) => {
    delete draft.facts[name];
  });
}
