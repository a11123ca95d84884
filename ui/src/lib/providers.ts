// What the sign-in page offers (GET /api/v1/auth/providers, public):
// password sign-in unless switched off, and "Sign in with <provider>" when
// single sign-on is configured. Plain TS, fetch injected, unit-tested.

export interface SignInOptions {
  localLogin: boolean;
  /** The identity provider's name and the URL that starts its sign-in. */
  oidc?: { name: string; start: string };
}

/** Password sign-in only: what an older server or a failed request means. */
export const passwordOnly: SignInOptions = { localLogin: true };

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export async function loadSignInOptions(fetchFn: FetchLike = (i, init) => fetch(i, init)): Promise<SignInOptions> {
  try {
    const res = await fetchFn('/api/v1/auth/providers', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) return passwordOnly;
    const v = (await res.json()) as Partial<SignInOptions>;
    const o = v.oidc;
    const oidc =
      o && typeof o.name === 'string' && typeof o.start === 'string' && o.start.startsWith('/api/') ? { name: o.name, start: o.start } : undefined;
    // Never hide the password form when there is nothing else to offer.
    return { localLogin: v.localLogin !== false || !oidc, oidc };
  } catch {
    return passwordOnly;
  }
}
