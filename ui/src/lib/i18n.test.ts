import { afterEach, describe, expect, it } from 'vitest';
import { addMessages, currentLocale, format, loadLocale, pickLanguage, setLocale, t } from './i18n';
import { formatLatency, formatPercent } from './format';
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
    expect(t('conf.members', { count: 1234 })).toBe('1,234 members');
  });

  it('falls back to English, then to the key', () => {
    setLocale(['ko-KR', 'en'], { ko: { 'member.mute': '음소거' } });
    expect(currentLocale()).toBe('ko');
    expect(t('member.mute')).toBe('음소거');
    expect(t('no.such.key')).toBe('no.such.key');
  });

  it('uses English for an unsupported browser language', () => {
    setLocale(['xx-YY']);
    expect(currentLocale()).toBe('en');
    expect(t('conn.live')).toBe('Live');
  });
});

describe('plurals', () => {
  const ru = '{count, plural, one {# звонок} few {# звонка} many {# звонков} other {# звонка}}';
  it.each([
    [1, '1 звонок'],
    [2, '2 звонка'],
    [5, '5 звонков'],
    [21, '21 звонок'],
    [22, '22 звонка'],
    [25, '25 звонков'],
    [11, '11 звонков'],
    [111, '111 звонков'],
    [0, '0 звонков'],
    [1.5, '1,5 звонка'],
  ])('Russian %d -> %s', (n, want) => expect(format(ru, { count: n }, 'ru')).toBe(want));

  it('Russian catalogue: 1, 2, 5, 21, 22, 25, 11, 111 members', async () => {
    await loadLocale('ru');
    const got = [1, 2, 5, 21, 22, 25, 11, 111].map((count) => t('conf.members', { count }));
    expect(got).toEqual([
      '1 участник',
      '2 участника',
      '5 участников',
      '21 участник',
      '22 участника',
      '25 участников',
      '11 участников',
      '111 участников',
    ]);
  });

  it('CJK has one form; # in the locale’s digits', async () => {
    await loadLocale('ko');
    expect(t('conf.members', { count: 1 })).toBe('참여자 1명');
    expect(t('conf.members', { count: 21 })).toBe('참여자 21명');
    await loadLocale('ja');
    expect(t('conf.members', { count: 5 })).toBe('参加者 5名');
    await loadLocale('zh-CN');
    expect(t('conf.members', { count: 2 })).toBe('2 位成员');
  });

  it('exact values, placeholders inside branches, text around', () => {
    const msg = 'Queue {q}: {n, plural, =0 {nobody waits} one {# caller waits in {q}} other {# callers wait}}!';
    expect(format(msg, { q: 'sales', n: 0 }, 'en')).toBe('Queue sales: nobody waits!');
    expect(format(msg, { q: 'sales', n: 1 }, 'en')).toBe('Queue sales: 1 caller waits in sales!');
    expect(format(msg, { q: 'sales', n: 3 }, 'en')).toBe('Queue sales: 3 callers wait!');
  });
});

describe('language choice', () => {
  it.each([
    [['ko-KR', 'en-US'], 'ko'],
    [['ja'], 'ja'],
    [['zh'], 'zh-CN'],
    [['zh-Hans-CN'], 'zh-CN'],
    [['zh-TW'], 'zh-CN'],
    [['ru-RU'], 'ru'],
    [['de-DE', 'ru'], 'ru'],
    [['de-DE', 'fr'], 'en'],
    [['en-GB', 'ko'], 'en'],
    [[], 'en'],
  ])('%j -> %s', (pref, want) => expect(pickLanguage(pref)).toBe(want));

  it('loads a language lazily and formats numbers and units in it', async () => {
    await loadLocale('ru');
    expect(currentLocale()).toBe('ru');
    expect(t('conn.live')).toBe('Онлайн');
    expect(formatLatency(1400)).toBe('1,4 с');
    expect(formatLatency(820)).toBe('820 мс');
    expect(formatPercent(95)).toBe('95\u00a0%');
    await loadLocale('en');
    expect(formatLatency(1400)).toBe('1.4 s');
    expect(formatPercent(95)).toBe('95%');
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
    const sources = import.meta.glob(['../**/*.ts', '../**/*.svelte', '!../**/*.test.ts'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    const all: Record<string, string> = { ...en };
    Object.assign(all, (await import('../admin/messages.en')).default, (await import('../admin/alertsMessages.en')).default, (await import('../history/messages.en')).default);
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/\bt\('([a-zA-Z][\w.:-]*)'/g)) {
        if (!(m[1] in all)) missing.push(`${m[1]} (${file})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
