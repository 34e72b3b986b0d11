import { OUTCOMES } from '../../flows/types.ts';
import type { Figures, HandoffFigures } from './types.ts';

/** What both stores count for a period, before the figures are made from it. */
export interface PeriodCounts {
  /** started, finished, abandoned, inProgress and one count per outcome (other columns a store read with them may ride along). */
  totals: Readonly<Record<string, number | null>>;
  medianSeconds: number | null;
  perDay: Figures['perDay'];
  yes: number;
  no: number;
  comments: Figures['comments'];
  /** Hand-off figures by guide id; '' for all guides together. */
  handoffs: Map<string, HandoffFigures>;
}

const NO_HANDOFFS: HandoffFigures = { total: 0, solved: 0, medianHoursToSolved: null };

/** The period's figures from its counts: the same rates and shapes whichever store counted. */
export function periodFigures(c: PeriodCounts): Figures {
  const count = (name: string) => c.totals[name] ?? 0;
  const finished = count('finished');
  return {
    started: count('started'),
    finished,
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, count(o)])) as Figures['outcomes'],
    abandoned: count('abandoned'),
    inProgress: count('inProgress'),
    resolutionRate: finished ? count('resolved') / finished : null,
    feedback: { yes: c.yes, no: c.no, rate: c.yes + c.no ? c.yes / (c.yes + c.no) : null },
    comments: c.comments,
    medianSecondsToOutcome: c.medianSeconds,
    perDay: c.perDay,
    handoffs: c.handoffs.get('') ?? NO_HANDOFFS,
  };
}

/** Hand-off figures per guide, most hand-offs first. */
export const handoffsByFlow = (byFlow: Map<string, HandoffFigures>): NonNullable<Figures['handoffsByFlow']> =>
  [...byFlow].map(([flowId, figures]) => ({ flowId, ...figures })).sort((a, b) => b.total - a.total || a.flowId.localeCompare(b.flowId));
