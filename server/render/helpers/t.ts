import type { HelperOptions } from 'handlebars';

/**
 * `{{t "key" name=value}}`: a text of the page's language from the `common` namespace, with interpolation. The
 * page's fixed `t` function is in the root context, so a template cannot show another language by mistake.
 * The result is escaped by Handlebars like any other value.
 */
export default function t(key: string, options: HelperOptions): string {
  const translate = (options.data.root as { t?: (key: string, values?: object) => string }).t;
  if (!translate) throw new Error(`{{t "${key}"}} used on a page rendered without a t function`);
  return translate(key, options.hash);
}
