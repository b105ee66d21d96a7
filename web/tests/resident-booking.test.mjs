// a. A resident books in the UI, sees it, cancels; the waitlisted resident is promoted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, token, apiCall, signIn, idNumber, addDays, todayShanghai, runId, adultBirth } from './helpers.mjs';

// Waits until the focused element's text matches re.
async function focusOn(page, re, when) {
  await page.waitForFunction((src) => {
    const el = document.activeElement;
    return el && el !== document.body && new RegExp(src).test((el.innerText || '').trim());
  }, re.source, { timeout: 5000 })
    .catch(async () => assert.fail(`${when}: the focus is on ${(await page.evaluate(() => window.__t.focus())).name || '<body>'}`));
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('resident books, cancels, and the waitlisted booking is promoted', async () => {
  const id = runId();
  // Staff publish an evening course with one place, open for booking now.
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const starts = addDays(todayShanghai(), 35);
  const sessions = [0, 7, 14, 21].map((n) => addDays(starts, n));
  const title = `锡青夜校 · 浏览器测试 ${id}`;
  const created = await apiCall(staff, 'POST', '/v1/centres/c-liangxi-04/offerings', {
    kind: 'evening_course', title, starts_on: starts, ends_on: sessions[3], capacity: 1, status: 'published',
    schedule: { text: '每周 19:00–21:00', sessions },
  });
  assert.equal(created.status, 201, created.text);
  const offering = created.json;

  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'demo-resident');
    await page.goto(BASE + '/#/offerings/' + encodeURIComponent(offering.id));
    await page.getByRole('heading', { level: 1, name: title }).waitFor();

    // Register a fresh adult participant (a previous run's may have reached the term limit).
    await page.getByRole('link', { name: '添加报名人' }).click();
    await page.getByRole('heading', { level: 1, name: '报名人' }).waitFor();
    const birth = adultBirth(starts);
    const good = idNumber(birth);
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const name = '测试' + id.slice(-4);
    await page.getByLabel('姓名').fill(name);
    await page.getByLabel('出生日期').fill(birth);
    await page.getByLabel('身份证号（18 位）').fill(bad);
    await page.getByRole('button', { name: '保存' }).click();
    // A wrong check digit is refused with invalid_id_number, shown at the field.
    await page.locator('[role="alert"][data-code="invalid_id_number"]').waitFor();
    assert.equal(await page.getByLabel('身份证号（18 位）').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('身份证号（18 位）').fill(good);
    await page.getByRole('button', { name: '保存' }).click();

    // Back on the offering, the new participant is chosen; book with one tap.
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    const radio = page.getByRole('radio', { name: new RegExp(name) });
    await radio.waitFor();
    assert.equal(await radio.isChecked(), true);
    await page.getByRole('button', { name: '报名', exact: true }).click();
    await page.locator('[role="status"] [data-status="confirmed"]').waitFor();
    // The focus moves to the result (not to <body>), for keyboard and screen-reader users.
    await focusOn(page, /报名成功/, 'after 报名');

    // My bookings shows it confirmed.
    await page.getByRole('link', { name: '查看我的报名' }).click();
    await page.getByRole('heading', { level: 1, name: '我的报名' }).waitFor();
    const card = page.locator(`li[data-offering="${offering.id}"]`).filter({ hasText: name });
    await card.getByTestId('booking-status').filter({ hasText: '已确认' }).waitFor();

    // A second resident (new account, via the API) is waitlisted.
    const other = await token('web-test-' + id, ['residents']);
    const ob = adultBirth(starts);
    const p2 = await apiCall(other, 'POST', '/v1/me/participants', { name: '候补' + id.slice(-4), birth_date: ob, id_number: idNumber(ob, '320211') });
    assert.equal(p2.status, 201, p2.text);
    const b2 = await apiCall(other, 'POST', `/v1/offerings/${offering.id}/bookings`, { participant_id: p2.json.id, join_waitlist: true }, { 'Idempotency-Key': 'web-test-' + id });
    assert.equal(b2.status, 201, b2.text);
    assert.equal(b2.json.status, 'waitlisted');
    assert.equal(b2.json.waitlist_position, 1);

    // The demo resident cancels in the UI; the focus goes to the question, then to the result.
    await card.getByRole('button', { name: '取消报名' }).click();
    await focusOn(page, /^取消报名$/, 'when asked to confirm');
    await card.getByRole('group').getByRole('button', { name: '取消报名' }).click();
    await page.getByRole('status').filter({ hasText: '报名已取消' }).waitFor();
    await focusOn(page, /报名已取消/, 'after 取消');

    // The waitlisted booking is now confirmed.
    const after = await apiCall(other, 'GET', '/v1/me/bookings/' + b2.json.id);
    assert.equal(after.status, 200, after.text);
    assert.equal(after.json.status, 'confirmed');
    const o2 = await apiCall(null, 'GET', '/v1/offerings/' + offering.id);
    assert.equal(o2.json.confirmed, 1);
    assert.equal(o2.json.waitlisted, 0);
  } finally {
    await context.close();
  }
});
