import { describe, expect, it } from 'vitest';
import { alertText } from '../lib/alertToast';
import './alertsMessages.en';
import { checkRule, describeRule, emptyRule, errorField, rulePayload, ruleNeeds } from './alertsForm';

describe('alerts form', () => {
  it('asks for what the kind needs', () => {
    expect(ruleNeeds('transcript')).toEqual({ pattern: true, threshold: null });
    expect(ruleNeeds('call_duration').threshold).toBe('min');
    expect(ruleNeeds('queue_wait').threshold).toBe('s');
    expect(ruleNeeds('node_down')).toEqual({ pattern: false, threshold: null });
  });

  it('checks a rule before sending', () => {
    const r = emptyRule();
    expect(checkRule(r)?.field).toBe('name');
    r.name = 'refund';
    expect(checkRule(r)?.field).toBe('pattern');
    r.pattern = 'refund';
    expect(checkRule(r)).toBeNull();
    expect(checkRule({ ...r, kind: 'call_duration', threshold: 0 })?.message).toContain('1..1440');
    expect(checkRule({ ...r, kind: 'queue_wait', threshold: 90 })).toBeNull();
  });

  it('clears what the kind does not use', () => {
    const p = rulePayload({ ...emptyRule(), name: ' down ', kind: 'node_down', pattern: 'x', regex: true, speaker: 'bot', threshold: 5 });
    expect(p).toMatchObject({ name: 'down', pattern: '', regex: false, speaker: '', threshold: 0 });
  });

  it('finds the field of a server refusal', () => {
    expect(errorField('pattern: not a valid regular expression: missing closing )')).toBe('pattern');
    expect(errorField('something else')).toBeNull();
  });

  it('describes rules and alerts', () => {
    expect(describeRule({ ...emptyRule(), pattern: 'refund', speaker: 'caller' })).toBe('caller says “refund”');
    expect(describeRule({ ...emptyRule(), pattern: 'ref(und)?', regex: true })).toBe('anyone says /ref(und)?/');
    expect(alertText({ id: 1, at: '', rule: 'refund', severity: 'warning', kind: 'transcript', node: 'fs1', callId: 'c1', summary: 'caller said "refund"' })).toBe(
      'WARNING · refund: caller said "refund" (fs1/c1)',
    );
  });
});
