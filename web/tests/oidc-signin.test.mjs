// AuthMode oidc: the web signs in with the city's provider (authorization code + PKCE) at
// the endpoints config.json names, the same code path as Cognito's hosted UI, and signs
// out at its end_session_endpoint. The provider is played here by routes in the browser;
// its ID token is a local one, which the stack's API accepts. No 账号安全 page: the
// provider handles MFA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BASE, launch, newPage, token } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const SSO = 'https://sso.wuxi.example/realms/enrol';
const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

test('oidc: sign in with the provider (PKCE) and out again', async () => {
  const tok = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const { context, page } = await newPage(browser, { width: 1280, height: 800 });
  const seen = {};
  try {
    await context.route(BASE + '/config.json', (r) => r.fulfill({ json: {
      mode: 'oidc', apiUrl: '', clientId: 'enrol-web', authorizeUrl: SSO + '/auth', tokenUrl: SSO + '/token', logoutUrl: SSO + '/logout', scope: 'openid profile',
    } }));
    await context.route(SSO + '/**', async (r) => {
      const url = new URL(r.request().url());
      const step = url.pathname.split('/').pop();
      if (step === 'auth') {
        seen.auth = url.searchParams;
        return r.fulfill({ status: 302, headers: { location: BASE + '/?code=code-1&state=' + url.searchParams.get('state') } });
      }
      if (step === 'token') {
        seen.token = new URLSearchParams(r.request().postData());
        return r.fulfill({ json: { id_token: tok, token_type: 'Bearer' }, headers: { 'access-control-allow-origin': BASE } });
      }
      seen.logout = url.searchParams;
      return r.fulfill({ status: 302, headers: { location: BASE + '/' } });
    });

    await page.goto(BASE + '/#/staff');
    await page.locator('header').getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /机构项目管理/ }).waitFor();

    const a = seen.auth;
    assert.deepEqual([a.get('response_type'), a.get('client_id'), a.get('redirect_uri'), a.get('scope'), a.get('code_challenge_method')],
      ['code', 'enrol-web', BASE + '/', 'openid profile', 'S256']);
    const t = seen.token;
    assert.deepEqual([t.get('grant_type'), t.get('client_id'), t.get('code'), t.get('redirect_uri')], ['authorization_code', 'enrol-web', 'code-1', BASE + '/']);
    // PKCE: the verifier sent for the token is the one the challenge was made from.
    assert.equal(b64url(createHash('sha256').update(t.get('code_verifier')).digest()), a.get('code_challenge'));
    assert.equal(await page.locator('header nav').getByRole('link', { name: '账号安全' }).count(), 0);

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.locator('header').getByRole('button', { name: '登录', exact: true }).waitFor();
    const l = seen.logout;
    assert.deepEqual([l.get('client_id'), l.get('post_logout_redirect_uri'), l.get('id_token_hint')], ['enrol-web', BASE + '/', tok]);
  } finally {
    await context.close();
  }
});
