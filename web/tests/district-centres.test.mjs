// Issue 19 in the browser: a district officer's dashboard is their district's alone; an
// officer registers a centre, activates it, invites a staff member and sees them listed
// (and the centre's own staff read that list); a city officer changes a target and reads
// its history. Every page fits phone screens and can be used from the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, launch, newPage, token, districtToken, apiCall, signIn, runId, fitsPhones, switchLang, tabThroughMain, BASE, addDays, todayShanghai } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a district officer lands on their district\u2019s dashboard and registry, and sees no other district', async () => {
  const liangxi = await districtToken('officer-liangxi', 'liangxi');
  const cap = (await apiCall(liangxi, 'GET', '/v1/city/capacity')).json;
  assert.equal(cap.district, 'liangxi', 'the API answers for the district');
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signIn(page, 'officer-liangxi');
    await page.getByRole('heading', { level: 1, name: '梁溪区 · 名额与需求' }).waitFor();
    assert.match(page.url(), /#\/city$/);
    // Places by kind, and the district's total (not the city's).
    const rows = page.locator('#table-capacity tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), cap.by_kind.length + 1);
    const total = await rows.last().innerText();
    assert.ok(total.startsWith('梁溪区合计'), total);
    assert.ok(total.includes(cap.total.capacity.toLocaleString('zh-CN')), `${total} has ${cap.total.capacity}`);
    const demand = await page.locator('#table-demand tbody').innerText();
    assert.ok(demand.includes('梁溪区'), demand);
    for (const other of ['滨湖区', '锡山区', '惠山区', '新吴区']) {
      assert.ok(!(await page.locator('#table-capacity').innerText()).includes(other), `no ${other} in the capacity table`);
      assert.ok(!demand.includes(other), `no ${other} in the demand table`);
    }
    const charts = page.locator('[data-chart]');
    assert.ok(await charts.count() >= 4, 'the same charts');
    await charts.first().locator('svg').waitFor();
    // Targets are the city's to set: a district officer reads progress, does not edit.
    assert.equal(await page.getByTestId('targets-editor').count(), 0);
    const nav = page.getByRole('navigation', { name: /无锡/ });
    assert.equal(await nav.getByRole('link', { name: '优先级政策' }).count(), 0);
    await fitsPhones(page, 'the district dashboard');
    await page.screenshot({ path: join(SHOTS, 'district-dashboard-zh-CN-390.png'), fullPage: true });

    // The registry: their district's centres only, without a district filter.
    await nav.getByRole('link', { name: '机构登记' }).click();
    await page.getByRole('heading', { level: 1, name: /机构登记 · 梁溪区/ }).waitFor();
    await page.locator('#table-centres tbody tr').first().waitFor();
    assert.equal(await page.locator('#cf-district').count(), 0, 'no district picker');
    const districts = await page.locator('#table-centres tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(districts.length > 0 && districts.every((d) => d === '梁溪区'), districts.join());
    await fitsPhones(page, 'the district registry');

    // Asking the API for another district is refused.
    assert.equal((await apiCall(liangxi, 'GET', '/v1/city/capacity?district=binhu')).status, 403);

    await switchLang(page);
    await page.getByRole('link', { name: 'Liangxi dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Liangxi · places and demand' }).waitFor();
    await page.locator('#chart-demand svg').waitFor();
    await fitsPhones(page, 'the district dashboard in English');
    await page.screenshot({ path: join(SHOTS, 'district-dashboard-en-390.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('an officer registers a centre, activates it, invites a staff member and sees them listed', async () => {
  const run = runId();
  const name = '测试托育园' + run;
  const phone = '139' + String(Date.now()).slice(-8);
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signIn(page, 'officer-liangxi');
    await page.getByRole('link', { name: '机构登记' }).click();
    await page.getByRole('link', { name: /登记新机构/ }).click();
    await page.getByRole('heading', { level: 1, name: '登记新机构' }).waitFor();
    // The district is the officer's own, fixed.
    assert.equal(await page.locator('#cn-district').inputValue(), 'liangxi');
    assert.ok(await page.locator('#cn-district').isDisabled());

    // Nothing filled in: the API's messages beside their fields, nothing registered.
    await page.getByRole('button', { name: '登记新机构' }).click();
    await page.locator('#cn-name-err').waitFor();
    assert.equal(await page.locator('#cn-name').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('.msg-error[data-code="validation_failed"]').isVisible());
    await page.screenshot({ path: join(SHOTS, 'centre-new-errors-zh-CN-390.png'), fullPage: true });

    await page.locator('#cn-name').fill(name);
    await page.locator('#cn-licence').fill('TY3202' + run.toUpperCase());
    await page.locator('#cn-address').fill('梁溪区中山路 1 号');
    await page.locator('#cn-phone').fill('0510-88880000');
    await page.getByLabel('普惠性托位').check();
    await page.locator('#cn-lat').fill('31.57');
    await page.locator('#cn-lng').fill('120.30');
    await page.getByRole('button', { name: '登记新机构' }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    const id = decodeURIComponent(/#\/city\/centres\/([^?]+)/.exec(page.url())[1]);
    const badge = page.getByTestId('centre-status').locator('.badge');
    assert.equal(await badge.innerText(), '草稿');
    // A draft is not in the public catalogue.
    assert.equal((await apiCall(null, 'GET', '/v1/centres/' + id)).status, 404);
    await fitsPhones(page, 'a draft centre');

    await page.getByRole('button', { name: '启用机构' }).click();
    await page.getByRole('status').filter({ hasText: '机构已启用。' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="centre-status"] .badge')?.dataset.status === 'active');
    assert.equal(await badge.innerText(), '已启用');
    const pub = await apiCall(null, 'GET', '/v1/centres/' + id);
    assert.equal(pub.status, 200, pub.text);
    assert.equal(pub.json.name, name);

    // Its first nursery group published (through the API, as its staff would): the district's
    // dashboard counts the new centre and its places.
    const districtOfficer = await districtToken('officer-liangxi', 'liangxi');
    const before = (await apiCall(districtOfficer, 'GET', '/v1/city/capacity')).json.total;
    const starts = addDays(todayShanghai(), 60);
    const group = await apiCall(districtOfficer, 'POST', `/v1/centres/${id}/offerings`, {
      kind: 'childcare', title: '托小班（1–2 岁）' + run, starts_on: starts, ends_on: addDays(starts, 180), capacity: 17, status: 'published',
      schedule: { text: '周一至周五 7:30–17:30' }, min_age_months: 12, max_age_months: 24,
    });
    assert.equal(group.status, 201, group.text);
    const after = (await apiCall(districtOfficer, 'GET', '/v1/city/capacity')).json.total;
    assert.equal(after.capacity - before.capacity, 17, JSON.stringify({ before, after }));
    assert.equal(after.centres - before.centres, 1, JSON.stringify({ before, after }));
    await page.getByRole('link', { name: '梁溪区看板' }).click();
    const total = page.locator('#table-capacity tbody tr').last();
    await total.waitFor();
    const cells = await total.locator('td, th').allInnerTexts();
    assert.ok(cells.some((c) => c.replace(/,/g, '') === String(after.capacity)), `the dashboard's total shows ${after.capacity} places: ${cells.join(' | ')}`);
    assert.ok(cells.some((c) => c === String(after.centres)), `and ${after.centres} centres: ${cells.join(' | ')}`);
    await page.goto(BASE + '/#/city/centres/' + encodeURIComponent(id));
    await page.getByRole('heading', { level: 1, name }).waitFor();

    // Staff: invite by phone; listed, masked.
    await page.getByRole('link', { name: /机构人员/ }).click();
    await page.getByRole('heading', { level: 1, name: '机构人员 · ' + name }).waitFor();
    await page.locator('#inv-contact').fill(phone);
    await page.locator('#inv-name').fill('王老师' + run);
    await page.getByRole('button', { name: '邀请' }).click();
    await page.getByRole('status').filter({ hasText: '王老师' + run }).waitFor();
    const row = page.locator('#staff-list li').filter({ hasText: '王老师' + run });
    await row.waitFor();
    const text = await row.innerText();
    assert.ok(!text.includes(phone), 'the phone number is masked: ' + text);
    assert.ok(text.includes(phone.slice(-4)), 'its last digits show: ' + text);
    await fitsPhones(page, 'the staff list');
    const names = await tabThroughMain(page);
    assert.ok(names.includes('邀请'), names.join(' | '));
    await page.screenshot({ path: join(SHOTS, 'centre-staff-zh-CN-390.png'), fullPage: true });

    const officer = await districtToken('officer-liangxi', 'liangxi');
    const staff = (await apiCall(officer, 'GET', `/v1/centres/${id}/staff`)).json.items;
    const member = staff.find((s) => s.name === '王老师' + run);
    assert.ok(member, JSON.stringify(staff));

    // A centre's own staff read its list, read-only: the demo staff member's centre, with
    // someone the officer invites there (a newly invited account must first enrol TOTP, so the
    // demo account, which has, is the one signing in).
    const colleague = '李老师' + run;
    const colleaguePhone = '138' + String(Date.now() + 7).slice(-8);
    const inv = await apiCall(officer, 'POST', '/v1/centres/c-liangxi-04/staff', { phone: colleaguePhone, name: colleague });
    assert.equal(inv.status, 201, inv.text);
    const mine = await newPage(browser, { width: 390, height: 844 });
    try {
      await signIn(mine.page, 'staff-liangxi-04');
      await mine.page.getByRole('link', { name: '本机构人员' }).click();
      await mine.page.getByRole('heading', { level: 1, name: /^机构人员 · / }).waitFor();
      const li = mine.page.locator('#staff-list li').filter({ hasText: colleague });
      await li.waitFor();
      assert.ok(!(await li.innerText()).includes(colleaguePhone), 'the number is masked');
      await mine.page.getByTestId('staff-read-only').waitFor();
      assert.equal(await mine.page.locator('main').getByRole('button', { name: /移除|邀请/ }).count(), 0, 'no invite or remove for staff');
      assert.equal(await mine.page.locator('#inv-contact').count(), 0);
    } finally {
      await mine.context.close();
      await apiCall(officer, 'DELETE', `/v1/centres/c-liangxi-04/staff/${encodeURIComponent(inv.json.user_id)}`);
    }

    // Remove, asked first.
    await page.getByRole('button', { name: '移除 王老师' + run }).click();
    await page.getByRole('button', { name: '确定移除' }).click();
    await page.getByRole('status').filter({ hasText: '已移除 王老师' + run }).waitFor();
    await page.locator('#staff-list li').filter({ hasText: '王老师' + run }).waitFor({ state: 'detached' });
    assert.ok(!(await apiCall(officer, 'GET', `/v1/centres/${id}/staff`)).json.items.some((x) => x.name === '王老师' + run), 'removed in the API too');

    // Suspend with a reason, confirmed: the badge says so.
    await page.getByRole('link', { name: '← ' + name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.locator('#su-reason').fill('消防检查未通过');
    await page.getByRole('button', { name: '暂停机构' }).click();
    await page.getByRole('button', { name: '确定暂停' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="centre-status"] .badge')?.dataset.status === 'suspended');
    assert.equal(await badge.innerText(), '已暂停');
    assert.ok((await page.locator('main').innerText()).includes('消防检查未通过'));
    await page.getByRole('button', { name: '恢复启用' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'centre-suspended-zh-CN-390.png'), fullPage: true });

    // In the registry, with its status.
    await page.goto(BASE + '/#/city/centres?status=suspended');
    await page.locator(`#table-centres tr[data-centre="${id}"]`).waitFor();
    assert.equal(await page.locator(`#table-centres tr[data-centre="${id}"] .badge`).innerText(), '已暂停');
  } finally {
    await context.close();
  }
});

test('a city officer changes a target and sees its history', async () => {
  const city = await token('officer-wuxi-edu', ['city-officers']);
  const before = (await apiCall(city, 'GET', '/v1/city/targets?history=true')).json.items;
  assert.ok(before.length >= 1, 'the seed has targets');
  const tg = before[0];
  const kindName = { childcare: '普惠性托位', care_class: '七彩公益安心托班', evening_course: '锡青夜校' }[tg.kind];
  const next = tg.target + 100 + Math.floor(Math.random() * 100);
  const title = `${tg.year} 年目标（${runId()}）`;
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signIn(page, 'officer-wuxi-edu');
    const editor = page.getByTestId('targets-editor');
    await editor.locator(`li[data-target="${tg.year}/${tg.kind}"]`).waitFor();
    await editor.getByRole('button', { name: `修改 ${tg.year} 年${kindName}的目标` }).click();
    assert.equal(await page.locator('#tg-target').inputValue(), String(tg.target));
    // A target of nought is refused beside its field.
    await page.locator('#tg-target').fill('0');
    await page.getByRole('button', { name: '保存目标' }).click();
    await page.locator('#tg-target-err').waitFor();
    await page.locator('#tg-target').fill(String(next));
    await page.locator('#tg-title').fill(title);
    await page.getByRole('button', { name: '保存目标' }).click();
    await page.getByRole('status').filter({ hasText: `${tg.year} 年${kindName}的目标已保存。` }).waitFor();

    const item = editor.locator(`li[data-target="${tg.year}/${tg.kind}"]`);
    await item.filter({ hasText: title }).waitFor();
    await item.locator('summary').click();
    const hist = item.locator('table.target-history tbody tr');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="targets-editor"] table.target-history tbody tr').length >= n, (tg.history || []).length + 1);
    const newest = await hist.first().innerText();
    assert.ok(newest.includes(next.toLocaleString('zh-CN')) && newest.includes(title) && newest.includes('officer-wuxi-edu'), newest);
    const prior = await hist.nth(1).innerText();
    assert.ok(prior.includes(tg.target.toLocaleString('zh-CN')), 'the value before: ' + prior);
    // The dashboard's progress is against the new target.
    await page.waitForFunction((x) => [...document.querySelectorAll('#table-target tbody tr')].some((r) => r.innerText.includes(x)), next.toLocaleString('zh-CN'));
    const after = (await apiCall(city, 'GET', '/v1/city/targets?history=true')).json.items.find((x) => x.year === tg.year && x.kind === tg.kind);
    assert.equal(after.target, next);
    assert.equal(after.history.at(-1).target, next);
    await fitsPhones(page, 'the dashboard with the targets editor');
    await page.screenshot({ path: join(SHOTS, 'targets-edit-zh-CN-390.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
