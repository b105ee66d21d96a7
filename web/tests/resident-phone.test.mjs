// The resident's pages on a phone: when booking opens and closes, the header's buttons on
// hover, and Back from an offering to the list as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, signInWithToken, residentFor, catalogue } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Clicks "load more" until the card of offering id is on the list.
async function findCard(page, id) {
  const card = page.locator(`li.card[data-offering="${id}"]`);
  for (let i = 0; i < 20 && !(await card.count()); i++) {
    const more = page.getByRole('button', { name: /加载更多|Load more/ });
    await more.waitFor();
    const n = await page.locator('li.card').count();
    await more.click();
    await page.waitForFunction((k) => document.querySelectorAll('li.card').length > k, n);
  }
  return card;
}

test('booking that opens later: says when, 报名 disabled; changes live when it opens and when it closes', async () => {
  // The demo data's offering that opens in two days: the latest opening in the catalogue.
  const all = await catalogue();
  // (First come: a lottery, whose booking opens after its draw, is applied for instead.)
  const o = all.filter((x) => x.allocation !== 'lottery').reduce((a, x) => (Date.parse(x.booking_opens_at) > Date.parse(a.booking_opens_at) ? x : a));
  const opens = Date.parse(o.booking_opens_at), closes = Date.parse(o.booking_closes_at);
  assert.ok(opens > Date.now(), `${o.id} opens later (${o.booking_opens_at})`);
  const when = new Date(opens).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const r = await residentFor(o);

  let { context, page } = await newPage(browser);
  try {
    // In the list: not "open", but when it opens.
    await page.goto(BASE + '/');
    const card = await findCard(page, o.id);
    const cardText = await card.innerText();
    assert.ok(!cardText.includes('报名中'), cardText);
    assert.match(cardText, /开始报名/);
    assert.ok(cardText.includes(when), `the card says when booking opens (${when}): ${cardText}`);

    // On the offering: the same.
    await card.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: o.title }).waitFor();
    const facts = await page.locator('main dl').innerText();
    assert.ok(!facts.includes('报名中'), facts);
    assert.match(await page.getByTestId('booking-state').innerText(), /开始报名/);

    // Signed in, 报名 is there but disabled, and the panel says when.
    await signInWithToken(page, r.tok, '#/offerings/' + encodeURIComponent(o.id));
    const book = page.getByRole('button', { name: '报名', exact: true });
    await book.waitFor();
    assert.equal(await book.isDisabled(), true, '报名 is disabled before booking opens');
    assert.ok((await page.locator('main section.book').innerText()).includes(when), 'the booking panel says when');
  } finally {
    await context.close();
  }

  // A page left open: ten seconds before booking opens by the page's clock, then after it closes.
  ({ context, page } = await newPage(browser));
  try {
    await context.clock.install({ time: opens - 10_000 });
    await page.goto(BASE + '/#/offerings/' + encodeURIComponent(o.id));
    const state = page.getByTestId('booking-state');
    await state.waitFor();
    assert.match(await state.innerText(), /开始报名/);
    await context.clock.fastForward(15_000);
    // fastForward fires each due timer once; what those timers schedule (the re-render's
    // effect that arms the next instant) is run here rather than left to the page's own
    // clock, which a loaded machine can starve.
    await context.clock.runFor(1000);
    await page.waitForFunction(() => document.querySelector('[data-testid="booking-state"]').innerText === '报名中', null, { timeout: 5000 });
    await page.getByRole('button', { name: '登录后报名' }).waitFor();
    // (fastForward takes at most 2^31 - 1 ms at a time: it keeps 32 bits.)
    for (let left = closes - opens; left > 0; left -= 2e9) await context.clock.fastForward(Math.min(left, 2e9));
    await context.clock.runFor(1000);
    await page.waitForFunction(() => /报名已截止/.test(document.querySelector('[data-testid="booking-state"]').innerText), null, { timeout: 5000 });
    assert.match(await page.locator('main section.book').innerText(), /报名已截止/);
    assert.equal(await page.getByRole('button', { name: '登录后报名' }).count(), 0);
  } finally {
    await context.close();
  }
});

test("the header's buttons stay legible on hover", async () => {
  const { context, page } = await newPage(browser);
  try {
    const check = async (what) => {
      const buttons = page.locator('header button');
      const n = await buttons.count();
      assert.ok(n >= 2, what);
      for (let i = 0; i < n; i++) {
        const b = buttons.nth(i);
        await b.hover();
        const c = await b.evaluate((el) => window.__t.textContrast(el));
        assert.ok(c >= 4.5, `${what}: "${await b.innerText()}" on hover has contrast ${c.toFixed(2)}`);
      }
      await page.mouse.move(0, 600);
    };
    await page.goto(BASE + '/');
    await page.locator('li.card').first().waitFor();
    await check('signed out');
    await signIn(page, 'demo-resident');
    await check('signed in');
  } finally {
    await context.close();
  }
});

test('Back from an offering returns to the list as it was: the pages loaded, the place, the focus', async () => {
  const { context, page } = await newPage(browser);
  try {
    await page.goto(BASE + '/');
    await page.locator('li.card').first().waitFor();
    for (let pages = 1; pages < 3; pages++) {
      const n = await page.locator('li.card').count();
      await page.getByRole('button', { name: '加载更多' }).click();
      await page.waitForFunction((k) => document.querySelectorAll('li.card').length > k, n);
      // The button goes while loading: the focus moves on to the first offering added.
      await page.waitForFunction((k) => document.activeElement.closest('li.card') === document.querySelectorAll('li.card')[k], n, { timeout: 2000 })
        .catch(async () => assert.fail(`after "load more" the focus is on ${(await page.evaluate(() => window.__t.focus())).name || '<body>'}`));
    }
    const count = await page.locator('li.card').count();
    assert.ok(count > 40, `three pages loaded (${count})`);
    // Scroll to a card on the third page, and open it from the keyboard.
    const link = page.locator('li.card').nth(count - 5).getByRole('link');
    const href = await link.getAttribute('href');
    await link.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -200));
    await page.waitForTimeout(250);
    const y = await page.evaluate(() => window.scrollY);
    assert.ok(y > 2000, `scrolled down (${y})`);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.locator('main h1').waitFor();
    await page.waitForFunction(() => window.scrollY === 0);

    await page.goBack();
    await page.waitForFunction((k) => document.querySelectorAll('li.card').length >= k, count, { timeout: 5000 })
      .catch(async () => assert.fail(`back on the list with ${await page.locator('li.card').count()} cards, not ${count}`));
    await page.waitForFunction((want) => Math.abs(window.scrollY - want) <= 2, y, { timeout: 5000 })
      .catch(async () => assert.fail(`back at ${await page.evaluate(() => window.scrollY)}, not ${y}`));
    const f = await page.evaluate(() => window.__t.focus());
    assert.equal(f.href, href, 'the link followed has the focus again');
    // And forward and back again.
    await page.goForward();
    await page.locator('main h1').waitFor();
    await page.goBack();
    await page.waitForFunction((want) => Math.abs(window.scrollY - want) <= 2, y, { timeout: 5000 });
  } finally {
    await context.close();
  }
});
