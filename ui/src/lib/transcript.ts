// Conversation view helpers: turn latency of the bot.
import { timeOf } from './store';
import type { Utterance } from './types';

export interface TranscriptLine {
  line: Utterance;
  /** For a bot (or agent) reply: ms since the caller's last final line, when known. */
  latencyMs?: number;
}

/**
 * Annotates each reply with the callbot's turn latency: the delay between the
 * caller's last final line and the reply's start. Only the first reply after
 * a caller turn gets a latency (a second bot line in a row is not a new turn).
 * Uses the lines' event times (`at`, the PBX clock): STT offsets and prompt
 * times do not share an audio clock.
 */
export function withTurnLatency(lines: Utterance[]): TranscriptLine[] {
  let callerFinal: Utterance | null = null;
  return lines.map((line) => {
    if (line.speaker === 'caller') {
      if (line.final) callerFinal = line;
      return { line };
    }
    if (!callerFinal) return { line };
    const ms = latency(callerFinal, line);
    callerFinal = null;
    return ms === undefined ? { line } : { line, latencyMs: ms };
  });
}

function latency(caller: Utterance, reply: Utterance): number | undefined {
  const a = timeOf(caller.at);
  const b = timeOf(reply.at);
  if (!a || !b || b < a) return undefined;
  return b - a;
}
