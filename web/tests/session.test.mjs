// The sign-in as a resident expects it: kept across tabs and shared links until it expires,
// ended everywhere by signing out, and ended in the UI when it expires or the API rejects
// the token, with a clear message and a way back to where the resident was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, signInWithToken, token } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const signOutButton = (page) => page.getByRole('button', { name: '退出登录' });
const signInButton = (page) => page.locator('header').getByRole('button', { name: '登录', exact: true });
const EXPIRED = '登录已过期，请重新登录';

test('a new tab and a shared link are signed in; signing out signs out every tab', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'demo-resident');
    // A link opened in a new tab.
    const tab = await context.newPage();
    await tab.goto(BASE + '/#/me/bookings');
    await tab.getByRole('heading', { level: 1, name: '我的报名' }).waitFor();
    await signOutButton(tab).waitFor();

    await signOutButton(tab).click();
    await signInButton(tab).waitFor();
    // The first tab follows without a reload, and a tab opened now is signed out.
    await signInButton(page).waitFor({ timeout: 5000 });
    const third = await context.newPage();
    await third.goto(BASE + '/#/me/bookings');
    await signInButton(third).waitFor();
    assert.equal(await signOutButton(third).count(), 0);
  } finally {
    await context.close();
  }
});

test('the session ends in the UI when the token expires', async () => {
  const { context, page } = await newPage(browser);
  try {
    await context.clock.install();
    await signIn(page, 'demo-resident');
    const tab = await context.newPage();
    await tab.goto(BASE + '/#/me/participants');
    await signOutButton(tab).waitFor();
    // An hour later (the token's lifetime), in both tabs.
    await context.clock.fastForward('01:00:05');
    for (const p of [page, tab]) {
      await signInButton(p).waitFor({ timeout: 5000 });
      await p.getByRole('alert').filter({ hasText: EXPIRED }).waitFor();
    }
  } finally {
    await context.close();
  }
});

test('a rejected token ends the session with a clear message; signing in again returns to the page', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'demo-resident');
    // From now on the API sees a token whose signature does not match, as after a restart
    // of the stack or a key rotation.
    await page.route('**/v1/me/**', (route) => {
      const h = route.request().headers();
      if (h.authorization) h.authorization = h.authorization.replace(/.{6}$/, 'AAAAAA');
      route.continue({ headers: h });
    });
    await page.goto(BASE + '/#/me/participants');
    await page.getByRole('alert').filter({ hasText: EXPIRED }).waitFor();
    await signInButton(page).waitFor();
    assert.equal(await signOutButton(page).count(), 0, 'the header no longer says signed in');
    assert.equal(await page.getByText('访问令牌签名无效').count(), 0, "the gateway's wording is not shown");

    // In English too.
    await page.locator('header button.lang').click();
    await page.getByRole('alert').filter({ hasText: 'Your sign-in has expired' }).waitFor();
    await page.locator('header button.lang').click();

    await page.unroute('**/v1/me/**');
    await page.getByRole('alert').getByRole('button', { name: '重新登录' }).click();
    await page.locator('button[data-account="demo-resident"]').click();
    await page.getByRole('heading', { level: 1, name: '报名人' }).waitFor();
    assert.match(page.url(), /#\/me\/participants$/);
    await signOutButton(page).waitFor();
    assert.equal(await page.locator('main').getByText(EXPIRED).count(), 0, 'the message goes once signed in');
  } finally {
    await context.close();
  }
});

// Issue 16: a centre staff member without an authenticator app (TOTP) gets a token without the
// staff group (the user pool's PreTokenGeneration trigger): the page says, in both languages,
// to enrol one, and the staff pages stay closed.
test('a staff member without TOTP is told to enrol an authenticator app', async () => {
  const { context, page } = await newPage(browser);
  try {
    const r = await fetch(BASE + '/_local/signup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone: '+8613' + String(Date.now()).slice(-9) }) });
    assert.equal(r.status, 200);
    const { sub } = await r.json();
    await signInWithToken(page, await token(sub, ['centre-staff', 'residents'], ['c-liangxi-04']), '#/staff');
    const notice = page.getByRole('alert').filter({ hasText: '身份验证器应用（TOTP）' });
    await notice.waitFor();
    assert.match(await notice.innerText(), /authenticator app \(TOTP\)/);
    assert.equal(await page.getByRole('link', { name: '机构管理' }).count(), 0);
  } finally {
    await context.close();
  }
});
