// Issue 20: the counter. A staff member at a desk screen (1280 × 800) serves a resident who
// has never used the app: from a phone number (the account is created, the resident told by
// SMS) to a participant, a booking and its confirmation with the booking code, printed (only
// the confirmation prints). The resident then signs in on a phone and sees the booking marked
// as made at the counter, with the same code. Another day the same number finds the same
// account; a lapsed leave to act (409 assist_required) sends staff back to finding the
// resident; then they cancel for the resident (cancelled_by staff). axe finds nothing serious
// on the counter page, in either language.
// Screenshots: test-results/screenshots/counter-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BASE, SHOTS, launch, newPage, token, apiCall, signIn, signInWithToken, idNumber, addDays, todayShanghai, runId, axeSerious, smallTargets, switchLang } from './helpers.mjs';

const CENTRE = 'c-liangxi-04';
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('staff serve a new resident at the counter, from a phone number to a printed confirmation; the resident sees it', async () => {
  const id = runId();
  const staff = await token('staff-liangxi-04', ['centre-staff'], [CENTRE]);
  const starts = addDays(todayShanghai(), 28);
  const sessions = [0, 7, 14, 21].map((n) => addDays(starts, n));
  const title = `锡银学堂 · 太极拳 柜台 ${id}`;
  const made = await apiCall(staff, 'POST', `/v1/centres/${CENTRE}/offerings`, {
    kind: 'senior_course', title, starts_on: starts, ends_on: sessions[3], capacity: 3, status: 'published',
    schedule: { text: '每周四 09:00–10:30', sessions },
  });
  assert.equal(made.status, 201, made.text);
  const course = made.json;
  const centre = (await apiCall(null, 'GET', `/v1/centres/${CENTRE}`)).json;

  // A phone number nobody has: typed as people say it, with spaces.
  const digits = '139' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
  const typed = `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
  const resident = '王奶奶' + id.slice(-3);
  const grandma = '王秀英' + id.slice(-3);
  const birth = '1956-03-1' + Math.floor(Math.random() * 9);

  const { context, page } = await newPage(browser, { width: 1280, height: 800 });
  let code, accountId;
  try {
    await signIn(page, 'staff-liangxi-04');
    await page.getByRole('link', { name: '柜台代办' }).click();
    await page.getByRole('heading', { level: 1, name: /柜台代办/ }).waitFor();

    // 1. Find (here: create) the account by phone.
    await page.getByLabel('居民手机号').fill(typed);
    await page.getByLabel('居民姓名').fill(resident);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/assisted$/.test(new URL(r.url()).pathname)),
      page.getByRole('button', { name: '查找或新建账号' }).click(),
    ]);
    assert.equal(answer.status(), 201, await answer.text());
    const found = await answer.json();
    accountId = found.account_id;
    assert.equal(found.phone_last4, digits.slice(-4));
    assert.equal(found.created, true, 'a new account');
    const panel = page.getByTestId('found');
    await panel.waitFor();
    assert.match(await panel.textContent(), new RegExp(`已新建账号：手机尾号 ${digits.slice(-4)}`));
    await page.getByTestId('sms-sent').filter({ hasText: '短信已发送' }).waitFor();

    // 2. A participant for them: the grandmother herself, born in 1956.
    await page.getByText('此账号还没有报名人，请先添加。').waitFor();
    await page.locator('summary', { hasText: '添加报名人' }).click();
    await page.locator('#cp-name').fill(grandma);
    await page.locator('#cp-birth').fill(birth);
    await page.locator('#cp-id').fill(idNumber(birth, '320202'));
    await page.locator('details.panel').getByRole('button', { name: '保存' }).click();
    const radio = page.getByRole('radio', { name: new RegExp(grandma) });
    await radio.waitFor();
    assert.equal(await radio.isChecked(), true);

    // 3. Book this centre's course for her.
    const row = page.locator(`.offer-list li[data-offering="${course.id}"]`);
    await row.getByRole('button', { name: /^代为报名/ }).click();

    // 4. The confirmation: the code large, the offering, the participant, the first session, the centre's phone.
    const conf = page.getByTestId('confirmation');
    await conf.waitFor();
    code = (await page.getByTestId('confirmation-code').textContent()).trim();
    assert.match(code, CODE);
    const text = await conf.innerText();
    for (const want of [title, grandma, resident, digits.slice(-4), sessions[0], centre.phone, '已确认']) assert.ok(text.includes(want), `the confirmation says ${want}: ${text}`);
    const size = await page.getByTestId('confirmation-code').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 40, `the code is large (${size} px)`);
    console.log(`counter: booking ${code} for ${grandma}, code at ${size} px`);

    // 5. The resident's bookings at this centre show it, with the code.
    await page.locator('li[data-booking]').filter({ hasText: code }).waitFor();

    assert.deepEqual(await axeSerious(page), [], 'axe on the counter page (zh-CN)');
    await page.screenshot({ path: join(SHOTS, 'counter-zh-CN-1280.png'), fullPage: true });
    await switchLang(page);
    await page.getByRole('heading', { level: 1, name: /Counter/ }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Booking confirmation' }).waitFor();
    assert.deepEqual(await axeSerious(page), [], 'axe on the counter page (en)');
    await page.screenshot({ path: join(SHOTS, 'counter-en-1280.png'), fullPage: true });
    await switchLang(page);

    // An older colleague at the desk: the counter in large text, every target 48 px, axe clean.
    const large = page.getByRole('button', { name: '大字模式' });
    await large.click();
    assert.equal(await large.getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await smallTargets(page, 48), [], 'the counter in large text: targets of 48 px or more');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling in large text');
    assert.deepEqual(await axeSerious(page), [], 'axe on the counter page in large text');
    await page.screenshot({ path: join(SHOTS, 'counter-large-zh-CN-1280.png'), fullPage: true });
    await large.click();

    // Print: the button calls window.print, and the print view holds the confirmation only.
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
    await page.getByRole('button', { name: '打印确认单' }).click();
    assert.equal(await page.evaluate(() => window.__printed), 1);
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() => {
      const vis = (sel) => [...document.querySelectorAll(sel)].some((el) => el.checkVisibility());
      return {
        confirmation: vis('[data-testid=confirmation]'), code: vis('[data-testid=confirmation-code]'),
        header: vis('header'), footer: vis('footer'), heading: vis('main h1'), find: vis('#c-find-h'), offerings: vis('.offer-list li'), printButton: vis('.confirmation button'),
      };
    });
    assert.deepEqual(shown, { confirmation: true, code: true, header: false, footer: false, heading: false, find: false, offerings: false, printButton: false });
    await page.screenshot({ path: join(SHOTS, 'counter-print-zh-CN-1280.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  } finally {
    await context.close();
  }

  // The resident signs in on a phone: the booking is there, made at the counter, same code.
  const tok = await token(accountId, ['residents']);
  const mine = await apiCall(tok, 'GET', '/v1/me/bookings');
  const b = mine.json.items.find((x) => x.offering_id === course.id);
  assert.ok(b, mine.text);
  assert.equal(b.by, 'staff');
  assert.equal(b.code, code);
  const phone = await newPage(browser, { width: 390, height: 844 });
  try {
    await signInWithToken(phone.page, tok, '#/me/bookings');
    const card = phone.page.locator(`li.card[data-offering="${course.id}"]`);
    await card.getByTestId('by-staff').filter({ hasText: '柜台代办' }).waitFor();
    assert.equal((await card.getByTestId('booking-code').textContent()).trim(), code);
    await card.getByTestId('booking-status').filter({ hasText: '已确认' }).waitFor();
    await phone.page.screenshot({ path: join(SHOTS, 'counter-resident-bookings-zh-CN-390.png'), fullPage: true });
    await switchLang(phone.page);
    await card.getByTestId('by-staff').filter({ hasText: 'Booked at the counter' }).waitFor();
    assert.deepEqual(await axeSerious(phone.page), [], 'axe on the resident\'s bookings');
  } finally {
    await phone.context.close();
  }

  // Another day at the desk: the same number finds the same account, and staff cancel for them.
  const desk = await newPage(browser, { width: 1280, height: 800 });
  try {
    await signIn(desk.page, 'staff-liangxi-04', `#/centres/${CENTRE}/counter`);
    await desk.page.getByRole('heading', { level: 1, name: /柜台代办/ }).waitFor();
    await desk.page.getByLabel('居民手机号').fill('+86' + digits);
    await desk.page.getByLabel('居民姓名').fill(resident);
    await desk.page.getByRole('button', { name: '查找或新建账号' }).click();
    const again = desk.page.getByTestId('found');
    await again.waitFor();
    assert.equal(await again.getAttribute('data-created'), 'false');
    assert.match(await again.textContent(), new RegExp(`已找到账号：手机尾号 ${digits.slice(-4)}`));
    const row = desk.page.locator('li[data-booking]').filter({ hasText: code });
    // Had the leave to act lapsed (12 hours after finding), the API would answer 409
    // assist_required: the page says to find the resident again and shows the phone form.
    // (The lapse itself is the API's, tested in Go; here the answer is stood in for once.)
    const cancelPath = '**/assisted/*/bookings/*/cancel';
    await desk.page.route(cancelPath, (route) => route.fulfill({
      status: 409, contentType: 'application/problem+json',
      body: JSON.stringify({ status: 409, code: 'assist_required', title: 'assist_required', detail: '请先用居民的手机号查找账号（居民会收到短信），再代为办理。' }),
    }), { times: 1 });
    await row.getByRole('button', { name: /^为居民取消报名/ }).click();
    await row.getByRole('group').getByRole('button', { name: '取消报名' }).click();
    const lapsed = desk.page.locator('[role=alert][data-code=assist_required]');
    await lapsed.waitFor();
    assert.match(await lapsed.innerText(), /请重新用居民的手机号查找账号/);
    await desk.page.getByLabel('居民手机号').waitFor();
    assert.equal(await desk.page.locator('li[data-booking]').count(), 0, 'nothing more is shown for the resident');
    await desk.page.unroute(cancelPath);
    await desk.page.getByLabel('居民手机号').fill(digits);
    await desk.page.getByLabel('居民姓名').fill(resident);
    await desk.page.getByRole('button', { name: '查找或新建账号' }).click();
    await desk.page.getByTestId('found').waitFor();
    await row.getByRole('button', { name: new RegExp('为居民取消报名：' + title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).click();
    await row.getByRole('group').getByRole('button', { name: '取消报名' }).click();
    await desk.page.getByRole('status').filter({ hasText: '已为居民取消报名。' }).waitFor();
    const gone = await apiCall(tok, 'GET', '/v1/me/bookings/' + b.id);
    assert.equal(gone.json.status, 'cancelled', gone.text);
    assert.equal(gone.json.cancelled_by, 'staff');
  } finally {
    await desk.context.close();
  }
});
