import { InvalidPasteError } from '../http/errors.ts';
import { BOUNCE_MAX_CHARS, explainBounce, isBounce, type BounceReport } from './bounce.ts';

/**
 * A bounce as a guide's step takes it: some text, at most 64 KB, with a status code in it; refused otherwise with an
 * InvalidPasteError (400, or 413 when too long), as POST /api/checks/bounce refuses it.
 */
export async function checkPastedBounce(text: unknown): Promise<BounceReport> {
  if (typeof text !== 'string' || !text.trim()) throw new InvalidPasteError('empty', 'text: paste the message that came back');
  if (Buffer.byteLength(text, 'utf8') > BOUNCE_MAX_CHARS)
    throw new InvalidPasteError('too_large', `text: a bounce message is read up to ${BOUNCE_MAX_CHARS / 1024} KB; paste the part with the error`);
  const report = explainBounce(text);
  if (!isBounce(report)) throw new InvalidPasteError('no_code', 'text: no status code found (like 550 or 5.1.1); paste the whole message that came back');
  return report;
}
