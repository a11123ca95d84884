// Pure logic of the Alerts screen: the rule form's checks (the server checks
// again and has the last word, e.g. on a regular expression), which field a
// server refusal names, and how a rule and a fired alert read.
import type { AlertRule } from './alertsApi';
import { t } from '../lib/i18n';

export const ruleKinds = ['transcript', 'call_duration', 'queue_wait', 'node_down', 'conference_locked', 'action_refused'] as const;
export const severities = ['info', 'warning', 'critical'] as const;
export const destinationKinds = ['webhook', 'slack', 'telegram'] as const;

export function emptyRule(): AlertRule {
  return { name: '', kind: 'transcript', severity: 'warning', pattern: '', regex: false, speaker: '', threshold: 0, enabled: true, destinations: [] };
}

/** What the kind needs: a pattern, a threshold (and its unit), or nothing. */
export function ruleNeeds(kind: string): { pattern: boolean; threshold: 'min' | 's' | null } {
  return {
    pattern: kind === 'transcript',
    threshold: kind === 'call_duration' ? 'min' : kind === 'queue_wait' ? 's' : null,
  };
}

export interface FieldError {
  field: string;
  message: string;
}

/** Checks a rule before sending it; null when it may be sent. */
export function checkRule(r: AlertRule): FieldError | null {
  if (!r.name.trim()) return { field: 'name', message: 'name: required' };
  if (r.name.trim().length > 80) return { field: 'name', message: 'name: at most 80 characters' };
  const needs = ruleNeeds(r.kind);
  if (needs.pattern && !r.pattern.trim()) return { field: 'pattern', message: 'pattern: required' };
  if (needs.pattern && r.pattern.length > 512) return { field: 'pattern', message: 'pattern: at most 512 bytes' };
  if (needs.threshold === 'min' && !(r.threshold >= 1 && r.threshold <= 1440)) {
    return { field: 'threshold', message: 'threshold: minutes must be 1..1440' };
  }
  if (needs.threshold === 's' && !(r.threshold >= 1 && r.threshold <= 86400)) {
    return { field: 'threshold', message: 'threshold: seconds must be 1..86400' };
  }
  return null;
}

/** The rule as sent: fields its kind does not use are cleared. */
export function rulePayload(r: AlertRule): AlertRule {
  const needs = ruleNeeds(r.kind);
  return {
    ...r,
    name: r.name.trim(),
    pattern: needs.pattern ? r.pattern : '',
    regex: needs.pattern ? r.regex : false,
    speaker: needs.pattern ? r.speaker : '',
    threshold: needs.threshold ? Math.round(Number(r.threshold)) : 0,
  };
}

/** The field a server refusal names ("pattern: not a valid …"), if any. */
export function errorField(message: string): string | null {
  const m = /^([a-zA-Z]+): /.exec(message);
  return m ? m[1] : null;
}

/** One line describing what a rule watches (in the UI's language). */
export function describeRule(r: AlertRule): string {
  switch (r.kind) {
    case 'transcript': {
      const who = r.speaker ? t(`alerts.speaker.${r.speaker}`) : t('alerts.anyone');
      return t(r.regex ? 'alerts.says.regex' : 'alerts.says.word', { who, pattern: r.pattern });
    }
    case 'call_duration':
      return t('alerts.desc.call_duration', { n: r.threshold });
    case 'queue_wait':
      return t('alerts.desc.queue_wait', { n: r.threshold });
    case 'node_down':
    case 'conference_locked':
    case 'action_refused':
      return t(`alerts.desc.${r.kind}`);
    default:
      return r.kind;
  }
}
