// Issue 10 in the browser: the privacy notice, the guardian's consent when registering a
// child under 14, the verified badge, the account's data downloaded, a participant deleted,
// consent withdrawn, and the account deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { BASE, SHOTS, launch, newPage, token, apiCall, signInWithToken, residentFor, catalogue, openAt, idNumber, addDays, todayShanghai, runId, adultBirth, tabThroughMain, switchLang } from './helpers.mjs';

let browser, notice;
before(async () => {
  browser = await launch();
  notice = (await apiCall(null, 'GET', '/v1/privacy-notice')).json;
});
after(async () => { await browser?.close(); });

const yearsBefore = (on, n) => String(Number(on.slice(0, 4)) - n) + on.slice(4);

test('the privacy notice, from the footer, in both languages', async () => {
  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  try {
    await page.goto(BASE + '/');
    await page.locator('footer').getByRole('link', { name: '个人信息保护告知书' }).click();
    const h1 = page.getByRole('heading', { level: 1, name: /个人信息保护告知书/ });
    await h1.waitFor();
    await page.locator(`article.notice[data-version="${notice.version}"]`).waitFor();
    let text = await page.locator('article.notice').innerText();
    assert.ok(text.includes(notice.version) && text.includes(notice.published_on), 'the version and date in Chinese');
    assert.ok(await page.locator('article.notice h2').count() >= 5, 'the sections are headings');
    assert.ok(await page.locator('article.notice strong').count() >= 1, 'bold is drawn as bold, not as asterisks');
    assert.ok(!text.includes('**') && !/^#/m.test(text), 'no Markdown shows');
    await page.screenshot({ path: join(SHOTS, 'privacy-zh-CN-360.png'), fullPage: true });

    await switchLang(page);
    await page.getByRole('heading', { level: 1, name: /privacy notice/i }).waitFor();
    text = await page.locator('article.notice').innerText();
    assert.match(text, new RegExp(`Version: ${notice.version}.*${notice.published_on}`));
    assert.match(text, /Personal Information Protection Law/);
    await page.screenshot({ path: join(SHOTS, 'privacy-en-360.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('the consent step shows only for a child under 14; refused without it; registered with it', async () => {
  const tok = await token('consent-' + runId(), ['residents']);
  const today = todayShanghai();
  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  try {
    await signInWithToken(page, tok, '#/me/participants');
    await page.locator('#pt-name').waitFor();
    const consent = page.getByTestId('consent');
    const box = page.getByRole('checkbox', { name: new RegExp(`我是该儿童的监护人.*（版本 ${notice.version}）`) });

    // 14 today: no consent; 14 tomorrow: consent.
    await page.fill('#pt-birth', yearsBefore(today, 14));
    assert.equal(await consent.count(), 0, 'no consent step for someone 14 today');
    await page.fill('#pt-birth', addDays(yearsBefore(today, 14), 1));
    await box.waitFor();
    assert.equal(await box.isChecked(), false, 'the box starts unticked');
    assert.equal(await consent.getByRole('link', { name: /阅读告知书全文/ }).getAttribute('href'), '#/privacy');
    const names = await tabThroughMain(page);
    assert.ok(names.some((n) => /阅读告知书全文/.test(n)) && names.some((n) => /我是该儿童的监护人/.test(n)), `the link and the box are reached by Tab: ${names.join(' → ')}`);

    // A child of six: not ticked, the page says so beside the box and sends nothing.
    const child = yearsBefore(today, 6);
    await page.fill('#pt-name', '王小雨');
    await page.fill('#pt-birth', child);
    await page.fill('#pt-id', idNumber(child));
    let posts = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/v1/me/participants')) posts++; });
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#pt-consent-err').waitFor();
    assert.equal(posts, 0, 'nothing is sent without the tick');
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    await page.screenshot({ path: join(SHOTS, 'consent-zh-CN-360.png'), fullPage: true });
    await switchLang(page);
    await page.getByRole('checkbox', { name: new RegExp(`I am this child's guardian.*\\(version ${notice.version}\\)`) }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'consent-en-360.png'), fullPage: true });
    await switchLang(page);

    // The server's own refusal (the consent stripped on the way) shows in the same place.
    await box.check();
    await page.route('**/v1/me/participants', (route) => {
      const body = JSON.parse(route.request().postData());
      delete body.guardian_consent;
      return route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#pt-consent-err[data-code="consent_required"]').waitFor();
    assert.match(await page.locator('#pt-consent-err').innerText(), /监护人/);
    await page.unrouteAll();

    // Ticked: registered, with the consent on record.
    await box.check();
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('status').filter({ hasText: '已添加报名人' }).waitFor();
    const item = page.locator('li.person').filter({ hasText: '王小雨' });
    await item.getByTestId('consent-given').filter({ hasText: notice.version }).waitFor();
    const mine = (await apiCall(tok, 'GET', '/v1/me/participants')).json.items;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].consent.notice_version, notice.version);
    assert.equal(await consent.count(), 0, 'the form is cleared, the step gone');

    // An adult: no step, registered without consent.
    const adult = adultBirth(today);
    await page.fill('#pt-name', '王大明');
    await page.fill('#pt-birth', adult);
    await page.fill('#pt-id', idNumber(adult));
    assert.equal(await consent.count(), 0, 'no consent step for an adult');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('li.person').filter({ hasText: '王大明' }).waitFor();
    assert.equal(await page.locator('li.person').filter({ hasText: '王大明' }).getByTestId('consent-given').count(), 0);

    // An invented region: said at the ID number.
    await page.fill('#pt-name', '假人');
    await page.fill('#pt-birth', adult);
    await page.fill('#pt-id', idNumber(adult, '999999'));
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#pt-id-err').waitFor();
    assert.equal(await page.locator('#pt-id').getAttribute('aria-invalid'), 'true');
  } finally {
    await context.close();
  }
});

test('too many registrations: when to try again; the 9th participant: the limit explained', async () => {
  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  try {
    const tok = await token('limits-' + runId(), ['residents']);
    await signInWithToken(page, tok, '#/me/participants');
    await page.locator('#pt-name').waitFor();
    // The answers as the server words them, given to the page in place of the real ones
    // (reaching them for real takes 8 registrations or 10 attempts a day).
    const answer = { participant_limit: [409, {}], too_many_requests: [429, { 'Retry-After': '7200' }] };
    for (const [code, [status, headers]] of Object.entries(answer)) {
      await page.route('**/v1/me/participants', (route) => (route.request().method() !== 'POST' ? route.continue() : route.fulfill({
        status, headers: { 'Content-Type': 'application/problem+json', ...headers },
        body: JSON.stringify({ status, code, title: code, detail: 'server detail ' + code }),
      })));
      const adult = adultBirth(todayShanghai());
      await page.fill('#pt-name', '某人');
      await page.fill('#pt-birth', adult);
      await page.fill('#pt-id', idNumber(adult));
      await page.getByRole('button', { name: '保存' }).click();
      const box = page.locator(`main .msg-error[data-code="${code}"]`);
      await box.waitFor();
      const text = await box.innerText();
      if (code === 'participant_limit') assert.match(text, /最多登记 8 名报名人/);
      else {
        // Two hours on, by the page's clock, in Wuxi time (a minute may turn meanwhile).
        const at = (ms) => new Date(ms).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
        const when = [at(Date.now() + 7200e3 - 60e3), at(Date.now() + 7200e3)];
        assert.ok(when.some((w) => text.includes(`请于 ${w} 后再试`)), `says when (${when}): ${text}`);
        assert.equal(await box.getByRole('button', { name: '重试' }).count(), 0, 'no retry button for hours ahead');
      }
      await page.unrouteAll();
    }
  } finally {
    await context.close();
  }
});

// An open offering for children, its centre's staff, and a resident with a child booked there.
async function bookedChild(prefix) {
  const o = (await catalogue()).find((x) => x.kind === 'care_class' && openAt(x, Date.now()) && x.available > 2);
  assert.ok(o, 'an open care class with places');
  const r = await residentFor(o, prefix + runId());
  const b = await apiCall(r.tok, 'POST', `/v1/offerings/${o.id}/bookings`, { participant_id: r.participant.id }, { 'Idempotency-Key': 'pd-' + r.sub });
  assert.equal(b.status, 201, b.text);
  return { o, r, booking: b.json };
}

test('a verified participant carries the badge, with the date, in both languages', async () => {
  const { o, r, booking } = await bookedChild('verified-');
  const staff = await token('staff-' + o.centre.id, ['centre-staff'], [o.centre.id]);
  const v = await apiCall(staff, 'POST', `/v1/offerings/${o.id}/roster/${booking.id}/verify-identity`, { id_number: r.id_number, document: 'resident_id_card' });
  assert.equal(v.status, 200, v.text);
  const day = new Date(v.json.verified_at).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  try {
    await signInWithToken(page, r.tok, '#/me/participants');
    const badge = page.locator(`li.person[data-participant="${r.participant.id}"]`).getByTestId('verified');
    await badge.waitFor();
    assert.equal((await badge.innerText()).replace(/\s+/g, ' ').trim(), `✓ 已核验 · ${day}`);
    await page.screenshot({ path: join(SHOTS, 'participants-verified-zh-CN-360.png'), fullPage: true });
    await switchLang(page);
    await badge.filter({ hasText: `Verified · ${day}` }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'participants-verified-en-360.png'), fullPage: true });
  } finally {
    await context.close();
  }
  // The centre's roster marks the participant too.
  const desk = await newPage(browser, { width: 1280, height: 800 });
  try {
    await signInWithToken(desk.page, staff, '#/staff/offerings/' + encodeURIComponent(o.id));
    const row = desk.page.getByRole('region', { name: /花名册/ }).locator('tbody tr').filter({ hasText: r.participant.name });
    await row.getByTestId('verified').filter({ hasText: '已核验' }).waitFor();
  } finally {
    await desk.context.close();
  }
});

// Presses Tab until the focus is on an element that passes want; the focus shows at every stop.
async function tabTo(page, want, what, max = 40, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await page.evaluate(() => window.__t.focus());
    assert.ok(!f.body && f.visible, `focus lost or not shown (${f.name || '<body>'}, ${f.outline})`);
    if (want(f)) return f;
  }
  assert.fail(`${what} not reached by ${key}`);
}
// Waits until the focus is on what says text, and shows.
async function focusText(page, text, what) {
  await page.waitForFunction((x) => document.activeElement && (document.activeElement.innerText || '').trim() === x, text, { timeout: 5000 })
    .catch(async () => assert.fail(`${what}: the focus is on ${(await page.evaluate(() => window.__t.focus())).name || '<body>'}`));
  const f = await page.evaluate(() => window.__t.focus());
  assert.ok(f.visible, `${what}: the focus does not show (${f.outline})`);
}

