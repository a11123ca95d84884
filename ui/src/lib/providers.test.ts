import { describe, expect, it } from 'vitest';
import { loadSignInOptions, passwordOnly } from './providers';

const reply = (status: number, body: unknown) => async () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('loadSignInOptions', () => {
  it('offers the provider and the password form', async () => {
    const o = await loadSignInOptions(reply(200, { localLogin: true, oidc: { name: 'Okta', start: '/api/v1/auth/oidc/start' } }));
    expect(o).toEqual({ localLogin: true, oidc: { name: 'Okta', start: '/api/v1/auth/oidc/start' } });
  });
  it('hides the password form only when SSO is there', async () => {
    expect(await loadSignInOptions(reply(200, { localLogin: false, oidc: { name: 'Okta', start: '/api/v1/auth/oidc/start' } }))).toMatchObject({
      localLogin: false,
    });
    expect(await loadSignInOptions(reply(200, { localLogin: false }))).toEqual({ localLogin: true, oidc: undefined });
  });
  it('refuses a start URL off this server', async () => {
    const o = await loadSignInOptions(reply(200, { localLogin: true, oidc: { name: 'x', start: 'https://evil.example/' } }));
    expect(o.oidc).toBeUndefined();
  });
  it('falls back to passwords on errors', async () => {
    expect(await loadSignInOptions(reply(404, {}))).toEqual(passwordOnly);
    expect(
      await loadSignInOptions(async () => {
        throw new TypeError('offline');
      }),
    ).toEqual(passwordOnly);
  });
});
