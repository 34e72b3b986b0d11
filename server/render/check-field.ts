import type { DomainRefusal } from '../checks/domain.ts';
import type { AppContext } from '../http/context.ts';
import type { Language } from '../i18n/locales.ts';

/** What a check step's domain field shows again: the text typed, and why it was not checked or what to check instead. */
export interface CheckField {
  value: string;
  refusal?: DomainRefusal;
  /** A pasted web address (`host`) and its registrable domain (`domain`), offered instead. */
  suggestion?: { host: string; domain: string };
}

/** The field's view for `views/partials/check-form.hbs`, its texts in `lng` (`check.invalid.*`, `check.suggest.*`). */
export function checkField(ctx: Pick<AppContext, 'i18n'>, lng: Language, field: CheckField) {
  const t = ctx.i18n.getFixedT(lng);
  return {
    value: field.value,
    error: field.refusal ? t(`check.invalid.${field.refusal.problem}`, { name: field.refusal.name ?? field.value.trim() }) : undefined,
    suggestion: field.suggestion?.domain,
    suggestionText: field.suggestion ? t('check.suggest.text', { ...field.suggestion, submit: t('check.submit') }) : undefined,
  };
}
