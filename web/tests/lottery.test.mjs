// Issue 13 in the browser: the 核验 page recomputes a draw document with WebCrypto and
// catches a tampered copy of each member; a held place shows its deadline, is accepted, and
// an expired one says so; and the whole resident path through a lottery offering on the
// local stack (apply, withdraw, apply again, the draw, my applications, the held place
// accepted, the draw checked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, SHOTS, RESULTS, launch, newPage, token, apiCall, signInWithToken, residentFor, addDays, todayShanghai, runId, switchLang, fitsPhones } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The draw document of shared/lottery/testdata: enrol-lottery-v1 done with sha256sum and
// openssl alone (vector-v1.sh), for offering "o1" and applications a1, a2, a3.
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'lottery', 'testdata', 'drawn-v1.json');
const drawn = JSON.parse(await readFile(FIXTURE, 'utf8'));
const sha = (s) => createHash('sha256').update(s).digest('hex');
const clone = (x) => JSON.parse(JSON.stringify(x));
const OTHER = '0f'.repeat(32);
const noOverflow = async (page, what) => assert.deepEqual(await page.evaluate(() => window.__t.overflow()), [], `${what}: nothing wider than the screen`);

// Serves /v1/offerings/<id>/draw from docs (by offering id) for every page of the context.
async function serveDraws(page, docs) {
  await page.route(/\/v1\/offerings\/[^/]+\/draw$/, (route) => {
    const id = decodeURIComponent(new URL(route.request().url()).pathname.split('/')[3]);
    if (docs[id]) route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(docs[id]) });
    else route.fulfill({ status: 404, contentType: 'application/problem+json', body: JSON.stringify({ status: 404, code: 'not_found' }) });
  });
}

async function openDraw(page, id, query = '') {
  await page.goto(BASE + '/#/draws/' + encodeURIComponent(id) + query);
  await page.getByRole('heading', { level: 1, name: /抽签核验|Check the draw/ }).waitFor();
}
const verdict = (page) => page.getByTestId('verdict');

test('核验: a right draw has every rank reproduced; a tampered copy of each member is caught and named', async () => {
  const tamper = {
    commitment: [(d) => { d.commitment = OTHER; }, ['commitment'], ['commitment']],
    secret: [(d) => { d.secret = OTHER; }, ['commitment', 'seed'], ['commitment', 'seed']],
    'beacon randomness': [(d) => { d.beacon.randomness = OTHER; }, ['seed'], ['seed']],
    digest: [(d) => { d.applicants_digest = OTHER; }, ['applicants_digest', 'seed'], ['applicants_digest', 'seed']],
    'a ticket': [(d) => { d.tickets[0] = OTHER; }, ['applicants_digest', 'results'], ['applicants_digest', 'results']],
    'a number': [(d) => { d.results[1].number = OTHER; }, ['results.number'], ['numbers']],
    'two ranks swapped': [(d) => { d.results[0].rank = 2; d.results[1].rank = 1; }, ['results.rank'], ['ranks']],
    'a tier': [(d) => { d.results[0].tier = 2; }, ['results.rank'], ['ranks']],
    seed: [(d) => { d.seed = OTHER; }, ['seed'], ['seed']],
    algorithm: [(d) => { d.algorithm = 'enrol-lottery-v0'; }, ['algorithm'], ['algorithm']],
    'a result dropped': [(d) => { d.results.pop(); }, ['results'], ['results']],
    'a result duplicated': [(d) => { d.results.push(clone(d.results[0])); }, ['results'], ['results']],
  };
  const docs = { o1: drawn };
  Object.entries(tamper).forEach(([name, [f]], i) => { const d = clone(drawn); f(d); docs['t' + i] = d; });
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await serveDraws(page, docs);
    await openDraw(page, 'o1');
    await verdict(page).waitFor();
    assert.equal(await verdict(page).getAttribute('data-ok'), 'true');
    const said = await verdict(page).innerText();
    assert.match(said, /核验通过：3 个签号，3 个名次全部重现/);
    assert.match(said, /Checked: 3 tickets, all 3 ranks reproduced/);
    for (const field of ['algorithm', 'commitment', 'applicants_digest', 'seed', 'numbers', 'ranks', 'results']) {
      assert.equal(await page.locator(`[data-testid=checks] li[data-field="${field}"]`).getAttribute('data-ok'), 'true', field);
    }
    assert.equal(await page.locator('table.draw-results tbody tr').count(), 3);
    for (const r of drawn.results) {
      assert.equal(await page.locator(`tr[data-ticket="${r.ticket}"] td`).first().innerText(), String(r.rank));
    }
    assert.equal(await page.getByTestId('commitment').innerText(), drawn.commitment);
    await fitsPhones(page, 'the 核验 page');
    await page.screenshot({ path: join(SHOTS, 'draw-verified-390.png'), fullPage: true });

    let i = 0;
    for (const [name, [, findings, checks]] of Object.entries(tamper)) {
      await openDraw(page, 't' + i++);
      await page.locator('[data-testid=verdict][data-ok]').waitFor();
      assert.equal(await verdict(page).getAttribute('data-ok'), 'false', name + ': caught');
      assert.match(await verdict(page).innerText(), /核验不通过.*\n?.*CHECK FAILED/s, name);
      for (const f of findings) assert.ok(await page.locator(`[data-testid=findings] li[data-field="${f}"]`).count() > 0, `${name}: a finding about ${f}`);
      for (const c of checks) {
        if (c === 'algorithm') continue; // nothing else is computed under an unknown algorithm
        assert.equal(await page.locator(`[data-testid=checks] li[data-field="${c}"]`).getAttribute('data-ok'), 'false', `${name}: ${c} marked as not matching`);
      }
      if (name === 'two ranks swapped') {
        await fitsPhones(page, 'a failed check');
        const text = await page.getByTestId('findings').innerText();
        assert.match(text, /公布的名次为2，重算得1/);
        assert.match(text, /the published rank is 2, recomputed 1/);
        await page.screenshot({ path: join(SHOTS, 'draw-tampered-390.png'), fullPage: true });
      }
    }

    // One's own ticket, from the application id the link from 我的申请 carries.
    const mine = drawn.results.find((r) => r.ticket === sha('enrol-ticket-v1|o1|a2'));
    await openDraw(page, 'o1', '?application=a2');
    await page.getByTestId('mine-result').waitFor();
    assert.equal(await page.getByTestId('mine-result').innerText(), `你的签号名次：第 ${mine.rank} 名（共 3 个）。`);
    await page.getByLabel('申请编号').fill('a9');
    await page.getByRole('button', { name: '查找', exact: true }).click();
    await page.getByTestId('mine-result').filter({ hasText: '你的签号不在这次抽签中' }).waitFor();

    // In English too.
    await openDraw(page, 'o1');
    await verdict(page).waitFor();
    await switchLang(page);
    await page.getByRole('heading', { level: 1, name: 'Check the draw' }).waitFor();
    await page.getByText('Every ticket’s rank: matches (3 / 3)').waitFor();
    await fitsPhones(page, 'the 核验 page in English');
  } finally {
    await context.close();
  }
});

