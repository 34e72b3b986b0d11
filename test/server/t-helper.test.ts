import { describe, expect, it } from 'vitest';
import { createI18n, tFor } from '../../server/i18n/i18n.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import t from '../../server/render/helpers/t.ts';

const i18n = createI18n();
const helper = (translate: unknown, key: string, hash: Record<string, unknown>) => t(key, { hash, data: { root: { t: translate } } } as never);

/*
 * The views' t helper keeps texts asked for with values (a history item's answer label, on every page of a
 * session): what it gives must be what the page's t function gives, for each language and each set of values,
 * the first time and every time after.
 */
describe('the t helper with values', () => {
  it('gives what the page t function gives, in every language, for every value, again and again', () => {
    for (const lng of LANGUAGES) {
      const translate = tFor(i18n, lng);
      for (const answer of ['Ja', 'Nej', 'Ja ', '<b>&', '1', '']) {
        for (let round = 0; round < 2; round++) {
          expect(helper(translate, 'session.answerLabel', { answer })).toBe(translate('session.answerLabel', { answer }));
          expect(helper(translate, 'check.heading', { domain: answer })).toBe(translate('check.heading', { domain: answer }));
        }
      }
      // A number and the same digits as text are kept apart; values of other kinds are not kept, only passed on.
      expect(helper(translate, 'handoff.request.messageHint', { max: 5 })).toBe(translate('handoff.request.messageHint', { max: 5 }));
      expect(helper(translate, 'handoff.request.messageHint', { max: '5' })).toBe(translate('handoff.request.messageHint', { max: '5' }));
      expect(helper(translate, 'session.answerLabel', { answer: { toString: () => 'x' } })).toBe(translate('session.answerLabel', { answer: { toString: () => 'x' } }));
    }
    // Two languages never share a text.
    expect(helper(tFor(i18n, 'sv'), 'session.answerLabel', { answer: 'Ja' })).not.toBe(helper(tFor(i18n, 'de'), 'session.answerLabel', { answer: 'Ja' }));
  });
});
