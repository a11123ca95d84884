// The AudioWorklet processor: PCM frames arrive over the port (from the
// listen websocket, parsed on the main thread) and play through one jitter
// buffer per side (jitter.ts), mixed to both output channels. Built by Vite
// as its own file (player.svelte.ts imports it with ?worker&url) and served
// from the app's origin, as the CSP (default-src 'self') requires.
import { JitterBuffer, Resampler } from './jitter';

declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

type Side = 'left' | 'right' | 'mix';
type Msg =
  | { type: 'pcm'; side: Side; rate: number; pcm: Int16Array }
  | { type: 'sides'; on: Record<Side, boolean> }
  | { type: 'reset' };

class PcmPlayer extends AudioWorkletProcessor {
  private bufs: Record<Side, JitterBuffer> = {
    left: new JitterBuffer(sampleRate),
    right: new JitterBuffer(sampleRate),
    mix: new JitterBuffer(sampleRate),
  };
  private rs = new Map<string, Resampler>();
  private on: Record<Side, boolean> = { left: true, right: true, mix: true };
  private frames = 0;

  constructor() {
    super();
    this.port.onmessage = (e: MessageEvent<Msg>) => this.onMessage(e.data);
  }

  private onMessage(m: Msg) {
    switch (m.type) {
      case 'pcm': {
        const key = `${m.side}/${m.rate}`;
        let r = this.rs.get(key);
        if (!r) this.rs.set(key, (r = new Resampler(m.rate, sampleRate)));
        this.bufs[m.side].push(r.process(m.pcm));
        break;
      }
      case 'sides':
        this.on = m.on;
        break;
      case 'reset':
        for (const b of Object.values(this.bufs)) b.clear();
        break;
    }
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0];
    const ch0 = out[0];
    if (!ch0) return true;
    // Every side is pulled, heard or not, so its timing stays right.
    for (const side of ['left', 'right', 'mix'] as const) this.bufs[side].pullAdd(ch0, this.on[side] ? 1 : 0);
    for (let i = 0; i < ch0.length; i++) ch0[i] = Math.max(-1, Math.min(1, ch0[i]));
    for (let c = 1; c < out.length; c++) out[c].set(ch0);
    if (++this.frames % 64 === 0) {
      const b = this.bufs;
      this.port.postMessage({
        type: 'stats',
        bufferedMs: Math.max(b.left.bufferedMs, b.right.bufferedMs, b.mix.bufferedMs),
        underruns: b.left.underruns + b.right.underruns + b.mix.underruns,
        dropped: b.left.dropped + b.right.dropped + b.mix.dropped,
      });
    }
    return true;
  }
}

registerProcessor('callboard-pcm', PcmPlayer);
