// d. Screenshots of the three main pages at phone and desktop width.
import { test, before, after } from 'node:test';
import { join } from 'node:path';
import { BASE, SHOTS, launch, newPage, signIn } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [label, size] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
  test(`screenshots at ${label} width`, async () => {
    const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });

    let { context, page } = await newPage(browser, size);
    await page.goto(BASE + '/');
    await page.locator('li.card').first().waitFor();
    await shot(page, 'resident-browse');
    await context.close();

    ({ context, page } = await newPage(browser, size));
    await signIn(page, 'staff-liangxi-04');
    await page.locator('tr[data-offering]').first().waitFor();
    await shot(page, 'staff-offerings');
    await page.goto(BASE + '/#/staff/offerings/o-liangxi-ec-past');
    await page.locator('fieldset.att').first().waitFor();
    await shot(page, 'staff-roster');
    await context.close();

    ({ context, page } = await newPage(browser, size));
    await signIn(page, 'officer-wuxi-edu');
    for (const id of ['chart-capacity', 'chart-growth', 'chart-target', 'chart-demand']) await page.locator(`#${id} svg`).waitFor();
    await shot(page, 'city-dashboard');
    await context.close();
  });
}
