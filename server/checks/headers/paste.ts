import { InvalidPasteError } from '../../http/errors.ts';
import type { Dns } from '../dns.ts';
import { analyzeHeaders, NoHeadersError, type HeaderReport } from '../headers.ts';
import { HEADERS_MAX_BYTES } from './text.ts';

/**
 * Pasted headers as the API and a guide's step take them: some text, at most HEADERS_MAX_BYTES, holding headers.
 * Every refusal is an InvalidPasteError (400, or 413 when too long), never a failure of ours.
 */
export async function checkPastedHeaders(dns: Dns, text: unknown): Promise<HeaderReport> {
  if (typeof text !== 'string' || !text.trim()) throw new InvalidPasteError('empty', 'headers: paste the email\'s headers');
  if (Buffer.byteLength(text) > HEADERS_MAX_BYTES)
    throw new InvalidPasteError('too_large', `headers: at most ${HEADERS_MAX_BYTES / 1024} KB; paste the headers only, without the message`);
  try {
    return await analyzeHeaders(dns, text);
  } catch (e) {
    if (e instanceof NoHeadersError) throw new InvalidPasteError('no_headers', `headers: ${e.message}`);
    throw e;
  }
}
