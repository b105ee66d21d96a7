// The keyboard path through booking, at phone width: from the list to an offering, choose a
// participant, book, and read the result, with Tab, Shift-Tab, Enter and Space only; the
// focus shows at every stop (WCAG 2.4.7, with 3:1 contrast) and never falls to <body>.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, apiCall, signInWithToken, residentFor, catalogue, openAt } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Presses key until the focused element passes want, checking the focus at every stop.
async function tabTo(page, want, what, { key = 'Tab', max = 80 } = {}) {
  const stops = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await page.evaluate(() => window.__t.focus());
    assert.ok(!f.body, `focus fell to <body> after ${stops.join(' → ')}`);
    assert.ok(f.visible && f.inView, `focus on ${f.name} does not show (outline ${f.outline}, contrast ${f.contrast.toFixed(2)}, in view ${f.inView})`);
    stops.push(f.name.slice(0, 30));
    if (want(f)) return f;
  }
  assert.fail(`${what} not reached in ${max} presses of ${key}: ${stops.join(' → ')}`);
}

test('keyboard only: list → offering → participant → 报名 → result', async () => {
  const list = await catalogue();
  const o = list.slice(0, 20).find((x) => openAt(x, Date.now()) && x.available > 0);
  assert.ok(o, 'an offering open for booking on the first page of the list');
  const r = await residentFor(o, 'kbd-' + Date.now().toString(36));

  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signInWithToken(page, r.tok, '#/');
    await page.locator('li.card').first().waitFor();

    // Through the header, the filters and the cards to the offering's link; Shift-Tab back
    // one stop and forward again, then Enter.
    const link = '#/offerings/' + encodeURIComponent(o.id);
    await tabTo(page, (f) => f.href === link, 'the offering link');
    await tabTo(page, (f) => f.href !== link, 'the stop before', { key: 'Shift+Tab', max: 1 });
    await tabTo(page, (f) => f.href === link, 'the offering link again', { max: 1 });
    await page.keyboard.press('Enter');

    // The offering's heading takes the focus.
    await page.getByRole('heading', { level: 1, name: o.title }).waitFor();
    await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'H1');
    const h = await page.evaluate(() => window.__t.focus());
    assert.ok(h.visible, `heading focus does not show (${h.outline})`);

    // The participant's radio, chosen with Space; then the 报名 button, pressed with Enter.
    await page.locator('input[type=radio]').first().waitFor();
    const mineRadio = page.getByRole('radio', { name: new RegExp(r.participant.name) });
    await tabTo(page, (f) => f.type === 'radio', 'the participant');
    assert.ok(await mineRadio.evaluate((el) => el === document.activeElement), 'the focused radio is the participant');
    await page.keyboard.press('Space');
    assert.equal(await mineRadio.isChecked(), true);
    await tabTo(page, (f) => f.tag === 'button' && f.text === '报名', 'the 报名 button');
    await page.keyboard.press('Enter');

    // The focus moves to the result, which says the place is confirmed.
    await page.waitForFunction(() => document.activeElement !== document.body && /报名成功/.test(document.activeElement.innerText || ''), null, { timeout: 10000 })
      .catch(async () => assert.fail(`focus is on ${(await page.evaluate(() => window.__t.focus())).name ?? '<body>'}, not on the result`));
    const res = await page.evaluate(() => window.__t.focus());
    assert.ok(res.visible && res.inView, `the result's focus does not show (${res.outline})`);
    assert.match(res.text, /报名成功，名额已确认/);

    const mine = (await apiCall(r.tok, 'GET', '/v1/me/bookings')).json.items;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].offering_id, o.id);
    assert.equal(mine[0].status, 'confirmed');
  } finally {
    await context.close();
  }
});