test('a participant with a booking: deleting is refused and explained; withdrawing consent erases the child (keyboard only)', async () => {
  const { r } = await bookedChild('rights-');
  const name = r.participant.name;
  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  try {
    await signInWithToken(page, r.tok, '#/me/participants');
    const item = page.locator(`li.person[data-participant="${r.participant.id}"]`);
    await item.waitFor();
    await page.locator('main h1').focus();

    // 删除 → the question takes the focus → 确定删除 → refused: cancel the bookings first.
    await tabTo(page, (x) => x.text === '删除', 'the delete button');
    assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), new RegExp(`删除报名人 ${name}`));
    await page.keyboard.press('Enter');
    await focusText(page, '确定删除', 'the answer to the question');
    assert.match(await item.getByRole('group').innerText(), /无法恢复/);
    await page.keyboard.press('Enter');
    const refused = item.locator('.msg-error[data-code="has_active_bookings"]');
    await refused.waitFor();
    await page.waitForFunction(() => document.activeElement.matches('.msg-error'));
    assert.match(await refused.innerText(), /请先取消这些报名/);
    await item.getByRole('link', { name: /我的报名/ }).waitFor();
    // Back to 关闭 (above the message): the focus is back on 删除.
    await tabTo(page, (x) => x.text === '关闭', 'close', 3, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await focusText(page, '删除', 'back from the question');

    // 撤回同意: a stern question, then the child's data is gone and the booking cancelled.
    await tabTo(page, (x) => x.text === '撤回同意', 'withdraw consent', 3);
    await page.keyboard.press('Enter');
    await focusText(page, '撤回同意并删除信息', 'the answer to the stern question');
    const q = await item.getByRole('group').innerText();
    assert.match(q, /报名将被取消/);
    assert.match(q, /信息将被删除/);
    await page.screenshot({ path: join(SHOTS, 'withdraw-consent-zh-CN-360.png'), fullPage: true });
    await switchLang(page);
    await item.getByRole('button', { name: 'Withdraw consent and erase' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'withdraw-consent-en-360.png'), fullPage: true });
    await switchLang(page);
    await item.getByRole('button', { name: '撤回同意并删除信息' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '已撤回同意' }).waitFor();
    await page.waitForFunction(() => /已撤回同意/.test(document.activeElement.innerText || ''));
    await item.waitFor({ state: 'detached', timeout: 5000 }).catch(() => assert.fail('the child has left the list'));
    assert.deepEqual((await apiCall(r.tok, 'GET', '/v1/me/participants')).json.items, []);
    const active = (await apiCall(r.tok, 'GET', '/v1/me/bookings')).json.items.filter((b) => b.status !== 'cancelled');
    assert.deepEqual(active, [], 'no active booking is left');
  } finally {
    await context.close();
  }
});

