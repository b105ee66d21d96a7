// Every page at phone widths (320, 360, 390, 430) in both languages: nothing is wider than
// the screen (the page's scrollWidth, and every element's right edge); and at 1280.
// Screenshots of every page at 390 in both languages, and of the main ones at 1280 in
// Chinese, go to test-results/screenshots/<page>-<lang>-<width>.png; SHOT_WIDTHS=320,390
// takes them at other phone widths too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BASE, SHOTS, launch, newPage, token, districtToken, apiCall, signInWithToken, residentFor, catalogue, openAt, addDays, todayShanghai } from './helpers.mjs';

const PHONES = [320, 360, 390, 430];
const SHOT_AT = new Set((process.env.SHOT_WIDTHS || '390').split(',').map(Number));
const LANGS = ['zh-CN', 'en'];
const STAFF_OFFERING = 'o-liangxi-ec-past';
const LOTTERY = 'o-binhu-ec-lottery';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A page is ready when nothing on it is loading and its marker is there.
async function ready(page, marker) {
  await page.locator(marker).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('main .loading, main [aria-busy="true"]'));
}

// A language switch reloads what the server words (ages, messages) quietly,
// without a loading marker: after act, wait until no request has been in
// flight for 300 ms.
async function settledAfter(page, act) {
  let inflight = 0;
  const up = () => { inflight++; }, down = () => { inflight--; };
  page.on('request', up); page.on('requestfinished', down); page.on('requestfailed', down);
  try {
    await act();
    for (let quiet = 0; quiet < 3;) {
      await page.waitForTimeout(100);
      quiet = inflight > 0 ? 0 : quiet + 1;
    }
  } finally {
    page.off('request', up); page.off('requestfinished', down); page.off('requestfailed', down);
  }
}

async function setLang(page, lang, marker) {
  if ((await page.getAttribute('html', 'lang')) !== lang) {
    await settledAfter(page, () => page.locator('header button.lang').click());
  }
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  await ready(page, marker);
}

// Opens every closed disclosure in main, so forms inside are measured too.
async function openAll(page) {
  for (const s of await page.locator('main details:not([open]) > summary').all()) await s.click();
}

