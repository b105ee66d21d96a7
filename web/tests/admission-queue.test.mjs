// Opening night: the API does not admit every booking at once. The local gateway answers the
// first tries 429 (API Gateway's throttle: {"message": …}, no Retry-After), 500 (API Gateway
// when Lambda throttled the function) and 503 (our busy store, Retry-After: 1); the page
// says 排队中 with the attempt, retries by itself with the same Idempotency-Key, and ends
// on the confirmed booking, booked once. Giving up stops the queue; 重试 later books once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, token, apiCall, signInWithToken, residentFor, addDays, todayShanghai, runId, fitsPhones, switchLang } from './helpers.mjs';

const ROUTE = 'POST /v1/offerings/{offering_id}/bookings';

// The next tries of the booking route answer these statuses ([] clears them).
async function refuseNext(answer) {
  const r = await apiCall(null, 'POST', '/_local/admission', { route: ROUTE, answer });
  assert.equal(r.status, 200, r.text);
}

async function newCourse() {
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const starts = addDays(todayShanghai(), 35);
  const sessions = [0, 7, 14, 21].map((n) => addDays(starts, n));
  const title = `锡青夜校 · 排队测试 ${runId()}`;
  const r = await apiCall(staff, 'POST', '/v1/centres/c-liangxi-04/offerings', {
    kind: 'evening_course', title, starts_on: starts, ends_on: sessions[3], capacity: 5, status: 'published',
    schedule: { text: '每周 19:00–21:00', sessions },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// The Idempotency-Key of every booking try the page sends.
function watchKeys(page, offeringId) {
  const keys = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/v1/offerings/' + encodeURIComponent(offeringId) + '/bookings')) keys.push(req.headers()['idempotency-key']);
  });
  return keys;
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await refuseNext([]); await browser?.close(); });

test('429, 500 and 503 put the booking in the queue (排队中), then it is confirmed, once', async () => {
  const o = await newCourse();
  const r = await residentFor(o, 'queue-' + runId());
  const { context, page } = await newPage(browser);
  try {
    await signInWithToken(page, r.tok, '#/offerings/' + encodeURIComponent(o.id));
    await page.getByRole('heading', { level: 1, name: o.title }).waitFor();
    await page.getByRole('radio', { name: new RegExp(r.participant.name) }).check();
    const keys = watchKeys(page, o.id);
    await refuseNext([429, 500, 503]);
    const t0 = Date.now();
    await page.getByRole('button', { name: '报名', exact: true }).click();

    const queue = page.getByTestId('queue');
    await queue.waitFor();
    assert.match(await queue.innerText(), /排队中/);
    assert.match(await queue.innerText(), /In the queue/);
    assert.match(await queue.innerText(), /第 \d+ 次，已等待 \d+ 秒/);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=queue]')?.dataset.attempt) >= 2, null, { timeout: 20000 });
    // The button stays off while queued: no second submit.
    assert.equal(await page.getByRole('button', { name: '报名', exact: true }).isDisabled(), true);

    await page.locator('[data-status=confirmed]').waitFor({ timeout: 30000 });
    const waited = Date.now() - t0;
    assert.match(await page.locator('[data-status=confirmed]').innerText(), /报名成功，名额已确认/);
    assert.equal(await queue.count(), 0, 'the queue note is gone once booked');
    assert.equal(keys.length, 4, 'three refused tries and the one admitted: ' + keys.join(' '));
    assert.ok(keys[0] && keys.every((k) => k === keys[0]), 'one Idempotency-Key on every try: ' + keys.join(' '));

    const mine = (await apiCall(r.tok, 'GET', '/v1/me/bookings')).json.items;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].status, 'confirmed');
    const rep = (await apiCall(null, 'GET', '/_local/admission')).json;
    assert.equal((rep.pending[ROUTE] || []).length, 0);
    console.log(`queued through 429, 500, 503: booked after ${keys.length} tries in ${(waited / 1000).toFixed(1)} s`);
    await page.screenshot({ path: 'test-results/screenshots/admission-booked.png' });
  } finally {
    await context.close();
  }
});

test('放弃排队 stops the queue; 重试 later books once, with the same key', async () => {
  const o = await newCourse();
  const r = await residentFor(o, 'giveup-' + runId());
  const { context, page } = await newPage(browser, { lang: 'en' });
  try {
    await signInWithToken(page, r.tok, '#/offerings/' + encodeURIComponent(o.id));
    await page.getByRole('heading', { level: 1, name: o.title }).waitFor();
    await page.getByRole('radio', { name: new RegExp(r.participant.name) }).check();
    const keys = watchKeys(page, o.id);
    await refuseNext(Array(100).fill(429));
    await page.getByRole('button', { name: 'Book', exact: true }).click();

    const queue = page.getByTestId('queue');
    await queue.waitFor();
    // English first here, Chinese beside it.
    assert.match(await queue.innerText(), /In the queue[\s\S]*排队中/);
    await page.screenshot({ path: 'test-results/screenshots/admission-queue-en.png' });
    // The queue note fits every phone width, in both languages.
    await fitsPhones(page, 'the queue note (English)');
    await switchLang(page);
    assert.match(await queue.innerText(), /排队中[\s\S]*In the queue/);
    await fitsPhones(page, 'the queue note (中文)');
    await switchLang(page);
    await page.getByRole('button', { name: 'Leave the queue' }).click();
    await page.locator('[role=alert][data-code=gave_up]').waitFor();
    assert.equal(await queue.count(), 0);
    const tries = keys.length;
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(keys.length, tries, 'no try after giving up');
    assert.equal((await apiCall(r.tok, 'GET', '/v1/me/bookings')).json.items.length, 0);

    // The rush is over: 重试 sends the same key once more, and books.
    await refuseNext([]);
    await page.locator('[role=alert][data-code=gave_up]').getByRole('button', { name: 'Retry' }).click();
    await page.locator('[data-status=confirmed]').waitFor();
    assert.ok(keys.every((k) => k === keys[0]), 'one key throughout: ' + keys.join(' '));
    const mine = (await apiCall(r.tok, 'GET', '/v1/me/bookings')).json.items;
    assert.equal(mine.length, 1);
  } finally {
    await context.close();
  }
});