test('the account page: every control named; my data downloaded; the account deleted, then signed out', async () => {
  const { r, booking } = await bookedChild('account-');
  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  try {
    await signInWithToken(page, r.tok, '#/');
    await page.getByRole('navigation').getByRole('link', { name: '我的账号' }).click();
    await page.getByRole('heading', { level: 1, name: '我的账号' }).waitFor();
    const names = await tabThroughMain(page);
    for (const want of ['下载我的数据', '阅读告知书', '请输入“注销”以确认', '永久注销账号']) assert.ok(names.includes(want), `${want} is reached by Tab: ${names.join(' → ')}`);

    // The download is the server's file, under its name, and names the participant.
    const head = await apiCall(r.tok, 'GET', '/v1/me/export');
    assert.equal(head.status, 200, head.text);
    const expected = /filename="?([^";]+)"?/.exec(head.headers.get('content-disposition'))[1];
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载我的数据' }).click()]);
    assert.equal(download.suggestedFilename(), expected);
    assert.match(expected, /^enrol-export-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.deepEqual(data.participants.map((p) => p.name), [r.participant.name]);
    assert.deepEqual(data.bookings.map((b) => b.id), [booking.id]);
    assert.equal(data.consents.length, 1);
    await page.getByRole('status').filter({ hasText: expected }).waitFor();

    // The typed word is checked before anything is sent.
    let deletes = 0;
    page.on('request', (q) => { if (q.method() === 'DELETE') deletes++; });
    await page.fill('#delete-confirm', '删除');
    await page.getByRole('button', { name: '永久注销账号' }).click();
    await page.locator('#delete-confirm-err').waitFor();
    assert.equal(deletes, 0);
    await page.fill('#delete-confirm', '注销');
    await page.getByRole('button', { name: '永久注销账号' }).click();

    // Signed out, on the list, told so; the account holds nothing.
    await page.getByRole('button', { name: '登录' }).first().waitFor();
    await page.getByRole('status').filter({ hasText: '账号已注销' }).waitFor();
    assert.equal(await page.evaluate(() => location.hash), '#/');
    assert.equal(await page.evaluate(() => localStorage.getItem('enrol.token')), null);
    assert.deepEqual((await apiCall(r.tok, 'GET', '/v1/me/participants')).json.items, []);
    const active = (await apiCall(r.tok, 'GET', '/v1/me/bookings')).json.items.filter((b) => b.status !== 'cancelled');
    assert.deepEqual(active, []);
  } finally {
    await context.close();
  }
});
