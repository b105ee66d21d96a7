// c. The officer's dashboard draws its charts and holds the figures in tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, token, apiCall, signIn, residentFor, catalogue, openAt } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('city dashboard draws charts with tables of the figures', async () => {
  const city = await token('officer-wuxi-edu', ['city-officers']);
  const { context, page } = await newPage(browser, { width: 1280, height: 800 });
  try {
    await signIn(page, 'officer-wuxi-edu');
    await page.getByRole('heading', { level: 1, name: /全市/ }).waitFor();
    const charts = page.locator('[data-chart]');
    await charts.first().waitFor();
    const n = await charts.count();
    assert.ok(n >= 4, `expected 4 charts, got ${n}`);
    for (let i = 0; i < n; i++) {
      const drawn = charts.nth(i).locator('svg, canvas').first();
      await drawn.waitFor();
      const box = await drawn.boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `chart ${i} has size`);
      assert.ok(await charts.nth(i).locator('svg path, svg rect, svg text').count() > 5, `chart ${i} has marks`);
    }

    const cap = (await apiCall(city, 'GET', '/v1/city/capacity')).json;
    const rows = page.locator('#table-capacity tbody tr');
    assert.equal(await rows.count(), cap.by_district.length + 1);
    const total = await rows.last().innerText();
    assert.ok(total.includes(cap.total.capacity.toLocaleString('zh-CN')), `total row ${total} has ${cap.total.capacity}`);
    const liangxi = cap.by_district.find((r) => r.district === 'liangxi');
    const lx = await rows.filter({ hasText: '梁溪区' }).innerText();
    assert.ok(lx.includes(String(liangxi.confirmed)) && lx.includes(liangxi.capacity.toLocaleString('zh-CN')), lx);

    const tg = (await apiCall(city, 'GET', '/v1/city/targets')).json.items[0];
    const trow = await page.locator('#table-target tbody tr').first().innerText();
    assert.ok(trow.includes(tg.target.toLocaleString('zh-CN')) && trow.includes(String(tg.achieved)), trow);

    const dem = (await apiCall(city, 'GET', '/v1/city/demand?limit=10')).json;
    assert.equal(await page.locator('#table-demand tbody tr').count(), dem.by_district.length);
    assert.equal(await page.locator('#table-oversub tbody tr').count(), dem.items.length);
    assert.ok(await page.locator('#table-growth tbody tr').count() > 100);
  } finally {
    await context.close();
  }
});

// Full offerings are counted in ones, waitlists in tens or hundreds: on one axis the full
// offerings' bars would be slivers. Each series' tallest bar must be tall enough to read.
test('demand chart: full offerings legible beside waitlists at 390 px', async () => {
  const city = await token('officer-wuxi-edu', ['city-officers']);
  const demand = async () => (await apiCall(city, 'GET', '/v1/city/demand?limit=10')).json.by_district;
  let dem = await demand();
  const maxFull = Math.max(...dem.map((r) => r.full_offerings));
  assert.ok(maxFull > 0, 'the demo data has full offerings');
  // Waitlists ten times the full offerings, as when places sell out in seconds: new
  // residents join the waitlist of a full offering.
  const full = (await catalogue('')).find((o) => o.available === 0 && o.waitlist_enabled && openAt(o, Date.now()));
  const want = 10 * maxFull - Math.max(...dem.map((r) => r.waitlisted));
  for (let i = 0; i < want; i++) {
    const r = await residentFor(full);
    const b = await apiCall(r.tok, 'POST', `/v1/offerings/${full.id}/bookings`, { participant_id: r.participant.id, join_waitlist: true }, { 'Idempotency-Key': r.sub });
    assert.equal(b.status, 201, b.text);
  }
  dem = await demand();
  const maxWait = Math.max(...dem.map((r) => r.waitlisted));
  assert.ok(maxWait >= 10 * maxFull, `waitlists (${maxWait}) ten times the full offerings (${maxFull})`);
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signIn(page, 'officer-wuxi-edu');
    const chart = page.locator('#chart-demand');
    await chart.locator('svg').waitFor();
    await chart.scrollIntoViewIfNeeded();
    // The bars are the series' colours (charts.js: waitlist first, full offerings second).
    const tallest = await chart.evaluate((el) => {
      const h = {};
      for (const p of el.querySelectorAll('svg path[fill]')) {
        const f = p.getAttribute('fill').toLowerCase();
        h[f] = Math.max(h[f] || 0, p.getBoundingClientRect().height);
      }
      return h;
    });
    const wait = tallest['#0b5cab'] || 0, fullBar = tallest['#c2410c'] || 0;
    console.log(`demand chart at 390 px: tallest waitlist bar ${wait.toFixed(0)} px (${maxWait}), tallest full-offerings bar ${fullBar.toFixed(0)} px (${maxFull})`);
    assert.ok(wait >= 40, `waitlist bars ${wait.toFixed(1)} px`);
    assert.ok(fullBar >= 40, `full-offerings bars ${fullBar.toFixed(1)} px beside waitlist bars ${wait.toFixed(1)} px`);
  } finally {
    await context.close();
  }
});
