/**
 * Stand-ins for the parts of the PostgreSQL store ported on other branches (analytics, content, people, hand-offs):
 * every method throws until the part is merged in its place. Delete this file when the last one is.
 */
export function notPorted<T extends object>(names: readonly (keyof T)[]): T {
  const fail = () => {
    throw new Error('not ported yet');
  };
  return Object.fromEntries(names.map((name) => [name, fail])) as T;
}
