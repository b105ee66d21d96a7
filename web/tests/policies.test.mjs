// Issue 14 in the browser: an officer reads the care classes' priority policy, is told next
// to each field what is wrong with a new version, publishes a good one and sees it in force
// with the old one still readable; the public page, reached from a lottery offering without
// signing in, shows the version in force in either language. Both pages fit phone screens.
// (Care classes, not childcare: the other pages' tests claim childcare's tiers.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BASE, SHOTS, launch, newPage, token, apiCall, signIn, runId, switchLang, fitsPhones } from './helpers.mjs';

const KIND = 'care_class';
const LOTTERY = 'o-binhu-ec-lottery';
let browser;
// Waits for the table to show this kind's version: right after a tab changes, the previous
// kind's table (often the same version number) is still on the page.
const shows = (page, sel, version) => page.waitForFunction(([s, k, v]) => {
  const t = document.querySelector(s);
  return t?.dataset.kind === k && t.dataset.version === String(v);
}, [sel, KIND, version]);
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an officer writes a new version (errors beside their fields first) and sees it; the public page shows it', async () => {
  const city = await token('officer-wuxi-edu', ['city-officers']);
  const before = (await apiCall(city, 'GET', `/v1/city/priority-policies/${KIND}/versions`)).json.items;
  assert.ok(before.length >= 1, 'the seed wrote a care-class policy');
  const old = before[0];
  const next = old.version + 1;
  const mark = '（' + runId() + '）';

  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await signIn(page, 'officer-wuxi-edu');
    await page.getByRole('link', { name: '优先级政策' }).click();
    await page.getByRole('heading', { level: 1, name: '优先级政策' }).waitFor();
    await page.getByRole('navigation', { name: '类型' }).getByRole('link', { name: '七彩公益安心托班' }).click();
    const current = page.locator('#policy-current');
    await shows(page, '#policy-current', old.version);
    assert.equal(await current.locator('tbody tr').count(), old.tiers.length);
    assert.ok((await current.innerText()).includes(old.tiers[0].zh));
    assert.equal(await page.locator('#policy-versions tbody tr').count(), before.length);

    // The form starts from the latest version. A bad code and evidence on the last tier:
    // each message beside its field, the fields marked invalid, nothing written.
    const last = old.tiers.length - 1;
    assert.equal(await page.locator('#pol-0-code').inputValue(), old.tiers[0].code);
    await page.locator('#pol-0-code').fill('Bad Code');
    await page.locator(`#pol-${last}-evidence`).fill('户口簿');
    await page.getByRole('button', { name: '发布新版本' }).click();
    await page.locator('#pol-0-code-err').waitFor();
    assert.match(await page.locator('#pol-0-code-err').innerText(), /小写字母/);
    assert.match(await page.locator(`#pol-${last}-evidence-err`).innerText(), /最后一档/);
    assert.equal(await page.locator('#pol-0-code').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#pol-1-code').getAttribute('aria-invalid'), null, 'only the field named is marked');
    assert.equal((await apiCall(city, 'GET', `/v1/city/priority-policies/${KIND}/versions`)).json.items.length, before.length);
    await page.screenshot({ path: join(SHOTS, 'policy-errors-zh-CN-390.png'), fullPage: true });

    // Put right, and a name changed: version n+1, in force now; the old one superseded and readable.
    await page.locator('#pol-0-code').fill(old.tiers[0].code);
    await page.locator(`#pol-${last}-evidence`).fill('');
    await page.locator('#pol-0-zh').fill(old.tiers[0].zh + mark);
    await page.getByRole('button', { name: '发布新版本' }).click();
    await page.getByRole('status').filter({ hasText: `已发布第 ${next} 版，现已生效。` }).waitFor();
    await shows(page, '#policy-current', next);
    assert.ok((await current.innerText()).includes(old.tiers[0].zh + mark));
    assert.equal(await page.locator(`#policy-versions tr[data-version="${next}"]`).getAttribute('data-status'), 'in_force');
    assert.equal(await page.locator(`#policy-versions tr[data-version="${old.version}"]`).getAttribute('data-status'), 'superseded');
    await page.getByRole('link', { name: `查看第 ${old.version} 版` }).click();
    await shows(page, '#policy-version', old.version);
    assert.ok(!(await page.locator('#policy-version').innerText()).includes(mark), 'the old version as it was');
    const stored = (await apiCall(city, 'GET', `/v1/city/priority-policies/${KIND}/versions/${next}`)).json;
    assert.equal(stored.tiers[0].zh, old.tiers[0].zh + mark);
    assert.deepEqual(stored.tiers.map((x) => x.code), old.tiers.map((x) => x.code));
    await fitsPhones(page, 'the officer page');
    await page.screenshot({ path: join(SHOTS, 'policy-admin-zh-CN-390.png'), fullPage: true });
  } finally {
    await context.close();
  }

  // Anyone: from the lottery offering's page to the rules, then the care classes' in force.
  const pub = await newPage(browser, { width: 390, height: 844 });
  try {
    const p = pub.page;
    await p.goto(BASE + '/#/offerings/' + LOTTERY);
    await p.locator('main').getByRole('link', { name: /录取优先规则/ }).click();
    await p.getByRole('heading', { level: 1, name: '录取优先规则' }).waitFor();
    await p.getByTestId('no-policy').waitFor(); // evening courses have none
    await p.getByRole('navigation', { name: '类型' }).getByRole('link', { name: '七彩公益安心托班' }).click();
    await shows(p, '#policy-public', next);
    const text = await p.locator('#policy-public').innerText();
    assert.ok(text.includes(old.tiers[0].zh + mark) && text.includes(old.tiers[0].evidence), text);
    assert.ok(!text.includes(old.tiers[0].code), 'the public sees names, not codes');
    await fitsPhones(p, 'the public page in Chinese');
    await p.screenshot({ path: join(SHOTS, 'policy-public-zh-CN-390.png'), fullPage: true });
    await switchLang(p);
    await p.getByRole('heading', { level: 1, name: 'Who comes first' }).waitFor();
    assert.ok((await p.locator('#policy-public').innerText()).includes(old.tiers[0].en));
    await fitsPhones(p, 'the public page in English');
    await p.screenshot({ path: join(SHOTS, 'policy-public-en-390.png'), fullPage: true });
  } finally {
    await pub.context.close();
  }
});
