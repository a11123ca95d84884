import { describe, expect, it } from 'vitest';
import { withTurnLatency } from './transcript';
import { utt } from './fixtures';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 12, 0, 0) + s).toISOString();

describe('withTurnLatency', () => {
  it('measures each bot reply from the caller’s last final line', () => {
    const out = withTurnLatency([
      utt('c', '1', { speaker: 'caller', final: true, at: at(0) }),
      utt('c', '2', { speaker: 'caller', final: true, at: at(1000) }),
      utt('c', '3', { speaker: 'bot', at: at(1820) }),
      utt('c', '4', { speaker: 'caller', final: true, at: at(5000) }),
      utt('c', '5', { speaker: 'bot', at: at(6250) }),
    ]);
    expect(out.map((l) => l.latencyMs)).toEqual([undefined, undefined, 820, undefined, 1250]);
  });

  it('does not count a partial caller line, nor a second bot line in a row', () => {
    const out = withTurnLatency([
      utt('c', '1', { speaker: 'caller', final: true, at: at(0) }),
      utt('c', '2', { speaker: 'caller', final: false, at: at(900) }),
      utt('c', '3', { speaker: 'bot', at: at(1000) }),
      utt('c', '4', { speaker: 'bot', at: at(3000) }),
    ]);
    expect(out.map((l) => l.latencyMs)).toEqual([undefined, undefined, 1000, undefined]);
  });

  it('gives no latency to a bot line before any caller line or with missing/backwards times', () => {
    const out = withTurnLatency([
      utt('c', '1', { speaker: 'bot', at: at(0) }),
      utt('c', '2', { speaker: 'caller', final: true, at: at(2000) }),
      utt('c', '3', { speaker: 'bot', at: at(1500) }),
      utt('c', '4', { speaker: 'caller', final: true }),
      utt('c', '5', { speaker: 'bot', at: at(3000) }),
    ]);
    expect(out.map((l) => l.latencyMs)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('treats an agent reply like a bot reply', () => {
    const out = withTurnLatency([
      utt('c', '1', { speaker: 'caller', final: true, at: at(0) }),
      utt('c', '2', { speaker: 'agent', at: at(400) }),
    ]);
    expect(out[1].latencyMs).toBe(400);
  });
});
