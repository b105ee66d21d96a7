// e. The resident's first page load stays under 200 KB transferred, and resident pages never fetch ECharts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn } from './helpers.mjs';

const BUDGET = 200 * 1024;
const CHARTS = /echarts|\/charts[-.]/i;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('resident first load is light and loads no ECharts', async () => {
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map();
    let bytes = 0;
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
    const requested = [];
    page.on('request', (r) => requested.push(r.url()));

    await page.goto(BASE + '/', { waitUntil: 'load' });
    await page.locator('li.card').first().waitFor();
    await page.waitForLoadState('networkidle');
    const first = bytes;
    console.log(`resident first page load: ${(first / 1024).toFixed(1)} KB transferred in ${urls.size} requests (budget ${BUDGET / 1024} KB)`);
    if (requested.some((u) => u.includes('/@vite/client'))) console.log('(Vite dev server: unbundled modules, the budget applies to the built web/dist)');
    else assert.ok(first <= BUDGET, `first load ${first} bytes > ${BUDGET}`);

    // Around the resident's pages: detail, sign in, my bookings, participants.
    const id = await page.locator('li.card').first().getAttribute('data-offering');
    await page.goto(BASE + '/#/offerings/' + encodeURIComponent(id));
    await page.getByRole('heading', { level: 2, name: '报名' }).waitFor();
    await signIn(page, 'demo-resident');
    await page.goto(BASE + '/#/me/bookings');
    await page.getByRole('heading', { level: 1, name: '我的报名' }).waitFor();
    await page.goto(BASE + '/#/me/participants');
    await page.getByRole('heading', { level: 2, name: '添加报名人' }).waitFor();
    await page.waitForLoadState('networkidle');
    const charts = requested.filter((u) => CHARTS.test(new URL(u).pathname));
    assert.deepEqual(charts, [], 'no ECharts on resident pages');
  } finally {
    await context.close();
  }
});