test('核验 before the draw: the commitment and the beacon round, then the tickets against their digest', async () => {
  // A beacon source as drand's is written: one long word, which must still wrap on a phone.
  const source = 'https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971';
  const opened = { algorithm: drawn.algorithm, status: 'committed', commitment: drawn.commitment, beacon: { source, round: drawn.beacon.round } };
  const closed = { ...opened, applicants_digest: drawn.applicants_digest, tickets: drawn.tickets };
  const dropped = { ...closed, tickets: drawn.tickets.slice(1) };
  const { context, page } = await newPage(browser, { width: 320, height: 720 });
  try {
    await serveDraws(page, { opened, o1: closed, dropped }); // o1: the fixture's tickets are of offering o1
    await openDraw(page, 'opened');
    await page.getByTestId('not-closed').waitFor();
    assert.equal(await page.getByTestId('commitment').innerText(), drawn.commitment);
    assert.match(await page.getByTestId('beacon').innerText(), /第 1 轮/);
    assert.equal(await page.getByTestId('draw-status').innerText(), '已公布承诺，尚未抽签');
    assert.equal(await page.getByTestId('ticket-count').count(), 0);
    await fitsPhones(page, 'the 核验 page before the close');

    await openDraw(page, 'o1', '?application=a3');
    await verdict(page).waitFor();
    assert.equal(await page.getByTestId('ticket-count').innerText(), '3 个签号');
    assert.equal(await verdict(page).innerText(), '3 个签号与其摘要一致。');
    assert.equal(await page.getByTestId('mine-result').innerText(), '你的签号在名单中。');

    await openDraw(page, 'dropped');
    await page.locator('[data-testid=findings] li[data-field="applicants_digest"]').waitFor();
  } finally {
    await context.close();
  }
});

