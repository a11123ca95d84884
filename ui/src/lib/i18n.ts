// The one translation function. Every user-visible string goes through t().
//
// Messages: English is the reference (messages/en.ts, and the lazily loaded
// admin/history chunks' own *.en.ts files). Every other language is ONE file,
// messages/<tag>.ts, typed as Record<MessageKey, string>: a missing or extra
// key is a compile error (npm run check). Those files load with a dynamic
// import, so the first download carries English only.
//
// Syntax: {name} placeholders, and ICU-style plurals chosen by Intl.PluralRules:
//   '{count, plural, one {# member} other {# members}}'
//   '{count, plural, one {# звонок} few {# звонка} many {# звонков} other {# звонка}}'
// with `#` the number in the locale's digits, `=0 {…}` for an exact value,
// and {placeholders} inside a branch.
import en from '../messages/en';
import { localeState } from './locale.svelte';

export type Messages = Record<string, string>;
export type Params = Record<string, string | number>;

/** The languages the UI ships in, each named in itself (the language menu). */
export const LANGUAGES = [
  { tag: 'en', name: 'English' },
  { tag: 'ko', name: '한국어' },
  { tag: 'ja', name: '日本語' },
  { tag: 'zh-CN', name: '简体中文' },
  { tag: 'ru', name: 'Русский' },
] as const;
export type Lang = (typeof LANGUAGES)[number]['tag'];

const catalogs: Record<string, Messages> = { en: { ...en } };

const loaders: Record<string, () => Promise<{ default: Messages }>> = {
  ko: () => import('../messages/ko'),
  ja: () => import('../messages/ja'),
  'zh-CN': () => import('../messages/zh-CN'),
  ru: () => import('../messages/ru'),
};

export function isLang(tag: unknown): tag is Lang {
  return typeof tag === 'string' && LANGUAGES.some((l) => l.tag === tag);
}

/**
 * The supported language for a list of preferences (navigator.languages,
 * Accept-Language order): exact tag, then its base language ("ko-KR" → ko,
 * "ru-RU" → ru); any Chinese ("zh", "zh-Hans", "zh-SG", "zh-TW") → zh-CN.
 * English when none matches.
 */
export function pickLanguage(preferred: readonly string[] | string | undefined): Lang {
  const list = typeof preferred === 'string' ? [preferred] : (preferred ?? []);
  for (const raw of list) {
    const tag = raw.trim().split(';')[0].toLowerCase();
    const base = tag.split('-')[0];
    const hit = LANGUAGES.find((l) => l.tag.toLowerCase() === tag) ?? LANGUAGES.find((l) => l.tag.split('-')[0] === base);
    if (hit) return hit.tag;
  }
  return 'en';
}

/**
 * Synchronous switch for the messages already present (tests pass `extra`
 * catalogues): picks the first supported language of the list, English otherwise.
 */
export function setLocale(preferred: readonly string[] | string, extra?: Record<string, Messages>) {
  if (extra) for (const [k, v] of Object.entries(extra)) catalogs[k] = { ...(catalogs[k] ?? {}), ...v };
  const list = typeof preferred === 'string' ? [preferred] : preferred;
  for (const tag of list) {
    const base = tag.toLowerCase().split('-')[0];
    if (catalogs[tag]) return use(tag);
    const known = Object.keys(catalogs).find((k) => k.toLowerCase().split('-')[0] === base);
    if (known) return use(known);
  }
  use('en');
}

/** Loads a language's messages (once) and makes it the active one; sets <html lang>. */
export async function loadLocale(tag: Lang): Promise<void> {
  if (tag !== 'en' && !catalogs[tag]?.['app.name']) {
    const m = await loaders[tag]();
    catalogs[tag] = { ...m.default, ...(catalogs[tag] ?? {}) };
  }
  use(tag);
}

/** Adds messages to a language (e.g. a lazily loaded screen's own English strings). */
export function addMessages(lang: string, msgs: Messages) {
  const cat = (catalogs[lang] ??= {});
  Object.assign(cat, msgs);
  if (lang === localeState.tag || lang === 'en') localeState.version++;
}

function use(tag: string) {
  localeState.tag = tag;
  localeState.version++;
  if (typeof document !== 'undefined') document.documentElement.lang = tag;
}

/** The active language tag (reactive in templates): "en", "ko", "ja", "zh-CN", "ru". */
export function currentLocale(): string {
  void localeState.version;
  return localeState.tag;
}

function lookup(key: string): string | undefined {
  return catalogs[localeState.tag]?.[key] ?? catalogs.en[key];
}

const rulesCache = new Map<string, Intl.PluralRules>();
const numCache = new Map<string, Intl.NumberFormat>();
function pluralRules(locale: string) {
  let r = rulesCache.get(locale);
  if (!r) rulesCache.set(locale, (r = new Intl.PluralRules(locale)));
  return r;
}
function numberFormat(locale: string) {
  let f = numCache.get(locale);
  if (!f) numCache.set(locale, (f = new Intl.NumberFormat(locale)));
  return f;
}

/** Splits a plural's branches: "one {# x} other {# y}" → [["one","# x"],["other","# y"]]. */
export function pluralBranches(body: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < body.length) {
    while (i < body.length && /\s/.test(body[i])) i++;
    const open = body.indexOf('{', i);
    if (open < 0) break;
    const sel = body.slice(i, open).trim();
    let depth = 0;
    let j = open;
    for (; j < body.length; j++) {
      if (body[j] === '{') depth++;
      else if (body[j] === '}' && --depth === 0) break;
    }
    out.push([sel, body.slice(open + 1, j)]);
    i = j + 1;
  }
  return out;
}

const PLURAL = /\{(\w+),\s*plural,/g;

/** Fills a message: plurals first, then {name} placeholders. Exported for tests. */
export function format(msg: string, params: Params | undefined, locale: string): string {
  if (params && msg.includes(', plural,')) {
    let out = '';
    let last = 0;
    PLURAL.lastIndex = 0;
    for (let m = PLURAL.exec(msg); m; m = PLURAL.exec(msg)) {
      // the plural's closing brace
      let depth = 0;
      let end = m.index;
      for (; end < msg.length; end++) {
        if (msg[end] === '{') depth++;
        else if (msg[end] === '}' && --depth === 0) break;
      }
      const n = Number(params[m[1]]);
      const branches = pluralBranches(msg.slice(m.index + m[0].length, end));
      const cat = Number.isFinite(n) ? pluralRules(locale).select(n) : 'other';
      const chosen =
        branches.find(([s]) => s === `=${n}`) ?? branches.find(([s]) => s === cat) ?? branches.find(([s]) => s === 'other');
      const text = chosen ? chosen[1].replace(/#/g, Number.isFinite(n) ? numberFormat(locale).format(n) : String(params[m[1]])) : '';
      out += msg.slice(last, m.index) + text;
      last = end + 1;
      PLURAL.lastIndex = last;
    }
    msg = out + msg.slice(last);
  }
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/**
 * Translates key, filling {name} placeholders and {n, plural, …} forms from
 * params. Missing in the active language: English; missing there: the key.
 */
export function t(key: string, params?: Params): string {
  void localeState.version;
  const msg = lookup(key) ?? key;
  return format(msg, params, localeState.tag);
}