const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('every page fits phone screens in both languages; screenshots', async () => {
  const all = await catalogue();
  const open = all.find((o) => openAt(o, Date.now()) && o.available > 0 && o.kind === 'evening_course');
  // The first-come offering that opens latest (a lottery's booking opens after its draw).
  const soon = all.filter((o) => o.allocation !== 'lottery').reduce((a, o) => (Date.parse(o.booking_opens_at) > Date.parse(a.booking_opens_at) ? o : a));
  const full = (await catalogue('')).find((o) => o.available === 0 && o.waitlist_enabled && o.kind === open.kind && openAt(o, Date.now()));
  assert.ok(open && full, 'the demo data has an open evening course and a full offering with a waitlist');

  // A resident with a confirmed and a waitlisted booking, so "my bookings" shows both.
  const r = await residentFor(open);
  for (const o of [open, full]) {
    const b = await apiCall(r.tok, 'POST', `/v1/offerings/${o.id}/bookings`, { participant_id: r.participant.id, join_waitlist: true }, { 'Idempotency-Key': 'pages-' + r.sub + o.id });
    assert.equal(b.status, 201, b.text);
  }
  const accounts = {
    anonymous: null,
    resident: r.tok,
    staff: await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']),
    officer: await token('officer-wuxi-edu', ['city-officers']),
    district: await districtToken('officer-liangxi', 'liangxi'),
  };
  const pages = [
    { name: 'browse', desk: true, who: 'anonymous', hash: '#/', marker: 'li.card' },
    { name: 'offering-soon', who: 'anonymous', hash: '#/offerings/' + soon.id, marker: 'main h1' },
    { name: 'signin', who: 'anonymous', hash: '#/signin', marker: 'button.account' },
    { name: 'need-signin', who: 'anonymous', hash: '#/me/bookings', marker: 'main button.primary' },
    { name: 'not-found', who: 'anonymous', hash: '#/no-such-page', marker: 'main h1' },
    { name: 'resident-browse', who: 'resident', hash: '#/', marker: 'li.card' },
    { name: 'offering-book', who: 'resident', hash: '#/offerings/' + open.id, marker: 'input[type=radio]' },
    { name: 'offering-full', who: 'resident', hash: '#/offerings/' + full.id, marker: 'input[type=radio]' },
    { name: 'my-bookings', who: 'resident', hash: '#/me/bookings', marker: 'li.card' },
    { name: 'my-applications', who: 'resident', hash: '#/me/applications', marker: 'main h1' },
    // The demo lottery (infra/seed LotteryCourse), applications open: 申请, and its 核验 page before the draw.
    { name: 'offering-lottery', who: 'resident', hash: '#/offerings/' + LOTTERY, marker: '[data-testid=apply] input[type=radio]' },
    { name: 'draw-committed', who: 'anonymous', hash: '#/draws/' + LOTTERY, marker: '[data-testid=commitment]' },
    { name: 'rounds', who: 'anonymous', hash: '#/rounds', marker: 'li[data-round]' },
    { name: 'round', who: 'resident', hash: '#/rounds/rnd-cc-spring-1', marker: '[data-testid=round-apply]' },
    { name: 'city-explain', who: 'officer', hash: '#/city/explain', marker: '#ex-app' },
    { name: 'participants', who: 'resident', hash: '#/me/participants', marker: '#pt-name' },
    // The guardian's consent step: a child's birth date typed in.
    { name: 'participants-consent', who: 'resident', hash: '#/me/participants', marker: '#pt-consent', prep: (page) => page.fill('#pt-birth', addDays(todayShanghai(), -365 * 6)) },
    { name: 'account', who: 'resident', hash: '#/me/account', marker: '#delete-confirm' },
    { name: 'messages', who: 'resident', hash: '#/me/messages', marker: '#ch-sms' },
    { name: 'privacy', who: 'anonymous', hash: '#/privacy', marker: 'article.notice[data-version] h2' },
    { name: 'staff-offerings', desk: true, who: 'staff', hash: '#/staff', marker: 'tr[data-offering]', open: true },
    { name: 'staff-roster', desk: true, who: 'staff', hash: '#/staff/offerings/' + STAFF_OFFERING, marker: 'fieldset.att', open: true },
    { name: 'city-dashboard', desk: true, who: 'officer', hash: '#/city', marker: '#chart-demand svg' },
    // Issue 19: the centre registry, a centre, its staff (the targets editor is on city-dashboard;
    // the district's dashboard is measured in district-centres.test.mjs, in both languages).
    { name: 'centres', desk: true, who: 'district', hash: '#/city/centres', marker: 'tr[data-centre]' },
    { name: 'centre-new', who: 'district', hash: '#/city/centres/new', marker: '#cn-name' },
    { name: 'centre', who: 'officer', hash: '#/city/centres/c-liangxi-04', marker: '[data-testid=centre-status]', open: true },
    { name: 'centre-staff', who: 'officer', hash: '#/centres/c-liangxi-04/staff', marker: '#inv-contact' },
  ];

  const problems = [];
  let checks = 0, shots = 0;
  // The accounts' pages side by side, each in its own context.
  await Promise.all(Object.entries(accounts).map(async ([who, tok]) => {
    const { context, page } = await newPage(browser, { width: 390, height: 844 });
    // A failure on one account's pages is reported with the others' findings.
    try {
      if (tok) await signInWithToken(page, tok);
      for (const p of pages.filter((x) => x.who === who)) {
        await page.goto(BASE + '/' + p.hash);
        if (p.prep) await p.prep(page);
        await ready(page, p.marker);
        if (p.open) await openAll(page);
        for (const lang of LANGS) {
          await setLang(page, lang, p.marker);
          for (const width of [...PHONES, 1280]) {
            await page.setViewportSize({ width, height: width > 1000 ? 800 : 844 });
            await frames(page);
            checks++;
            for (const o of await page.evaluate(() => window.__t.overflow())) problems.push(`${p.name} ${lang} ${width}px: ${o}`);
            if (SHOT_AT.has(width) || (width === 1280 && p.desk && lang === 'zh-CN')) {
              await page.screenshot({ path: join(SHOTS, `${p.name}-${lang}-${width}.png`), fullPage: true });
              shots++;
            }
          }
          await page.setViewportSize({ width: 390, height: 844 });
        }
      }
    } catch (e) {
      problems.push(`${who}: ${e.message.split('\n')[0]}`);
    } finally {
      await context.close();
    }
  }));
  console.log(`${pages.length} pages: ${checks} overflow checks, ${shots} screenshots in ${SHOTS}`);
  assert.deepEqual(problems, [], 'wider than the screen:\n' + problems.join('\n'));
});