// A held place (offered) with its deadline, accepted; an expired one says so. The bookings
// are served through page.route so the page's side is checked whatever the backend holds.
test('a held place shows its deadline and is accepted; an expired one is shown as expired', async () => {
  const tok = await token('offer-page-' + runId(), ['residents']);
  const base = { offering: { title: '夜校·摄影', kind: 'evening_course', centre: { id: 'c-liangxi-04', name: '梁溪青年夜校' }, starts_on: '2027-03-01' }, participant_id: 'p1', participant: { name: '王小明' }, created_at: '2026-12-01T10:00:00+08:00' };
  let offered = { ...base, id: 'bk-offered', offering_id: 'o-a', status: 'offered', offer_expires_at: '2026-12-03T20:00:00+08:00' };
  const expired = { ...base, id: 'bk-expired', offering_id: 'o-b', status: 'expired' };
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await page.route(/\/v1\/me\/bookings(\?.*)?$/, (route) => route.fulfill({ json: { items: [offered, expired] } }));
    let accepted = 0;
    await page.route(/\/v1\/me\/bookings\/bk-offered\/accept$/, (route) => {
      accepted++;
      offered = { ...offered, status: 'confirmed', offer_expires_at: undefined };
      route.fulfill({ json: offered });
    });
    await signInWithToken(page, tok, '#/me/bookings');
    const card = page.locator('li[data-booking="bk-offered"]');
    await card.getByTestId('offer-deadline').waitFor();
    assert.equal(await card.getByTestId('offer-deadline').innerText(), '名额为你保留到 2026/12/03 20:00，请在此之前接受；逾期将让给下一位。');
    assert.equal(await card.getByTestId('booking-status').innerText(), '为你保留中');
    assert.equal(await page.locator('li[data-booking="bk-expired"]').getByTestId('booking-status').innerText(), '已过期（未在期限内接受）');
    assert.equal(await page.locator('li[data-booking="bk-expired"] button').count(), 0, 'nothing to do on an expired booking');
    await card.getByRole('button', { name: '放弃名额：夜校·摄影' }).waitFor();
    await noOverflow(page, 'a held place at 390 px');
    await page.screenshot({ path: join(SHOTS, 'offer-held-390.png'), fullPage: true });
    await card.getByRole('button', { name: '接受名额：夜校·摄影' }).click();
    await page.locator('.msg-ok', { hasText: '已接受，名额已确认。' }).waitFor();
    assert.equal(accepted, 1);
    await card.getByTestId('booking-status').filter({ hasText: '已确认' }).waitFor(); // once the list is read again
    assert.equal(await card.getByTestId('offer-deadline').count(), 0);
  } finally {
    await context.close();
  }
});

