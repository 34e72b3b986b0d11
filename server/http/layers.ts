const NAME = Symbol('layer');

/**
 * Names one of our middlewares for the hot path's check of the app's layers (hot-path.ts MIRRORED_LAYERS). Not the
 * function's own name: a bundler renames functions whose names collide, and `npm start` runs the bundle.
 */
export function layer<T extends object>(name: string, middleware: T): T {
  (middleware as { [NAME]?: string })[NAME] = name;
  return middleware;
}

/** The name `layer` gave, else the function's own (a library's middleware, which the bundle leaves as it is). */
export const layerName = (handle: unknown, own: string): string => (handle as { [NAME]?: string } | undefined)?.[NAME] ?? own;
