// Music on hold, as this browser last set it. Asterisk does not report whether
// a bridge is playing music, so the UI can only say what *this browser* last
// asked for (and when); another moderator may have changed it since.
export interface MohMemory {
  on: boolean;
  at: number; // ms since epoch
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'callboard.moh';
/** Older entries are dropped: a conference name may be reused days later. */
export const MOH_MAX_AGE_MS = 12 * 3600_000;
const MAX_ENTRIES = 200;

export class MohLog {
  private entries: Record<string, MohMemory> = {};

  constructor(
    private storage: KeyValueStorage | null,
    private now: () => number = Date.now,
  ) {
    try {
      const raw = storage?.getItem(KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
          const m = v as Partial<MohMemory>;
          if (typeof m?.on === 'boolean' && typeof m.at === 'number') this.entries[k] = { on: m.on, at: m.at };
        }
      }
    } catch {
      // unreadable or blocked storage: start empty
    }
  }

  /** What this browser last did for a conference key, if recent enough. */
  get(confKey: string): MohMemory | undefined {
    const m = this.entries[confKey];
    return m && this.now() - m.at <= MOH_MAX_AGE_MS ? m : undefined;
  }

  record(confKey: string, on: boolean) {
    this.entries[confKey] = { on, at: this.now() };
    const fresh = Object.entries(this.entries)
      .filter(([, m]) => this.now() - m.at <= MOH_MAX_AGE_MS)
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, MAX_ENTRIES);
    this.entries = Object.fromEntries(fresh);
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.entries));
    } catch {
      // storage full or blocked: the memory lasts for this page only
    }
  }
}
