// b. Staff tick attendance for a session day and download the roster as CSV and XLSX.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE, launch, newPage, token, apiCall, signIn } from './helpers.mjs';

const OFFERING = 'o-liangxi-ec-past';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('staff record attendance and download the roster', async () => {
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  // The seed places last term's sessions relative to the stack's clock: take its first day.
  const course = await apiCall(null, 'GET', `/v1/offerings/${OFFERING}`);
  assert.equal(course.status, 200, course.text);
  const DAY = course.json.schedule.sessions[0];
  const { context, page } = await newPage(browser, { width: 1280, height: 800 });
  try {
    await signIn(page, 'staff-liangxi-04');
    await page.getByRole('heading', { level: 1, name: /机构项目管理/ }).waitFor();
    await page.locator(`tr[data-offering="${OFFERING}"] a`).click();
    await page.getByRole('heading', { level: 2, name: /花名册/ }).waitFor();
    // Adults' ages as people say them (35 岁, 35 岁 4 个月), not in months.
    const age = await page.getByRole('region', { name: /花名册/ }).locator('tbody tr').first().locator('td').nth(2).textContent();
    assert.match(age, /^\d+ 岁( \d+ 个月)?$/);

    await page.getByLabel('上课日').selectOption(DAY);
    const first = page.locator('fieldset.att').first();
    const bookingId = await first.getAttribute('data-booking');
    const original = await first.locator('input[type=radio]:checked').inputValue();
    const other = original === 'excused' ? 'present' : 'excused';
    const label = { present: '出勤', absent: '缺勤', excused: '请假' };

    // Tick another status, save, and see it recorded.
    await first.getByRole('radio', { name: label[other], exact: true }).check();
    await page.getByRole('button', { name: '保存出勤' }).click();
    await page.getByRole('status').filter({ hasText: `${DAY} 的出勤已保存` }).waitFor();
    let days = (await apiCall(staff, 'GET', `/v1/offerings/${OFFERING}/attendance`)).json.items;
    assert.equal(days.find((d) => d.date === DAY).records[bookingId], other);

    // Put it back as it was, so the demo data (and its no-show block) stay the same.
    await page.getByLabel('上课日').selectOption(DAY);
    await page.locator(`fieldset.att[data-booking="${bookingId}"]`).getByRole('radio', { name: label[original], exact: true }).check();
    await page.getByRole('button', { name: '保存出勤' }).click();
    await page.getByRole('status').filter({ hasText: `${DAY} 的出勤已保存` }).waitFor();
    days = (await apiCall(staff, 'GET', `/v1/offerings/${OFFERING}/attendance`)).json.items;
    assert.equal(days.find((d) => d.date === DAY).records[bookingId], original);

    // Downloads carry the token and keep the server's file name.
    for (const [format, button, magic] of [['csv', '下载 CSV', [0xef, 0xbb, 0xbf]], ['xlsx', '下载 Excel', [0x50, 0x4b]]]) {
      const head = await apiCall(staff, 'GET', `/v1/offerings/${OFFERING}/roster?format=${format}`);
      const cd = head.headers.get('content-disposition');
      const expected = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(cd)[1]);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      const name = download.suggestedFilename();
      console.log(`roster ${format}: ${name}`);
      assert.equal(name, expected);
      assert.ok(name.endsWith('.' + format) && name.includes(OFFERING), name);
      const bytes = await readFile(await download.path());
      assert.deepEqual([...bytes.subarray(0, magic.length)], magic, `${format} starts with ${magic}`);
      assert.ok(bytes.length > 100);
    }
  } finally {
    await context.close();
  }
});
