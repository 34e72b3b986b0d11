import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder, found from this module upwards, so that `views/` and `locales/` are found alike from the
 * TypeScript sources (`server/...`) and from the one-file bundle `npm start` runs (`dist/main.mjs`).
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT_DIR = findRoot(dirname(fileURLToPath(import.meta.url)));
