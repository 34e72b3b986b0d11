/** `{{#if (eq a b)}}`: templates compare an outcome or a kind to a literal. */
export default function eq(a: unknown, b: unknown): boolean {
  return a === b;
}
