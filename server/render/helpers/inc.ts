/** `{{inc @index}}`: options are numbered from 1 for people and keyboard shortcuts. */
export default function inc(n: number): number {
  return n + 1;
}