// The whole path on the local stack: staff create a lottery offering whose applications
// close in under a minute (the stack's clock is moved on to it), a resident applies, withdraws and applies again in the browser,
// the draw runs (staff's POST /v1/offerings/{id}/draw, once the beacon round is out), and the
// resident sees the rank, accepts the held place and checks the draw.
test('a lottery offering from applying to an accepted place, with the draw checked in the browser', async () => {
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const starts = addDays(todayShanghai(), 40);
  const sessions = [0, 7, 14].map((n) => addDays(starts, n));
  const at = (ms) => new Date(Date.now() + ms).toISOString();
  const opens = at(3000), closes = at(45000);
  const created = await apiCall(staff, 'POST', '/v1/centres/c-liangxi-04/offerings', {
    kind: 'evening_course', title: '抽签课' + runId(), starts_on: starts, ends_on: sessions[2], capacity: 3, status: 'published',
    schedule: { text: '每周 19:00–21:00', sessions }, allocation: 'lottery', offer_hours: 24,
    applications_open_at: opens, applications_close_at: closes, draw_at: closes, booking_opens_at: at(3600e3), booking_closes_at: at(7 * 24 * 3600e3),
  });
  assert.equal(created.status, 201, created.text);
  const o = created.json;
  assert.equal(o.allocation, 'lottery');
  // Two other applicants through the API, so the draw ranks three (and offers each a place).
  for (const n of [1, 2]) {
    const r = await residentFor(o, 'lot-other' + n + '-' + runId());
    while (Date.now() < Date.parse(opens)) await new Promise((res) => setTimeout(res, 250));
    const a = await apiCall(r.tok, 'POST', `/v1/offerings/${o.id}/applications`, { participant_id: r.participant.id });
    assert.equal(a.status, 201, a.text);
  }
  const me = await residentFor(o, 'lot-me-' + runId());
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signInWithToken(page, me.tok, '#/offerings/' + encodeURIComponent(o.id));
    await page.getByTestId('apply-window').waitFor();
    await page.getByTestId('draw-at').getByRole('link', { name: '核验抽签结果' }).waitFor();
    const apply = page.getByTestId('apply');
    await apply.getByRole('radio', { name: new RegExp(me.participant.name) }).check();
    await apply.getByRole('button', { name: '申请', exact: true }).click();
    await apply.locator('[data-status="applied"]').waitFor();
    // Withdraw, then apply again.
    const card = apply.locator('li[data-application]');
    await card.getByRole('button', { name: new RegExp('撤回' + me.participant.name) }).click();
    await card.getByRole('group').getByRole('button', { name: '撤回申请' }).click();
    await apply.locator('[data-testid=application-status]', { hasText: '已撤回' }).waitFor();
    // The withdrawal is said where the focus now is, and the question is gone.
    await apply.locator('.msg-ok', { hasText: '申请已撤回。' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), '申请已撤回。');
    assert.equal(await card.getByRole('group').count(), 0);
    await apply.getByRole('radio', { name: new RegExp(me.participant.name) }).check();
    await apply.getByRole('button', { name: '申请', exact: true }).click();
    await apply.locator('li[data-application] [data-testid=application-status]', { hasText: '已申请，等待抽签' }).waitFor();
    await noOverflow(page, 'a lottery offering at 390 px');
    await page.screenshot({ path: join(SHOTS, 'lottery-applied-390.png'), fullPage: true });

    // The draw: after the close, once the beacon's round is out (draw_not_ready till then). The
    // stack's clock is moved on past the close and the round (POST /_local/clock) rather than
    // waited for, and moved back once drawn, as the browser's clock must agree with it.
    const ahead = Math.ceil((Date.parse(closes) - Date.now()) / 1000) + 4;
    if (ahead > 0) {
      const moved = await apiCall(null, 'POST', '/_local/clock', { advance_seconds: ahead });
      assert.equal(moved.status, 200, moved.text);
    }
    let draw;
    for (let i = 0; i < 60; i++) {
      draw = await apiCall(staff, 'POST', `/v1/offerings/${o.id}/draw`);
      if (draw.status !== 409) break;
      assert.equal(draw.json.code, 'draw_not_ready', draw.text);
      await new Promise((res) => setTimeout(res, 1000));
    }
    assert.equal(draw.status, 200, draw.text);
    if (ahead > 0) { // back in step with the browser's clock, for what follows
      const back = await apiCall(null, 'POST', '/_local/clock', { advance_seconds: -ahead });
      assert.equal(back.status, 200, back.text);
    }
    const doc = (await apiCall(null, 'GET', `/v1/offerings/${o.id}/draw`)).json;
    assert.equal(doc.status, 'drawn');
    assert.equal(doc.results.length, 3);
    // Kept for checking by hand: go run ./cmd/verify-draw web/test-results/lottery-draw.json
    await writeFile(join(RESULTS, 'lottery-draw.json'), JSON.stringify(doc, null, 2));

    // 我的申请: the rank and the outcome, the links to the draw and to the booking.
    await page.getByRole('navigation').getByRole('link', { name: '我的申请' }).click();
    await page.getByRole('heading', { level: 1, name: '我的申请' }).waitFor();
    const mine = page.locator('li[data-application]', { has: page.locator('[data-testid=application-rank]') }).first();
    await mine.waitFor();
    const appId = await mine.getAttribute('data-application');
    const ticket = sha(`enrol-ticket-v1|${o.id}|${appId}`);
    assert.equal(await mine.getByTestId('application-ticket').innerText(), ticket);
    const rank = doc.results.find((r) => r.ticket === ticket).rank;
    assert.equal(await mine.getByTestId('application-rank').innerText(), `第 ${rank} 名`);
    assert.equal(await mine.getByTestId('application-status').innerText(), '中签：已为你保留名额'); // three places, three applicants
    await page.screenshot({ path: join(SHOTS, 'lottery-applications-390.png'), fullPage: true });

    // The held place, its deadline (drawn time + offer_hours), accepted.
    await mine.getByRole('link', { name: '查看名额' }).click();
    const booking = page.locator('li.card.pointed');
    await booking.getByTestId('offer-deadline').waitFor();
    assert.match(await booking.getByTestId('offer-deadline').innerText(), /^名额为你保留到 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}，请在此之前接受/);
    await page.screenshot({ path: join(SHOTS, 'lottery-offer-390.png'), fullPage: true });
    await booking.getByRole('button', { name: /^接受名额/ }).click();
    await page.locator('.msg-ok', { hasText: '已接受，名额已确认。' }).waitFor();
    await booking.getByTestId('booking-status').filter({ hasText: '已确认' }).waitFor(); // once the list is read again
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: '我的申请' }).waitFor();

    // The draw page checks the real document and finds this resident's ticket.
    await page.locator(`li[data-application="${appId}"]`).getByRole('link', { name: /^核验抽签/ }).click();
    await verdict(page).waitFor({ timeout: 30000 });
    assert.equal(await verdict(page).getAttribute('data-ok'), 'true', await verdict(page).innerText());
    assert.match(await verdict(page).innerText(), /3 个签号，3 个名次全部重现/);
    assert.equal(await page.getByTestId('mine-result').innerText(), `你的签号名次：第 ${rank} 名（共 3 个）。`);
  } finally {
    await context.close();
  }
});
