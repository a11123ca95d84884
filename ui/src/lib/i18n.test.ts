import { afterEach, describe, expect, it } from 'vitest';
import { currentLocale, setLocale, t } from './i18n';

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
