// Svelte glue for the session (lib/auth.ts): who is signed in, what their role
// allows, and the live connection running only while someone is.
import { auth, canAct, isAdmin, type AuthState } from './auth';
import { live } from './live.svelte';
import { ui } from './ui.svelte';
import { loadUserLanguage } from './language.svelte';

class Session {
  state = $state<AuthState>(auth.state);
  /** Moderators and admins see action buttons; viewers do not. */
  canAct = $derived(canAct(this.state));
  isAdmin = $derived(isAdmin(this.state));
  private retry: ReturnType<typeof setTimeout> | null = null;
  private wasOn = false;

  constructor() {
    auth.onChange((s) => {
      this.state = s;
      this.sync(s);
    });
  }

  /** First question of the page: is there a session? Retries while callboard does not answer. */
  async init() {
    const s = await auth.me();
    if (s.status === 'unreachable') this.retry = setTimeout(() => this.init(), 3000);
  }

  retryNow() {
    if (this.retry) clearTimeout(this.retry);
    void this.init();
  }

  private sync(s: AuthState) {
    const on = s.status === 'signed-in';
    if (on && !this.wasOn) void loadUserLanguage();
    this.wasOn = on;
    if (on && !live.connection.running) live.start();
    if (!on && live.connection.running) live.stop();
    if (!on) ui.forget();
  }
}

export const session = new Session();
