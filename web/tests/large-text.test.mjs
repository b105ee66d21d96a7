// Issue 20: large-text mode (大字模式) for older eyes. It is a pressed toggle in the header,
// kept across a reload and set before the page is drawn; at phone widths (320, 390, 430) in
// both languages nothing is wider than the screen, every link, button and field is at least
// 48 × 48 px, and axe finds nothing serious. An older resident (born 1958) then finds a
// 锡银学堂 course by the kind filter and books it, in large text. Screenshots:
// test-results/screenshots/large-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BASE, SHOTS, launch, newPage, token, apiCall, signInWithToken, idNumber, addDays, todayShanghai, runId, axeSerious, smallTargets } from './helpers.mjs';

const WIDTHS = [320, 390, 430];
const LANGS = ['zh-CN', 'en'];
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function toLang(page, l) {
  if ((await page.getAttribute('html', 'lang')) !== l) {
    await page.locator('header button.lang').click();
    await page.waitForFunction((x) => document.documentElement.lang === x, l);
  }
}

test('large-text mode: kept, fits phones, 48 px targets, axe clean; an older resident books a 锡银学堂 course', async () => {
  const id = runId();
  // Staff publish a 锡银学堂 course (open for booking now) at their centre.
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const starts = addDays(todayShanghai(), 30);
  const sessions = [0, 7, 14, 21].map((n) => addDays(starts, n));
  const title = `锡银学堂 · 书法入门 ${id}`;
  const made = await apiCall(staff, 'POST', '/v1/centres/c-liangxi-04/offerings', {
    kind: 'senior_course', title, starts_on: starts, ends_on: sessions[3], capacity: 2, status: 'published',
    schedule: { text: '每周二 09:30–11:00', sessions },
  });
  assert.equal(made.status, 201, made.text);
  const course = made.json;
  assert.equal(course.min_age_months, 660, '55 and over by default');

  // An older resident with a participant born in 1958.
  const sub = 'web-senior-' + id;
  const tok = await token(sub, ['residents']);
  const birth = '1958-0' + (1 + Math.floor(Math.random() * 9)) + '-1' + Math.floor(Math.random() * 9);
  const name = '张阿姨' + id.slice(-3);
  const p = await apiCall(tok, 'POST', '/v1/me/participants', { name, birth_date: birth, id_number: idNumber(birth, '320202') });
  assert.equal(p.status, 201, p.text);

  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signInWithToken(page, tok, '#/');
    await page.locator('li.card').first().waitFor();
    // The normal mode's targets on a phone: 44 px or more.
    const normal = [];
    for (const hash of ['#/', '#/offerings/' + encodeURIComponent(course.id), '#/me/bookings', '#/me/participants']) {
      await page.goto(BASE + '/' + hash);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      for (const width of [320, 390]) {
        await page.setViewportSize({ width, height: 844 });
        await frames(page);
        for (const s of await smallTargets(page, 44)) normal.push(`${hash} ${width}px: ${s}`);
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(normal, [], 'normal mode on a phone: targets of 44 px or more');
    await page.goto(BASE + '/#/');
    await page.locator('li.card').first().waitFor();

    // The toggle: a button whose pressed state says the mode.
    const toggle = page.getByRole('button', { name: '大字模式' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    const before = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize));
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    const after = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize));
    console.log(`page heading: ${before} px, ${after} px in large text`);
    assert.ok(after >= before * 1.2, `the text grows (${before} → ${after} px)`);

    // Kept across a reload, and on the page before the app has drawn anything.
    await page.reload({ waitUntil: 'domcontentloaded' });
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('large')), true, 'set by index.html before the app runs');
    await page.locator('li.card').first().waitFor();
    assert.equal(await page.getByRole('button', { name: '大字模式' }).getAttribute('aria-pressed'), 'true');

    // The resident's pages at phone widths, in both languages.
    const pages = [
      { name: 'browse', hash: '#/', marker: 'li.card' },
      { name: 'offering', hash: '#/offerings/' + encodeURIComponent(course.id), marker: 'main input[type=radio]' },
      { name: 'participants', hash: '#/me/participants', marker: '#pt-name' },
      { name: 'bookings', hash: '#/me/bookings', marker: '#show-cancelled' },
    ];
    const problems = [];
    let checks = 0;
    for (const pg of pages) {
      await page.goto(BASE + '/' + pg.hash);
      await page.locator(pg.marker).first().waitFor();
      for (const l of LANGS) {
        await toLang(page, l);
        await page.locator(pg.marker).first().waitFor();
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 844 });
          await frames(page);
          checks++;
          for (const o of await page.evaluate(() => window.__t.overflow())) problems.push(`${pg.name} ${l} ${width}px: ${o}`);
          for (const s of await smallTargets(page, 48)) problems.push(`${pg.name} ${l} ${width}px: under 48 px: ${s}`);
          if (width === 390) {
            for (const v of await axeSerious(page)) problems.push(`${pg.name} ${l}: axe ${v}`);
            await page.screenshot({ path: join(SHOTS, `large-${pg.name}-${l}-${width}.png`), fullPage: true });
          }
        }
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await toLang(page, 'zh-CN');
    }
    console.log(`large text: ${pages.length} pages, ${checks} width checks (overflow, 48 px targets), axe at 390 in both languages`);
    assert.deepEqual(problems, [], problems.join('\n'));

    // The older resident finds the course by its kind and books it, in large text.
    await page.goto(BASE + '/#/');
    await page.locator('li.card').first().waitFor();
    await page.getByLabel('类型').selectOption('senior_course');
    await page.getByLabel('区域').selectOption('liangxi');
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForFunction(() => { const t = [...document.querySelectorAll('li.card .tag')].map((x) => x.textContent); return t.length && t.every((x) => x === '锡银学堂'); });
    const card = page.locator(`li.card[data-offering="${course.id}"]`);
    for (let i = 0; i < 20 && !(await card.count()); i++) {
      const more = page.getByRole('button', { name: '加载更多' });
      await Promise.race([card.waitFor().catch(() => {}), more.waitFor().catch(() => {})]);
      if (await card.count()) break;
      await more.click();
    }
    // Every card shown is a 锡银学堂 one.
    const tags = await page.locator('li.card .tag').allTextContents();
    assert.ok(tags.length > 0 && tags.every((x) => x === '锡银学堂'), `the filter shows 锡银学堂 only: ${[...new Set(tags)]}`);
    await page.screenshot({ path: join(SHOTS, 'large-senior-catalogue-zh-CN-390.png'), fullPage: true });
    await card.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    const radio = page.getByRole('radio', { name: new RegExp(name) });
    await radio.waitFor();
    assert.equal(await radio.isChecked(), true);
    await page.getByRole('button', { name: '报名', exact: true }).click();
    await page.locator('[role="status"] [data-status="confirmed"]').waitFor();
    await page.screenshot({ path: join(SHOTS, 'large-senior-booked-zh-CN-390.png'), fullPage: true });
    const mine = await apiCall(tok, 'GET', '/v1/me/bookings');
    assert.ok(mine.json.items.some((b) => b.offering_id === course.id && b.status === 'confirmed'), mine.text);
  } finally {
    await context.close();
  }
});
