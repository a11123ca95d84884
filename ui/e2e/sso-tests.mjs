// Single sign-on in the browser (issue 15): a second demo binary configured
// for OpenID Connect against cmd/oidcdev (mockoidc on loopback, one user in
// group "noc"), started here; "Sign in with Dev IdP" lands on the live
// board as a moderator. Registered into run.mjs's sequence.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, eventually, skip, test } from './harness.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** The dev provider binary: $OIDCDEV_BIN, or built now from cmd/oidcdev. */
function oidcdevBin(out) {
  if (process.env.OIDCDEV_BIN) return process.env.OIDCDEV_BIN;
  const bin = join(out, 'oidcdev');
  const r = spawnSync('go', ['build', '-o', bin, './cmd/oidcdev'], { cwd: repo, stdio: 'inherit', env: { ...process.env, CGO_ENABLED: '0' } });
  assert(r.status === 0, 'go build ./cmd/oidcdev failed');
  return bin;
}

function started(proc, label, ready) {
  let output = '';
  let exited = null;
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  proc.on('exit', (c) => (exited = c));
  return {
    get output() {
      return output;
    },
    wait: (message) =>
      eventually(
        async () => {
          if (exited !== null) throw new Error(`${label} exited with ${exited}:\n${output.slice(-2000)}`);
          return ready(output);
        },
        { timeout: 20000, interval: 150, message },
      ),
  };
}

export function ssoTests(ctx) {
  test('single sign-on: "Sign in with Dev IdP" lands on the board with the mapped role', async () => {
    if (process.env.CALLBOARD_E2E_MOCK === '1') skip('needs the real binary');
    const bin = process.env.CALLBOARD_BIN ?? join(repo, 'bin', 'callboard');
    const clientSecret = `sso-${randomBytes(12).toString('base64url')}`;
    const procs = [];
    let sso;
    try {
      const idp = spawn(oidcdevBin(ctx.out), ['-client-id', 'callboard-e2e', '-client-secret', clientSecret, '-user', 'sso.mod', '-groups', 'staff,noc'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      procs.push(idp);
      const idpOut = started(idp, 'oidcdev', (o) => /issuer (\S+)/.test(o));
      await idpOut.wait('the provider to listen');
      const issuer = /issuer (\S+)/.exec(idpOut.output)[1];

      const listen = `127.0.0.1:${await freePort()}`;
      const base = `http://${listen}`;
      const env = {
        ...process.env,
        CALLBOARD_ADMIN_PASSWORD: `e2e-${randomBytes(12).toString('base64url')}`,
        CALLBOARD_OIDC_ISSUER: issuer,
        CALLBOARD_OIDC_CLIENT_ID: 'callboard-e2e',
        CALLBOARD_OIDC_CLIENT_SECRET: clientSecret,
        CALLBOARD_OIDC_REDIRECT_URL: `${base}/api/v1/auth/oidc/callback`,
        CALLBOARD_OIDC_PROVIDER_NAME: 'Dev IdP',
        CALLBOARD_OIDC_SCOPES: 'profile,email,groups',
        CALLBOARD_OIDC_ROLES: 'noc=moderator,staff=viewer',
        CALLBOARD_LOG_LEVEL: 'debug',
      };
      const cb = spawn(bin, ['demo', '--listen', listen], { stdio: ['ignore', 'pipe', 'pipe'], env });
      procs.push(cb);
      const cbOut = started(cb, 'callboard (sso)', async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok);
      await cbOut.wait('the SSO-configured server to answer');

      sso = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await sso.newPage();
      ctx.watch(p, 'sso');
      await p.goto(base);
      const button = p.locator('[data-signin-sso]');
      await button.waitFor({ timeout: 10000 });
      assert((await button.textContent()).trim() === 'Sign in with Dev IdP', `button says "${await button.textContent()}"`);
      assert(await p.locator('[data-username]').isVisible(), 'local sign-in stays offered');
      await ctx.shot('sso-signin', p);
      await button.click();
      await p.waitForSelector('[data-conn="live"]', { timeout: 15000 });
      const user = p.locator('[data-user][data-role]');
      await user.waitFor({ timeout: 5000 });
      assert((await user.getAttribute('data-user')) === 'sso.mod', `signed in as ${await user.getAttribute('data-user')}`);
      assert((await user.getAttribute('data-role')) === 'moderator', `role ${await user.getAttribute('data-role')}, want moderator`);
      assert(new URL(p.url()).host === listen, `ended at ${p.url()}`);
      await p.waitForSelector('tr[data-call]', { timeout: 15000 });
      await ctx.shot('sso-board', p);
      assert(!cbOut.output.includes(clientSecret), 'the OIDC client secret appeared in the server output');
    } finally {
      await sso?.close();
      for (const pr of procs) pr.kill('SIGTERM');
    }
  });
}
