import { describe, expect, it } from 'vitest';
import { emptyQueueFilters, queueApiQuery, secondsText } from './queueHistory';

describe('queue history query', () => {
  it('splits the queue key into node and queue and includes the "to" day', () => {
    const q = new URLSearchParams(queueApiQuery({ queue: 'fs1/support@default', outcome: 'abandoned', from: '2026-11-20', to: '2026-11-20' }, { tz: 'UTC' }));
    expect(q.get('node')).toBe('fs1');
    expect(q.get('queue')).toBe('support@default');
    expect(q.get('outcome')).toBe('abandoned');
    expect(Date.parse(q.get('to')!) - Date.parse(q.get('from')!)).toBe(24 * 3600 * 1000);
    expect(q.get('tz')).toBe('UTC');
  });
  it('leaves out empty filters', () => {
    expect(queueApiQuery(emptyQueueFilters())).toBe('');
  });
  it('formats waits', () => {
    expect(secondsText(65400)).toBe('1:05');
    expect(secondsText(undefined)).toBe('');
  });
});
