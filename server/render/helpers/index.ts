import concat from './concat.ts';
import eq from './eq.ts';
import inc from './inc.ts';
import t from './t.ts';

/** Every Handlebars helper the views may use, registered from this explicit list. */
export const helpers = { t, eq, inc, concat } as const;
