// "My phone": the endpoint listen, whisper and barge ring (and click-to-call's
// default "from"). Stored on the server per user (GET/PUT /api/v1/me/phone).
import { call } from './api';

class MyPhone {
  value = $state('');
  loaded = $state(false);

  async load() {
    try {
      const r = await call<{ phone: string }>('GET', '/api/v1/me/phone');
      this.value = r?.phone ?? '';
    } catch {
      this.value = '';
    }
    this.loaded = true;
  }

  /** Saves phone ("" clears it); throws the server's refusal. */
  async save(phone: string) {
    const r = await call<{ phone: string }>('PUT', '/api/v1/me/phone', { phone: phone.trim() });
    this.value = r?.phone ?? '';
  }

  forget() {
    this.value = '';
    this.loaded = false;
  }
}

export const myPhone = new MyPhone();
