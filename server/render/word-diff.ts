import type { WordPart } from '../content/compare.ts';
import { escapeHtml } from './markdown.ts';

/**
 * A word diff as HTML: removed words in <del>, added ones in <ins>, the rest as it was. The texts are shown as
 * written (Markdown source, placeholders and all), escaped: a translator compares what they edit, not its rendering.
 */
export function wordDiffHtml(parts: readonly WordPart[]): string {
  return parts
    .map((p) => {
      const text = escapeHtml(p.text);
      if (p.added) return `<ins>${text}</ins>`;
      if (p.removed) return `<del>${text}</del>`;
      return text;
    })
    .join('');
}
