// The browser's listener: one call at a time. Audio arrives over the
// listen websocket (frame.ts) and is posted to an AudioWorklet (worklet.ts)
// that plays it through a jitter buffer of at most 200 ms; a GainNode does
// volume and mute. stop() closes the websocket, disconnects the worklet and
// closes the AudioContext.
import workletUrl from './worklet.ts?worker&url';
import { parseFrame, parseText } from './frame';
import { meters } from './meters.svelte';

export type PlayerState = 'idle' | 'connecting' | 'playing' | 'ended';

/** Close codes of the listen socket (server/audio/wire.go) → message keys. */
const reasons: Record<number, string> = {
  4404: 'listen.unknownCall',
  4408: 'listen.tooSlow',
  4410: 'listen.callEnded',
  4429: 'listen.tooMany',
  4503: 'listen.noSource',
  1001: 'listen.serverGone',
};

export function closeReason(code: number): string | null {
  if (code === 1000 || code === 1005) return null;
  return reasons[code] ?? 'listen.failed';
}

class Player {
  call = $state<string | null>(null);
  state = $state<PlayerState>('idle');
  /** Message key of why listening ended (null: stopped by the user). */
  reason = $state<string | null>(null);
  volume = $state(0.8);
  muted = $state(false);
  caller = $state(true);
  agent = $state(true);
  bufferedMs = $state(0);

  private ctx: AudioContext | null = null;
  private node: AudioWorkletNode | null = null;
  private gain: GainNode | null = null;
  private ws: WebSocket | null = null;
  private gen = 0;

  /** Starts listening to a call ("node/id"); call it from a click. */
  async start(call: string) {
    this.stop();
    const gen = ++this.gen;
    this.call = call;
    this.state = 'connecting';
    this.reason = null;
    const slash = call.indexOf('/');
    const node = call.slice(0, slash);
    const id = call.slice(slash + 1);
    // Created inside the click's activation, so it may start sounding.
    const ctx = new AudioContext({ latencyHint: 'interactive' });
    this.ctx = ctx;
    try {
      await ctx.audioWorklet.addModule(workletUrl);
    } catch {
      if (gen === this.gen) this.fail('listen.failed');
      return;
    }
    if (gen !== this.gen) return; // stopped meanwhile
    const wnode = new AudioWorkletNode(ctx, 'callboard-pcm', { numberOfInputs: 0, outputChannelCount: [2] });
    const gain = ctx.createGain();
    wnode.connect(gain).connect(ctx.destination);
    wnode.port.onmessage = (e: MessageEvent<{ type: string; bufferedMs: number }>) => {
      if (e.data.type === 'stats') this.bufferedMs = Math.round(e.data.bufferedMs);
    };
    this.node = wnode;
    this.gain = gain;
    this.applyGain();
    this.applySides();
    if (ctx.state === 'suspended') void ctx.resume();

    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/nodes/${encodeURIComponent(node)}/calls/${encodeURIComponent(id)}/audio`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') {
        const m = parseText(ev.data);
        if (m?.type === 'start') this.state = 'playing';
        else if (m?.type === 'level') meters.update(call, m.side, m.rms, m.peak);
        return;
      }
      const f = parseFrame(ev.data as ArrayBuffer);
      if (f) wnode.port.postMessage({ type: 'pcm', side: f.side, rate: f.rate, pcm: f.pcm }, [f.pcm.buffer]);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.fail(closeReason(ev.code) ?? (this.state === 'connecting' ? 'listen.failed' : null));
    };
  }

  /** Stops listening: socket closed, worklet disconnected, context closed. */
  stop() {
    this.gen++;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    this.node?.port.close();
    this.node?.disconnect();
    this.gain?.disconnect();
    void this.ctx?.close().catch(() => {});
    this.node = this.gain = this.ctx = null;
    this.state = 'idle';
    this.call = null;
    this.bufferedMs = 0;
  }

  /** Ends the audio because of reason, keeping the call shown with why. */
  private fail(reason: string | null) {
    const call = this.call;
    this.stop();
    this.call = call;
    this.state = 'ended';
    this.reason = reason;
  }

  setVolume(v: number) {
    this.volume = Math.max(0, Math.min(1, v));
    this.applyGain();
  }

  toggleMute() {
    this.muted = !this.muted;
    this.applyGain();
  }

  toggleSide(side: 'caller' | 'agent') {
    if (side === 'caller') this.caller = !this.caller;
    else this.agent = !this.agent;
    this.applySides();
  }

  private applyGain() {
    if (this.gain && this.ctx) this.gain.gain.setTargetAtTime(this.muted ? 0 : this.volume, this.ctx.currentTime, 0.01);
  }

  private applySides() {
    this.node?.port.postMessage({ type: 'sides', on: { left: this.caller, right: this.agent, mix: this.caller || this.agent } });
  }
}

export const player = new Player();
