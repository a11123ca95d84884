import { afterEach, describe, expect, it } from 'vitest';
import { addMessages, currentLocale, setLocale, t } from './i18n';
import en from '../messages/en';

afterEach(() => setLocale('en'));

describe('t', () => {
  it('fills placeholders and leaves unknown ones alone', () => {
    expect(t('kick.title', { name: 'Kim' })).toBe('Kick Kim?');
    expect(t('kick.body', { name: 'Kim' })).toBe('Kim will be removed from {conference} and their call ends.');
  });

  it('picks the plural form from count', () => {
    expect(t('conf.members', { count: 1 })).toBe('1 member');
    expect(t('conf.members', { count: 4 })).toBe('4 members');
    expect(t('conf.members', { count: 0 })).toBe('0 members');
  });

  it('falls back to English, then to the key', () => {
    setLocale(['ko-KR', 'en'], { ko: { 'member.mute': '음소거' } });
    expect(currentLocale()).toBe('ko');
    expect(t('member.mute')).toBe('음소거');
    expect(t('member.unmute')).toBe('Unmute');
    expect(t('no.such.key')).toBe('no.such.key');
  });

  it('uses English for an unsupported browser language', () => {
    setLocale(['xx-YY']);
    expect(currentLocale()).toBe('en');
    expect(t('conn.live')).toBe('Live');
  });
});

describe('addMessages', () => {
  it('adds a screen’s own strings to a language', () => {
    addMessages('en', { 'test.lazy': 'Lazy {n}' });
    expect(t('test.lazy', { n: 1 })).toBe('Lazy 1');
    setLocale(['ko'], { ko: {} });
    addMessages('ko', { 'test.lazy': '지연 {n}' });
    expect(t('test.lazy', { n: 2 })).toBe('지연 2');
  });
});

describe('catalogue', () => {
  it('has every literal key the sources pass to t()', async () => {
    await import('../admin/messages.en');
    await import('../history/messages.en');
    // The sources as text (Vite reads them; no Node types needed).
    const sources = import.meta.glob(['../**/*.ts', '../**/*.svelte', '!../**/*.test.ts'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/\bt\('([a-zA-Z][\w.:-]*)'/g)) {
        const key = m[1];
        if (!(key in en) && !(`${key}.other` in en)) missing.push(`${key} (${file})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
