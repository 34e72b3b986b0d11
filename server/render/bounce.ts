import type { TFunction } from 'i18next';
import type { BounceReport } from '../checks/bounce.ts';

export interface BounceView {
  category: string;
  /** What happened and what to do, in the reader's words (the bounce reader's own texts, `bounce.*`). */
  explanation: string;
  whatToDo: string;
  /** The codes and the remote server's reply as they came, addresses masked. */
  codes: string | null;
  remoteReply: string | null;
}

export function bounceView(r: BounceReport, t: TFunction): BounceView {
  const codes = [r.code, r.enhanced].filter(Boolean).join(' ');
  return {
    category: r.category,
    explanation: t(`bounce.${r.category}`),
    whatToDo: t(`bounce.whatToDo.${r.category}`),
    codes: codes ? t('bounceCheck.codes', { codes }) : null,
    remoteReply: r.remoteReply,
  };
}
