/** `{{t (concat "studio:kinds." kind)}}`: a text key made of a prefix and a value, for a label per kind or outcome. */
export default function concat(...args: unknown[]): string {
  // Handlebars passes its options object last.
  return args.slice(0, -1).map(String).join('');
}
