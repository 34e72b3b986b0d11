import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { ROOT_DIR } from '../root.ts';
import { helpers } from './helpers/index.ts';

export const VIEWS_DIR = join(ROOT_DIR, 'views/');

export type Render = (page: string, data: Record<string, unknown>, layout?: string) => string;

function compileDir(hbs: typeof Handlebars, dir: string) {
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs')))
    templates.set(basename(file, '.hbs'), hbs.compile(readFileSync(join(dir, file), 'utf8'), { strict: false }));
  return templates;
}

/**
 * Our own small view engine over Handlebars: every template is compiled once at start-up (a typo fails the start,
 * not a request), pages render into a layout, and helpers come from one explicit list.
 */
export function createViews(dir: string = VIEWS_DIR): Render {
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn as Handlebars.HelperDelegate);
  // Registered compiled, not as source: a partial given as a string is compiled again on every call that passes it
  // a block or hash (Handlebars keeps the compiled one only in that call's own partials object).
  for (const file of readdirSync(join(dir, 'partials')).filter((f) => f.endsWith('.hbs')))
    hbs.registerPartial(basename(file, '.hbs'), hbs.compile(readFileSync(join(dir, 'partials', file), 'utf8'), { strict: false }));
  const layouts = compileDir(hbs, join(dir, 'layouts'));
  const pages = compileDir(hbs, join(dir, 'pages'));

  return (page, data, layout = 'main') => {
    const template = pages.get(page);
    const frame = layouts.get(layout);
    if (!template || !frame) throw new Error(`no view ${layout}/${page}`);
    return frame({ ...data, body: template(data) });
  };
}
