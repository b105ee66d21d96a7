// A member of centre staff without an authenticator app enrols one on the 账号安全 page:
// the notice leads there, the key is shown, a wrong code is refused, the code an app would
// show (computed here from the key on the page) enrols it, and signing in again opens the
// staff pages. Locally the page calls the Cognito stand-in at /_local/cognito.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { BASE, SHOTS, launch, newPage, token, apiCall } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// RFC 6238 with SHA-1 and 30-second steps, as authenticator apps compute it.
function totp(secret, ms) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const off = h[h.length - 1] & 0x0f;
  return String((h.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, '0');
}

test('totp: the RFC 6238 vector (SHA-1, T=59)', () => {
  // "12345678901234567890" in base32; the RFC's 8-digit 94287082 ends in 287082.
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59000), '287082');
});

// The stack's clock (tests may have moved it): one second on and back answers it.
async function stackNow() {
  const on = await apiCall(null, 'POST', '/_local/clock', { advance_seconds: 1 });
  assert.equal(on.status, 200, on.text);
  const back = await apiCall(null, 'POST', '/_local/clock', { advance_seconds: -1 });
  assert.equal(back.status, 200, back.text);
  return Date.parse(back.json.now);
}

test('staff enrol an authenticator app and then reach the staff pages', async () => {
  const phone = '+86137' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
  const up = await apiCall(null, 'POST', '/_local/signup', { phone });
  assert.equal(up.status, 200, up.text);
  const account = { sub: up.json.sub, groups: ['centre-staff', 'residents'], centre_ids: ['c-liangxi-04'] };
  const tok = await token(account.sub, account.groups, account.centre_ids);
  const { context, page } = await newPage(browser); // a phone: where the app is set up
  try {
    // Signed in as the local picker signs in (the picker lists only the demo accounts).
    await page.goto(BASE + '/config.json');
    await page.evaluate(([t, a]) => {
      localStorage.setItem('enrol.token', t);
      sessionStorage.setItem('enrol.access', t);
      sessionStorage.setItem('enrol.local', a);
    }, [tok, JSON.stringify(account)]);
    await page.goto(BASE + '/#/staff');
    const notice = page.locator('[data-mfa-setup="required"]');
    await notice.waitFor();
    await page.locator('[data-code="forbidden"]').waitFor(); // no staff group yet

    // Reachable from the menu too.
    await page.locator('header nav').getByRole('link', { name: '账号安全' }).waitFor();
    await notice.getByRole('link', { name: '去绑定身份验证器' }).click();
    await page.getByRole('heading', { level: 1, name: '账号安全' }).waitFor();
    await page.getByRole('button', { name: '开始绑定' }).click();
    const key = page.locator('code.totp-secret');
    await key.waitFor();
    const secret = await key.getAttribute('data-secret');
    assert.match(await key.textContent(), /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    // The key fits a phone's screen, unbroken by the page.
    assert.deepEqual(await page.evaluate(() => window.__t.overflow()), []);
    await page.screenshot({ path: join(SHOTS, 'security-totp-zh-CN-390.png'), fullPage: true });
    const link = await page.locator('a[data-otpauth]').getAttribute('href');
    // Named by the sub: local tokens carry no phone_number claim (Cognito's, with scope phone, do).
    assert.equal(link, `otpauth://totp/enrol:${account.sub}?secret=${secret}&issuer=enrol`);

    const right = totp(secret, await stackNow());
    const wrong = String((Number(right) + 500000) % 1e6).padStart(6, '0');
    const input = page.getByLabel('6 位验证码');
    await input.fill(wrong);
    await page.getByRole('button', { name: '确认绑定' }).click();
    await page.locator('.field-error').filter({ hasText: '请重新输入' }).waitFor();

    await input.fill(right);
    await page.getByRole('button', { name: '确认绑定' }).click();
    await page.getByRole('status').filter({ hasText: '身份验证器已绑定' }).waitFor();
    await page.locator('[data-totp="done"]').getByRole('button', { name: '重新登录' }).click();
    await page.getByRole('heading', { level: 1, name: /机构项目管理/ }).waitFor();
    assert.equal(await page.locator('[data-mfa-setup]').count(), 0);
  } finally {
    await context.close();
  }
});
