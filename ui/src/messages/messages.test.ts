// Every language has every key of the English catalogue (also checked by the
// compiler: messages/<tag>.ts is typed Catalogue), the same {placeholders},
// and every plural form its language needs (Intl.PluralRules categories).
import { describe, expect, it } from 'vitest';
import en from './en';
import enAdmin from '../admin/messages.en';
import enAlerts from '../admin/alertsMessages.en';
import enHistory from '../history/messages.en';
import ko from './ko';
import ja from './ja';
import zhCN from './zh-CN';
import ru from './ru';
import { pluralBranches } from '../lib/i18n';

const english: Record<string, string> = { ...en, ...enAdmin, ...enAlerts, ...enHistory };
const locales: Record<string, Record<string, string>> = { ko, ja, 'zh-CN': zhCN, ru };

/** {name} placeholders and plural arguments, plural bodies flattened. */
function placeholders(msg: string): string[] {
  const out = new Set<string>();
  const plural = /\{(\w+),\s*plural,/g;
  for (const m of msg.matchAll(plural)) out.add(`${m[1]}:plural`);
  for (const m of msg.matchAll(/\{(\w+)\}/g)) out.add(m[1]);
  return [...out].sort();
}

function pluralBody(msg: string): string | null {
  const m = /\{(\w+),\s*plural,/.exec(msg);
  if (!m) return null;
  let depth = 0;
  let end = m.index;
  for (; end < msg.length; end++) {
    if (msg[end] === '{') depth++;
    else if (msg[end] === '}' && --depth === 0) break;
  }
  return msg.slice(m.index + m[0].length, end);
}

describe('message sets', () => {
  for (const [tag, msgs] of Object.entries(locales)) {
    it(`${tag} has every English key and no other`, () => {
      expect(Object.keys(msgs).filter((k) => !(k in english))).toEqual([]);
      expect(Object.keys(english).filter((k) => !(k in msgs))).toEqual([]);
    });

    it(`${tag} keeps every placeholder`, () => {
      const wrong: string[] = [];
      for (const [k, v] of Object.entries(english)) {
        if (JSON.stringify(placeholders(v)) !== JSON.stringify(placeholders(msgs[k] ?? ''))) wrong.push(`${k}: ${msgs[k]}`);
      }
      expect(wrong).toEqual([]);
    });

    it(`${tag} has every plural form its language uses, and no empty message`, () => {
      const needed = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;
      const wrong: string[] = [];
      for (const [k, v] of Object.entries(msgs)) {
        if (!v.trim()) wrong.push(`${k}: empty`);
        const body = pluralBody(v);
        if (body === null) continue;
        const have = pluralBranches(body).map(([s]) => s);
        for (const c of needed) if (!have.includes(c)) wrong.push(`${k}: no ${c}`);
        for (const c of have) if (!c.startsWith('=') && !needed.includes(c as Intl.LDMLPluralRule)) wrong.push(`${k}: extra ${c}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('English plurals have one and other', () => {
    for (const v of Object.values(english)) {
      const body = pluralBody(v);
      if (body) expect(pluralBranches(body).map(([s]) => s)).toEqual(['one', 'other']);
    }
  });
});
