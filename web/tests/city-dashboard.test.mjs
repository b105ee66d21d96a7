// c. The officer's dashboard draws its charts and holds the figures in tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, token, apiCall, signIn } from './helpers.mjs';

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
