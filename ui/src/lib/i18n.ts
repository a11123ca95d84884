// The one translation function. Every user-visible string goes through t().
// Adding a language is adding a file in ../messages and a line in `catalogs`.
import en from '../messages/en';

export type Messages = Record<string, string>;
export type Params = Record<string, string | number>;

const catalogs: Record<string, Messages> = { en };

let locale = 'en';
let active: Messages = en;

/** Picks the first supported language of the browser; English otherwise. */
export function setLocale(preferred: readonly string[] | string, extra?: Record<string, Messages>) {
  if (extra) Object.assign(catalogs, extra);
  const list = typeof preferred === 'string' ? [preferred] : preferred;
  for (const tag of list) {
    const base = tag.toLowerCase().split('-')[0];
    if (catalogs[tag]) return use(tag);
    if (catalogs[base]) return use(base);
  }
  use('en');
}

/** Adds messages to a language (e.g. a lazily loaded screen's own strings). */
export function addMessages(lang: string, msgs: Messages) {
  const cat = (catalogs[lang] ??= {});
  Object.assign(cat, msgs);
}

function use(tag: string) {
  locale = tag;
  active = catalogs[tag];
}

export function currentLocale(): string {
  return locale;
}

function lookup(key: string): string | undefined {
  return active[key] ?? en[key];
}

/**
 * Translates key, filling {name} placeholders from params. With a numeric
 * params.count, `key.one` / `key.other` (Intl plural categories) are tried
 * first. Missing in the active language: English; missing there: the key.
 */
export function t(key: string, params?: Params): string {
  let msg: string | undefined;
  if (params && typeof params.count === 'number') {
    const cat = new Intl.PluralRules(locale).select(params.count);
    msg = lookup(`${key}.${cat}`) ?? lookup(`${key}.other`);
  }
  msg ??= lookup(key) ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}
