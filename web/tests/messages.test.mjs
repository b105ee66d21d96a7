// Issue 12 in the browser: the 消息 page (the account's messages, how to reach me, the
// calendar file and the subscription address), "add to calendar" on a booking, and a
// promotion that reaches the page once the dispatcher has run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { BASE, SHOTS, launch, newPage, token, apiCall, signInWithToken, residentFor, addDays, todayShanghai, runId, tabThroughMain, switchLang } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// An evening course at c-liangxi-04 with `capacity` places, open for booking now, four
// weekly sessions from five weeks on.
async function course(capacity, label) {
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const starts = addDays(todayShanghai(), 35);
  const sessions = [0, 7, 14, 21].map((n) => addDays(starts, n));
  // Short enough to reach a message whole: a text cuts a title at 20 characters (shared/notices, one SMS).
  const title = `消息${label}${runId()}`;
  const r = await apiCall(staff, 'POST', '/v1/centres/c-liangxi-04/offerings', {
    kind: 'evening_course', title, starts_on: starts, ends_on: sessions[3], capacity, status: 'published',
    schedule: { text: '每周 19:00–21:00', sessions },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// A new resident with a participant booked on o (confirmed or waitlisted as o allows).
async function booked(o, prefix) {
  const r = await residentFor(o, prefix + runId());
  const b = await apiCall(r.tok, 'POST', `/v1/offerings/${o.id}/bookings`, { participant_id: r.participant.id, join_waitlist: true }, { 'Idempotency-Key': 'msg-' + r.sub });
  assert.equal(b.status, 201, b.text);
  return { ...r, booking: b.json };
}

const noOverflow = async (page, what) => assert.deepEqual(await page.evaluate(() => window.__t.overflow()), [], `${what}: nothing wider than the screen`);

// Clicks what starts a download; returns the calendar's response and the file's text.
async function saveCalendar(page, button) {
  const [response, download] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/me/calendar.ics'),
    page.waitForEvent('download'),
    button.click(),
  ]);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'] || '', /^text\/calendar/);
  assert.match(download.suggestedFilename(), /\.ics$/);
  return { response, name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}
const events = (ics) => (ics.match(/^BEGIN:VEVENT\r?$/gm) || []).length;

test('the 消息 page: from the navigation, empty at first, every control named and reached by Tab, 320–430 px, both languages', async () => {
  const tok = await token('msg-page-' + runId(), ['residents']);
  const { context, page } = await newPage(browser, { width: 320, height: 720 });
  try {
    await signInWithToken(page, tok, '#/');
    await page.getByRole('navigation').getByRole('link', { name: '消息' }).click();
    await page.getByRole('heading', { level: 1, name: '消息' }).waitFor();
    await page.getByTestId('no-messages').waitFor();
    assert.match(await page.getByTestId('no-messages').innerText(), /候补转正.*开课前一天/);
    await page.getByRole('checkbox', { name: '短信' }).waitFor();
    for (const h of ['收到的消息', '通知方式', '日历']) await page.getByRole('heading', { level: 2, name: h }).waitFor();
    assert.match(await page.locator('#prefs-intro').innerText(), /已验证的手机号和邮箱.*不能修改/);
    assert.match(await page.locator('#feed-warn').innerText(), /任何人拿到这个地址都能看到您的课程安排/);

    const names = await tabThroughMain(page);
    for (const want of ['短信', '邮件', '微信', '保存通知方式', '下载日历', '生成订阅地址', '停用订阅地址']) {
      assert.ok(names.includes(want), `${want} is reached by Tab: ${names.join(' → ')}`);
    }
    await noOverflow(page, '320 px');
    await page.screenshot({ path: join(SHOTS, 'messages-zh-CN-320.png'), fullPage: true });

    await page.setViewportSize({ width: 430, height: 900 });
    await noOverflow(page, '430 px');
    await switchLang(page);
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    await page.getByRole('checkbox', { name: 'WeChat' }).waitFor();
    for (const b of ['Save how to reach me', 'Download calendar', 'Create a subscription address', 'Revoke the subscription address']) await page.getByRole('button', { name: b }).waitFor();
    assert.match(await page.getByTestId('no-messages').innerText(), /No messages yet/);
    await noOverflow(page, '430 px, English');
    await page.screenshot({ path: join(SHOTS, 'messages-en-430.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('how to reach me: saved, shown again after a reload, and a failed save says so with a retry', async () => {
  const tok = await token('msg-prefs-' + runId(), ['residents']);
  const before = (await apiCall(tok, 'GET', '/v1/me/message-preferences'));
  assert.equal(before.status, 200, before.text);
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signInWithToken(page, tok, '#/me/messages');
    const box = (name) => page.getByRole('checkbox', { name });
    await box('短信').waitFor();
    // The page shows what the server holds (SMS alone for an account that never chose).
    for (const [c, name] of [['sms', '短信'], ['email', '邮件'], ['wechat', '微信']]) {
      assert.equal(await box(name).isChecked(), before.json.channels.includes(c), `${name} as the server has it`);
    }

    // None: refused at the boxes, nothing sent.
    let puts = 0;
    page.on('request', (q) => { if (q.method() === 'PUT') puts++; });
    for (const name of ['短信', '邮件', '微信']) await box(name).uncheck();
    await page.getByRole('button', { name: '保存通知方式' }).click();
    await page.locator('#prefs-none').filter({ hasText: '请至少选择一种通知方式' }).waitFor();
    assert.equal(await box('短信').getAttribute('aria-invalid'), 'true');
    assert.equal(puts, 0, 'nothing is sent with no way chosen');

    // E-mail and WeChat, not SMS.
    await box('短信').uncheck();
    await box('邮件').check();
    await box('微信').check();
    await page.getByRole('button', { name: '保存通知方式' }).click();
    await page.getByRole('status').filter({ hasText: '通知方式已保存' }).waitFor();
    await page.waitForFunction(() => /通知方式已保存/.test(document.activeElement.innerText || ''));
    assert.deepEqual([...(await apiCall(tok, 'GET', '/v1/me/message-preferences')).json.channels].sort(), ['email', 'wechat']);

    await page.reload();
    await box('邮件').waitFor();
    assert.equal(await box('短信').isChecked(), false);
    assert.equal(await box('邮件').isChecked(), true);
    assert.equal(await box('微信').isChecked(), true);

    // The save fails (the service is away for a moment): said, with a retry that saves.
    await box('短信').check();
    await page.route('**/v1/me/message-preferences', (route) => (route.request().method() !== 'PUT' ? route.continue() : route.fulfill({
      status: 503, headers: { 'Content-Type': 'application/problem+json' }, body: JSON.stringify({ status: 503, code: 'unavailable', title: 'unavailable' }),
    })));
    await page.getByRole('button', { name: '保存通知方式' }).click();
    const failed = page.locator('main .msg-error[data-code="unavailable"]');
    await failed.waitFor();
    assert.match(await failed.innerText(), /服务暂时不可用/);
    assert.equal(await page.getByRole('status').filter({ hasText: '通知方式已保存' }).count(), 0, 'not said to be saved');
    await page.unrouteAll();
    await failed.getByRole('button', { name: '重试' }).click();
    await page.getByRole('status').filter({ hasText: '通知方式已保存' }).waitFor();
    assert.deepEqual([...(await apiCall(tok, 'GET', '/v1/me/message-preferences')).json.channels].sort(), ['email', 'sms', 'wechat']);
    await page.reload();
    await box('短信').waitFor();
    for (const name of ['短信', '邮件', '微信']) assert.equal(await box(name).isChecked(), true, `${name} after the retry`);
  } finally {
    await context.close();
  }
});

test('the calendar: the timetable and one booking as iCalendar files; the subscription address shown, copied, then revoked', async () => {
  const o = await course(5, '日历');
  const r = await booked(o, 'msg-cal-');
  assert.equal(r.booking.status, 'confirmed');
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  try {
    await signInWithToken(page, r.tok, '#/me/messages');
    const whole = await saveCalendar(page, page.getByRole('button', { name: '下载日历' }));
    assert.match(whole.text, /^BEGIN:VCALENDAR\r?$/m);
    assert.match(whole.text, /TZID=Asia\/Shanghai/);
    assert.equal(events(whole.text), 4, 'one event per session');
    await page.getByRole('status').filter({ hasText: whole.name }).waitFor();

    // The subscription address: shown once, read-only, copied; the feed answers without a token.
    await page.getByRole('button', { name: '生成订阅地址' }).click();
    const field = page.getByRole('textbox', { name: '订阅地址' });
    await field.waitFor();
    assert.equal(await field.getAttribute('readonly'), '');
    const url = await field.inputValue();
    assert.match(url, /^https?:\/\//);
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'feed-url');
    await noOverflow(page, 'the address at 390 px');
    await page.screenshot({ path: join(SHOTS, 'messages-feed-zh-CN-390.png'), fullPage: true });
    await page.getByRole('button', { name: '复制地址' }).click();
    await page.getByRole('status').filter({ hasText: '地址已复制' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    const feed = await fetch(new URL(url, BASE));
    assert.equal(feed.status, 200);
    assert.match(await feed.text(), /^BEGIN:VCALENDAR/);

    // Revoked after a question (closing it first changes nothing); the address then answers no more.
    // The focus follows: to the answer, back to the button, then to what was done.
    const focused = (text, what) => page.waitForFunction((x) => document.activeElement && (document.activeElement.innerText || '').trim().startsWith(x), text, { timeout: 5000 })
      .catch(() => assert.fail(`${what}: the focus is elsewhere`));
    await page.getByRole('button', { name: '停用订阅地址' }).click();
    const q = page.getByRole('group', { name: /停用后.*不再更新/ });
    await q.waitFor();
    await focused('确定停用', 'the question');
    await q.getByRole('button', { name: '关闭' }).click();
    await q.waitFor({ state: 'detached' });
    await focused('停用订阅地址', 'the question closed');
    assert.equal((await fetch(new URL(url, BASE))).status, 200, 'not revoked by closing the question');
    await page.keyboard.press('Enter');
    await focused('确定停用', 'the question again');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '订阅地址已停用' }).waitFor();
    await focused('订阅地址已停用', 'revoked');
    assert.equal(await field.count(), 0, 'the address is no longer shown');
    const gone = await fetch(new URL(url, BASE));
    assert.ok(gone.status >= 400 && gone.status < 500, `the revoked address answers ${gone.status}`);

    // On the booking: this booking's sessions alone.
    await page.getByRole('navigation').getByRole('link', { name: '我的报名' }).click();
    const card = page.locator(`li.card[data-booking="${r.booking.id}"]`);
    const add = card.getByRole('button', { name: `加入日历：${o.title}` });
    await add.waitFor();
    const one = await saveCalendar(page, add);
    assert.match(one.response.url(), new RegExp(`booking_id=${r.booking.id}`));
    assert.match(one.text, /^BEGIN:VCALENDAR\r?$/m);
    assert.equal(events(one.text), 4, 'one event per session of the booking');
    await card.getByRole('status').filter({ hasText: one.name }).waitFor();
  } finally {
    await context.close();
  }
});

test('a promotion reaches the 消息 page once the dispatcher has run, in both languages', async () => {
  // One place: the first resident has it, the second waits; the first cancels.
  const o = await course(1, '转正');
  const first = await booked(o, 'msg-first-');
  const second = await booked(o, 'msg-second-');
  assert.equal(first.booking.status, 'confirmed');
  assert.equal(second.booking.status, 'waitlisted');
  const c = await apiCall(first.tok, 'POST', `/v1/me/bookings/${first.booking.id}/cancel`);
  assert.equal(c.status, 200, c.text);

  // The dispatcher sends what the outbox holds; run it now rather than wait for its minute.
  let mine = [];
  for (let i = 0; i < 20 && !mine.length; i++) {
    const run = await apiCall(null, 'POST', '/_local/schedule/DispatcherFunction');
    assert.equal(run.status, 200, run.text);
    const list = await apiCall(second.tok, 'GET', '/v1/me/messages');
    assert.equal(list.status, 200, list.text);
    mine = list.json.items.filter((m) => m.event === 'promoted' && m.text.includes(o.title));
    if (!mine.length) await new Promise((res) => setTimeout(res, 500));
  }
  assert.ok(mine.length >= 1, 'the promoted resident has a message');
  // Running the dispatcher again sends nothing more: one message a channel (SMS alone, as never chosen otherwise).
  assert.equal((await apiCall(null, 'POST', '/_local/schedule/DispatcherFunction')).status, 200);
  const again = (await apiCall(second.tok, 'GET', '/v1/me/messages')).json.items.filter((x) => x.event === 'promoted' && x.text.includes(o.title));
  assert.deepEqual(again.map((x) => x.id), mine.map((x) => x.id));
  assert.equal(mine.length, 1, 'one message on the one channel');
  const m = mine[0];
  console.log(`promoted: ${m.channel} ${m.status} at ${m.sent_at}: ${m.text}`);
  assert.match(m.text, / \/ /, 'Chinese, then English');
  if (m.status === 'sent') {
    const sent = await apiCall(null, 'GET', '/_local/messages');
    assert.equal(sent.status, 200, sent.text);
    assert.ok(JSON.stringify(sent.json).includes(o.title), 'the local channel recorded the send');
  }
  // The first resident, whose booking was cancelled by themself, is told nothing.
  const theirs = (await apiCall(first.tok, 'GET', '/v1/me/messages')).json.items.filter((x) => x.text.includes(o.title));
  assert.deepEqual(theirs, []);

  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  try {
    await signInWithToken(page, second.tok, '#/');
    await page.getByRole('navigation').getByRole('link', { name: '消息' }).click();
    const item = page.locator(`li.message[data-message="${m.id}"]`);
    await item.waitFor();
    assert.equal(await item.getByRole('heading', { level: 3 }).innerText(), '候补转正');
    // A sent message went by a channel the contract names; a failed one may name none.
    const channel = { sms: '短信', email: '邮件', wechat: '微信' }[m.channel];
    if (m.status === 'sent') assert.ok(channel, `sent by a channel the contract names: ${m.channel}`);
    assert.equal(await item.getByTestId('channel').innerText(), channel ?? m.channel);
    assert.equal(await item.getByTestId('message-status').innerText(), { sent: '已发送', failed: '发送失败' }[m.status]);
    assert.equal(await item.getByTestId('failed-hint').count(), m.status === 'failed' ? 1 : 0, 'a failed message says what to check');
    const when = new Date(m.sent_at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    assert.equal(await item.locator('time').innerText(), when, 'the time in Wuxi');
    const text = item.locator('p[lang]').first();
    assert.equal(await text.getAttribute('lang'), 'zh-CN', 'Chinese first in Chinese');
    assert.ok((await text.innerText()).includes(o.title));
    await noOverflow(page, 'a message at 360 px');
    await page.screenshot({ path: join(SHOTS, 'messages-promoted-zh-CN-360.png'), fullPage: true });

    await switchLang(page);
    await item.getByRole('heading', { level: 3, name: 'Confirmed from the waitlist' }).waitFor();
    assert.equal(await item.locator('p[lang]').first().getAttribute('lang'), 'en', 'English first in English');
    assert.equal(await item.getByTestId('message-status').innerText(), { sent: 'Sent', failed: 'Not sent' }[m.status]);
    await page.screenshot({ path: join(SHOTS, 'messages-promoted-en-360.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
