// Issue 14 in the browser: a childcare round with ranked choices, siblings and claimed
// priority tiers. The page's side first with the API served through page.route (ranked
// choices reordered from the keyboard, errors beside their fields, claims checked by staff
// in place, an explanation), then the whole path on the local stack: a round of three
// offerings under the seeded policy, residents applying, staff confirming one claim and
// rejecting another, the draw, the explanation and the 核验 page of a member offering.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHOTS, RESULTS, launch, newPage, token, apiCall, signInWithToken, residentFor, idNumber, addDays, todayShanghai, runId, tabThroughMain, switchLang, fitsPhones } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const noOverflow = async (page, what) => assert.deepEqual(await page.evaluate(() => window.__t.overflow()), [], `${what}: nothing wider than the screen`);
const focused = (page) => page.evaluate(() => document.activeElement && (document.activeElement.getAttribute('aria-label') || document.activeElement.textContent));
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

const POLICY = {
  kind: 'childcare', version: 1, status: 'in_force', effective_from: '2025-01-01T00:00:00+08:00', created_at: '2025-01-01T00:00:00+08:00',
  tiers: [
    { tier: 1, code: 'hardship_special_needs', zh: '困境及特殊需要儿童', en: 'Children in hardship or with special needs', evidence: '低保/特困/残疾证明、困境儿童认定' },
    { tier: 2, code: 'dual_worker', zh: '双职工家庭', en: 'Dual-worker families', evidence: '父母双方劳动合同或社保缴纳证明' },
    { tier: 3, code: 'sibling_enrolled', zh: '兄弟姐妹已在本中心', en: 'Sibling already at the centre', evidence: '在托兄弟姐妹的在园证明' },
    { tier: 4, code: 'district_resident', zh: '本区户籍或居住证', en: 'District residents', evidence: '户口簿或居住证地址在本区' },
    { tier: 5, code: 'general', zh: '其他申请人', en: 'Everyone else', evidence: '' },
  ],
};

test('applying to a round: ranked choices reordered from the keyboard, siblings, claims with their evidence, errors beside their fields', async () => {
  const tok = await token('round-page-' + runId(), ['residents']);
  const at = (h) => new Date(Date.now() + h * 3600e3).toISOString();
  const centre = { id: 'c-liangxi-04', name: '梁溪托育中心', district: 'liangxi' };
  const members = ['托班·向阳', '托班·春晖', '托班·星星', '托班·彩虹'].map((title, i) => ({ id: 'o-m' + i, title, centre, capacity: 10 + i }));
  const round = {
    id: 'r-mock', title_zh: '2027 春季普惠托位 第一轮', title_en: '2027 spring childcare, round 1', kind: 'childcare', term: '2027-spring', max_choices: 3,
    offering_ids: members.map((m) => m.id), offerings: members, status: 'open',
    applications_open_at: at(-1), applications_close_at: at(1), draw_at: at(2), created_at: at(-2),
  };
  const kids = [
    { id: 'p1', name: '王小雨', birth_date: '2025-03-02', id_number_last4: '1234' },
    { id: 'p2', name: '王小雪', birth_date: '2025-03-02', id_number_last4: '2345' },
    { id: 'p3', name: '王小山', birth_date: '2024-06-10', id_number_last4: '3456' },
  ];
  const apps = [];
  const posted = [];
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await page.route(/\/v1\/rounds(\?.*)?$/, (r) => r.fulfill({ json: { items: [round] } }));
    await page.route(/\/v1\/rounds\/r-mock$/, (r) => r.fulfill({ json: round }));
    await page.route(/\/v1\/city\/priority-policies\/childcare$/, (r) => r.fulfill({ json: POLICY }));
    await page.route(/\/v1\/me\/participants(\?.*)?$/, (r) => r.fulfill({ json: { items: kids } }));
    await page.route(/\/v1\/me\/applications(\?.*)?$/, (r) => r.fulfill({ json: { items: apps } }));
    await page.route(/\/v1\/rounds\/r-mock\/applications$/, (r) => {
      const body = JSON.parse(r.request().postData());
      posted.push(body);
      if (posted.length === 1) {
        return r.fulfill({ status: 422, contentType: 'application/problem+json', body: JSON.stringify({ status: 422, code: 'not_eligible', detail: '王小山 不符合「托班·星星」的年龄要求 / not eligible at 托班·星星' }) });
      }
      const a = {
        id: 'app-1', round_id: 'r-mock', offering_id: body.choices[0], participant_id: body.participant_id, participant: { name: '王小雨' }, status: 'applied', ticket: '', tier: 0,
        created_at: new Date().toISOString(), siblings: (body.siblings || []).map((id) => ({ participant_id: id, name: kids.find((k) => k.id === id).name })),
        choices: body.choices.map((id, i) => ({ preference: i + 1, offering_id: id, offering: { title: members.find((m) => m.id === id).title, kind: 'childcare', centre } })),
        claims: body.choices.flatMap((id) => (body.claims || []).map((code) => ({ code, offering_id: id, status: 'pending' }))),
      };
      apps.push(a);
      return r.fulfill({ status: 201, json: a });
    });

    // The browse page leads to the rounds, the rounds to this one.
    await signInWithToken(page, tok, '#/');
    await page.getByRole('link', { name: /统一申请轮次/ }).click();
    await page.getByRole('heading', { level: 1, name: '统一申请轮次' }).waitFor();
    await page.getByRole('link', { name: '2027 春季普惠托位 第一轮' }).click();
    await page.getByRole('heading', { level: 1, name: /2027 春季普惠托位 第一轮/ }).waitFor();
    assert.equal(await page.locator('[data-testid=members] tbody tr').count(), 4);

    const form = page.getByTestId('round-apply');
    await form.getByRole('radio', { name: /王小山/ }).check();
    // Claims: each claimable tier with what staff will check; the last tier is nobody's claim.
    const claims = form.getByTestId('claims-pick');
    assert.equal(await claims.getByRole('checkbox').count(), 4);
    assert.match(await claims.innerText(), /第 2 优先级「双职工家庭」[\s\S]*需核验的材料：父母双方劳动合同或社保缴纳证明/);
    assert.ok(!(await claims.innerText()).includes('其他申请人'));

    // Submitting with no choice says so beside the choices, and sends nothing.
    await form.getByRole('button', { name: '提交申请' }).click();
    await form.getByTestId('choices-pick').locator('.field-error', { hasText: '请至少选择一个志愿。' }).waitFor();
    assert.equal(posted.length, 0);

    // Three choices from the keyboard: Enter on 加入志愿, the focus moves on to the next one.
    await form.getByRole('button', { name: '加入志愿：托班·向阳' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await focused(page), '加入志愿：托班·春晖');
    await page.keyboard.press('Enter');
    assert.equal(await focused(page), '加入志愿：托班·星星');
    await page.keyboard.press('Enter');
    // Full: the remaining offering cannot be added; the focus is on the last choice's 上移.
    assert.equal(await form.getByRole('button', { name: '加入志愿：托班·彩虹' }).isDisabled(), true);
    assert.equal(await focused(page), '上移：托班·星星');
    await page.keyboard.press('Enter'); // 星星 to 2nd
    assert.equal(await focused(page), '上移：托班·星星');
    await page.keyboard.press('Enter'); // 星星 to 1st: 上移 is disabled, the focus goes to 下移
    assert.equal(await focused(page), '下移：托班·星星');
    const order = () => form.locator('ol.choices.picked > li').evaluateAll((l) => l.map((x) => x.getAttribute('data-offering')));
    assert.deepEqual(await order(), ['o-m2', 'o-m0', 'o-m1']);
    await page.getByTestId('live').filter({ hasText: '托班·星星 移到第 1 志愿。' }).waitFor();

    await form.getByRole('checkbox', { name: /双职工家庭/ }).check();
    await form.getByRole('checkbox', { name: /王小雨/ }).check(); // a sibling
    await noOverflow(page, 'the round form at 390 px');
    await page.screenshot({ path: join(SHOTS, 'round-apply-390.png'), fullPage: true });

    // Refused at one choice: said beside the choices, with the server's detail.
    await form.getByRole('button', { name: '提交申请' }).click();
    await form.getByTestId('choices-pick').locator('.field-error', { hasText: '不符合「托班·星星」' }).waitFor();
    assert.deepEqual(posted[0], { participant_id: 'p3', choices: ['o-m2', 'o-m0', 'o-m1'], siblings: ['p1'], claims: ['dual_worker'] });
    // Every control is reached by Tab, named, and shows its focus.
    const names = await tabThroughMain(page);
    for (const want of ['上移：托班·向阳', '下移：托班·星星', '移除志愿：托班·春晖', '提交申请']) assert.ok(names.includes(want), `${want} is reached by Tab: ${names.join(' → ')}`);
    // Take 星星 out, apply for 王小雨 with 王小雪 instead.
    await form.getByRole('button', { name: '移除志愿：托班·星星' }).click();
    assert.equal(await focused(page), '加入志愿：托班·星星');
    await form.getByRole('radio', { name: /王小雨/ }).check();
    await form.getByRole('checkbox', { name: /王小雪/ }).check();
    await form.getByRole('button', { name: '提交申请' }).click();
    await form.locator('[data-status="applied"]').waitFor();
    assert.deepEqual(posted[1], { participant_id: 'p1', choices: ['o-m0', 'o-m1'], siblings: ['p2'], claims: ['dual_worker'] });
    // The application on the round's page: choices in order, the sibling, each claim pending.
    const card = form.locator('li[data-application="app-1"]');
    await card.getByTestId('choices').waitFor();
    assert.deepEqual(await card.locator('[data-testid=choices] li').allInnerTexts(), ['托班·向阳 · 梁溪托育中心', '托班·春晖 · 梁溪托育中心']);
    assert.match(await card.getByTestId('siblings').innerText(), /王小雪/);
    assert.deepEqual(await card.getByTestId('claim-status').evaluateAll((l) => l.map((x) => x.dataset.status)), ['pending', 'pending']);
    await fitsPhones(page, 'the round page after applying');

    // The page in English.
    await switchLang(page);
    await page.getByRole('heading', { level: 1, name: /2027 spring childcare, round 1/ }).waitFor();
    await form.getByText('Choices (in order of preference, up to 3)').waitFor();
    assert.match(await form.getByTestId('claims-pick').innerText(), /Tier 2 “Dual-worker families”[\s\S]*Evidence staff check: 父母双方劳动合同或社保缴纳证明/);
    await fitsPhones(page, 'the round page in English');
  } finally {
    await context.close();
  }
});

test('staff check claims in place (a rejection needs a note); a drawn application shows its explanation', async () => {
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const centre = { id: 'c-liangxi-04', name: '梁溪托育中心', district: 'liangxi' };
  const at = (h) => new Date(Date.now() + h * 3600e3).toISOString();
  const o = {
    id: 'o-claims', title: '托班·向阳', kind: 'childcare', centre, status: 'published', allocation: 'lottery', round_id: 'r-mock', capacity: 2,
    starts_on: '2027-03-01', ends_on: '2027-06-30', fee_fen: 0, description: '', schedule: { text: '周一至周五' }, confirmed: 0, waitlisted: 0,
    applications_open_at: at(-1), applications_close_at: at(1), draw_at: at(2), booking_opens_at: at(3), booking_closes_at: at(100),
  };
  let items = [
    { id: 'a1', offering_id: o.id, participant: { name: '李小多' }, status: 'applied', created_at: at(-0.5), siblings: [{ participant_id: 'p9', name: '李小少' }], claims: [{ code: 'dual_worker', offering_id: o.id, status: 'pending' }] },
    { id: 'a2', offering_id: o.id, participant: { name: '赵小乐' }, status: 'applied', created_at: at(-0.4), claims: [{ code: 'hardship_special_needs', offering_id: o.id, status: 'pending' }] },
  ];
  const decisions = [];
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  try {
    await page.route(/\/v1\/offerings\/o-claims\/roster(\?.*)?$/, (r) => r.fulfill({ json: { offering: o, items: [] } }));
    await page.route(/\/v1\/city\/priority-policies\/childcare$/, (r) => r.fulfill({ json: POLICY }));
    await page.route(/\/v1\/offerings\/o-claims\/applications\?/, (r) => {
      const which = new URL(r.request().url()).searchParams.get('claims');
      const list = which === 'pending' ? items.filter((a) => a.claims.some((c) => c.status === 'pending')) : items;
      r.fulfill({ json: { items: list } });
    });
    await page.route(/\/v1\/offerings\/o-claims\/applications\/[^/]+\/claims$/, (r) => {
      const id = r.request().url().split('/').at(-2);
      const body = JSON.parse(r.request().postData());
      decisions.push({ id, ...body });
      items = items.map((a) => (a.id !== id ? a : { ...a, claims: a.claims.map((c) => (c.code === body.code ? { ...c, status: body.decision, note: body.note, decided_at: new Date().toISOString() } : c)) }));
      r.fulfill({ json: items.find((a) => a.id === id) });
    });
    await signInWithToken(page, staff, '#/staff/offerings/o-claims');
    const review = page.getByTestId('claims-review');
    await review.locator('li[data-application="a2"]').waitFor();
    assert.match(await review.innerText(), /第 1 优先级「困境及特殊需要儿童」[\s\S]*需核验的材料：低保\/特困\/残疾证明、困境儿童认定/);
    assert.match(await review.locator('li[data-application="a1"] h3').innerText(), /李小多.*李小少/);

    await review.getByRole('button', { name: '确认属实：李小多 · 双职工家庭' }).click();
    await review.locator('li[data-application="a1"] [data-testid=claim-status][data-status="confirmed"]').waitFor();
    await review.locator('.msg-ok', { hasText: '已确认 李小多 的双职工家庭。' }).waitFor();

    // Reject without a note: said beside the note, nothing sent; with one, sent.
    await review.getByRole('button', { name: '不通过：赵小乐 · 困境及特殊需要儿童' }).click();
    await review.locator('li[data-application="a2"] .field-error', { hasText: '不通过须写明原因。' }).waitFor();
    assert.equal(decisions.length, 1);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
    await page.keyboard.type('未提供困境儿童认定材料');
    await review.getByRole('button', { name: '不通过：赵小乐 · 困境及特殊需要儿童' }).click();
    await review.locator('li[data-application="a2"] [data-testid=claim-status][data-status="rejected"]').waitFor();
    assert.deepEqual(decisions, [
      { id: 'a1', code: 'dual_worker', decision: 'confirmed', note: '' },
      { id: 'a2', code: 'hardship_special_needs', decision: 'rejected', note: '未提供困境儿童认定材料' },
    ]);
    assert.match(await review.locator('li[data-application="a2"] [data-testid=decided]').innerText(), /未提供困境儿童认定材料/);
    await noOverflow(page, 'claims review at 390 px');
    await page.screenshot({ path: join(SHOTS, 'claims-review-mock-390.png'), fullPage: true });
    // Pending: none left once read again; All: both, decided.
    await review.getByRole('button', { name: '全部（含已核验）' }).click();
    await review.locator('li[data-application]').nth(1).waitFor();
    await review.getByRole('button', { name: '待核验' }).click();
    await review.getByTestId('no-claims').waitFor();
  } finally {
    await context.close();
  }

  // A drawn round application in 我的申请: the summary in both languages, a row per choice.
  const tok = await token('explain-page-' + runId(), ['residents']);
  const drawn = {
    id: 'app-x', round_id: 'r-x', offering_id: 'o-1', participant_id: 'p1', participant: { name: '王小雨' }, status: 'offered', ticket: 'ab'.repeat(32), tier: 2, rank: 1,
    created_at: at(-5), offering: { title: '托班·向阳', kind: 'childcare', centre }, siblings: [],
    choices: [{ preference: 1, offering_id: 'o-1' }, { preference: 2, offering_id: 'o-2' }],
    claims: [{ code: 'dual_worker', offering_id: 'o-1', status: 'confirmed' }, { code: 'dual_worker', offering_id: 'o-2', status: 'rejected', note: '材料不全' }],
    explanation: {
      policy_version: 1, number: '3f2a'.repeat(16),
      summary_zh: '第 2 优先级「双职工家庭」（政策第 1 版）；抽签号 3f2a…；第一志愿候补第 2 位；第二志愿录取',
      summary_en: 'Tier 2 “Dual-worker families” (policy version 1); number 3f2a…; choice 1 waitlisted, number 2 in line; choice 2 offered',
      choices: [
        { preference: 1, offering_id: 'o-1', title: '托班·向阳', centre, tier: 2, tier_code: 'dual_worker', tier_zh: '双职工家庭', tier_en: 'Dual-worker families', claim: 'dual_worker', rank: 3, result: 'waitlisted', waitlist_position: 2 },
        { preference: 2, offering_id: 'o-2', title: '托班·春晖', centre, tier: 5, tier_code: 'general', tier_zh: '其他申请人', tier_en: 'Everyone else', rank: 1, result: 'offered' },
      ],
    },
  };
  const round = { id: 'r-x', title_zh: '2027 春季普惠托位 第一轮', title_en: 'Round 1', kind: 'childcare', term: '2027-spring', max_choices: 3, offering_ids: ['o-1', 'o-2'], offerings: [{ id: 'o-1', title: '托班·向阳', centre, capacity: 1 }, { id: 'o-2', title: '托班·春晖', centre, capacity: 1 }], applications_open_at: at(-10), applications_close_at: at(-4), draw_at: at(-3), status: 'drawn' };
  const c2 = await newPage(browser, { width: 390, height: 844 });
  try {
    const p = c2.page;
    await p.route(/\/v1\/me\/applications(\?.*)?$/, (r) => r.fulfill({ json: { items: [drawn] } }));
    await p.route(/\/v1\/rounds\/r-x$/, (r) => r.fulfill({ json: round }));
    await p.route(/\/v1\/city\/priority-policies\/childcare$/, (r) => r.fulfill({ json: POLICY }));
    await signInWithToken(p, tok, '#/me/applications');
    const ex = p.getByTestId('explanation');
    await ex.waitFor();
    assert.equal(await ex.getByTestId('summary-zh').innerText(), drawn.explanation.summary_zh);
    assert.equal(await ex.getByTestId('summary-en').innerText(), drawn.explanation.summary_en);
    assert.deepEqual(await ex.locator('tbody tr').evaluateAll((l) => l.map((x) => x.dataset.result)), ['waitlisted', 'offered']);
    assert.match(await ex.locator('tbody tr').first().innerText(), /第 1 志愿[\s\S]*托班·向阳[\s\S]*第 2 优先级「双职工家庭」[\s\S]*dual_worker[\s\S]*3[\s\S]*候补[\s\S]*2/);
    assert.equal(await ex.getByTestId('verify-link').getAttribute('href'), '#/draws/o-1?application=app-x');
    const claimTexts = await p.locator('[data-testid=claims] li').allInnerTexts();
    assert.match(claimTexts[0], /双职工家庭.*托班·向阳.*已确认/);
    assert.match(claimTexts[1], /托班·春晖.*未通过[\s\S]*材料不全/);
    await fitsPhones(p, 'an explanation');
    await p.screenshot({ path: join(SHOTS, 'explanation-mock-390.png'), fullPage: true });
  } finally {
    await c2.context.close();
  }
});

// ---------------------------------------------------------------------------------------
// The whole path on the local stack.

// A child of the account born months before starts_on, registered with the guardian's consent.
async function addChild(tok, name, starts, months) {
  const d = new Date(starts + 'T00:00:00Z');
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  d.setUTCDate(1 + Math.floor(Math.random() * 28));
  const birth = d.toISOString().slice(0, 10);
  const notice = await apiCall(null, 'GET', '/v1/privacy-notice');
  const p = await apiCall(tok, 'POST', '/v1/me/participants', { name, birth_date: birth, id_number: idNumber(birth), guardian_consent: { notice_version: notice.json.version, agreed: true } });
  assert.equal(p.status, 201, p.text);
  return p.json;
}

test('a round of three offerings from applying with ranked choices, siblings and claims to the explanation and the 核验 page', async () => {
  const staff = await token('staff-liangxi-04', ['centre-staff'], ['c-liangxi-04']);
  const officer = await token('officer-wuxi-edu', ['city-officers']);
  const policy = await apiCall(null, 'GET', '/v1/city/priority-policies/childcare');
  assert.equal(policy.status, 200, 'the seeded childcare policy: ' + policy.text);
  const tierName = (code) => policy.json.tiers.find((x) => x.code === code).zh;

  // Three lottery offerings, identical windows, not yet open; then the round over them.
  const starts = addDays(todayShanghai(), 60);
  const at = (ms) => new Date(Date.now() + ms).toISOString();
  const opens = at(15000), closes = at(20 * 60e3);
  const offerings = [];
  for (const [i, cap] of [[1, 1], [2, 1], [3, 2]]) {
    const r = await apiCall(staff, 'POST', '/v1/centres/c-liangxi-04/offerings', {
      kind: 'childcare', title: `轮次托班${i}·${runId()}`, starts_on: starts, ends_on: addDays(starts, 120), capacity: cap, status: 'published',
      schedule: { text: '周一至周五 8:00–17:00' }, allocation: 'lottery', offer_hours: 48,
      applications_open_at: opens, applications_close_at: closes, draw_at: closes, booking_opens_at: at(2 * 3600e3), booking_closes_at: at(30 * 24 * 3600e3),
    });
    assert.equal(r.status, 201, r.text);
    offerings.push(r.json);
  }
  const [o1, o2, o3] = offerings;
  const made = await apiCall(officer, 'POST', '/v1/city/rounds', {
    title_zh: '春季普惠托位 第一轮 ' + runId(), title_en: 'Spring childcare round 1', kind: 'childcare', term: o1.term, offering_ids: offerings.map((o) => o.id), max_choices: 3,
  });
  assert.equal(made.status, 201, made.text);
  const round = made.json;

  // Two other families through the API: B claims hardship (to be rejected); C no claim.
  const b = await residentFor(o1, 'rnd-b-' + runId());
  const c = await residentFor(o1, 'rnd-c-' + runId());
  while (Date.now() < Date.parse(opens) + 500) await sleep(250);
  const ab = await apiCall(b.tok, 'POST', `/v1/rounds/${round.id}/applications`, { participant_id: b.participant.id, choices: [o1.id, o2.id], claims: ['hardship_special_needs'] });
  assert.equal(ab.status, 201, ab.text);
  const ac = await apiCall(c.tok, 'POST', `/v1/rounds/${round.id}/applications`, { participant_id: c.participant.id, choices: [o1.id, o3.id, o2.id] });
  assert.equal(ac.status, 201, ac.text);

  // A, in the browser: a child and a sibling, three choices reordered, claims dual_worker.
  const a = await residentFor(o1, 'rnd-a-' + runId());
  const sib = await addChild(a.tok, '居民弟弟' + runId().slice(-3), starts, 14);
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  let appId;
  try {
    // The member offering's own page points to the round instead of its own 申请.
    await signInWithToken(page, a.tok, '#/offerings/' + encodeURIComponent(o2.id));
    await page.getByTestId('apply-round').waitFor();
    assert.match(await page.getByTestId('apply-round').innerText(), /通过统一申请轮次申请/);
    await page.getByTestId('apply-round').getByRole('link', { name: '去统一申请轮次申请' }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(round.title_zh) }).waitFor();
    const form = page.getByTestId('round-apply');
    await form.getByRole('radio', { name: new RegExp(a.participant.name) }).check();
    await form.getByRole('checkbox', { name: new RegExp(sib.name) }).check();
    for (const o of [o1, o2, o3]) await form.getByRole('button', { name: '加入志愿：' + o.title }).click();
    await form.getByRole('button', { name: '上移：' + o3.title }).click(); // o1, o3, o2
    await form.getByRole('checkbox', { name: /双职工家庭/ }).check();
    await page.screenshot({ path: join(SHOTS, 'round-apply-stack-390.png'), fullPage: true });
    await form.getByRole('button', { name: '提交申请' }).click();
    await form.locator('[data-status="applied"]').waitFor();
    const card = form.locator('li[data-application]').first();
    await card.getByTestId('choices').waitFor();
    appId = await card.getAttribute('data-application');
    assert.deepEqual(await card.locator('[data-testid=choices] li').evaluateAll((l) => l.map((x) => x.dataset.offering)), [o1.id, o3.id, o2.id]);
    assert.match(await card.getByTestId('siblings').innerText(), new RegExp(sib.name));
    assert.equal(await card.locator('[data-testid=claims] li').count(), 3, 'one claim per choice');
    await noOverflow(page, 'the round page after applying');

    // Staff, at the first offering: confirm A's claim, reject B's with a note.
    const sp = await newPage(browser, { width: 390, height: 844 });
    try {
      await signInWithToken(sp.page, staff, '#/staff/offerings/' + encodeURIComponent(o1.id));
      const review = sp.page.getByTestId('claims-review');
      await review.locator(`li[data-application="${appId}"]`).waitFor();
      await review.getByRole('button', { name: `确认属实：${a.participant.name} · ${tierName('dual_worker')}` }).click();
      await review.locator(`li[data-application="${appId}"] [data-testid=claim-status][data-status="confirmed"]`).waitFor();
      const rej = review.getByRole('button', { name: `不通过：${b.participant.name} · ${tierName('hardship_special_needs')}` });
      await rej.click();
      await review.locator('.field-error', { hasText: '不通过须写明原因。' }).waitFor();
      await sp.page.keyboard.type('未提供困境儿童认定材料');
      await rej.click();
      await review.locator(`li[data-application="${ab.json.id}"] [data-testid=claim-status][data-status="rejected"]`).waitFor();
      await noOverflow(sp.page, 'claims review at 390 px');
      await sp.page.screenshot({ path: join(SHOTS, 'claims-review-390.png'), fullPage: true });
      await review.getByRole('button', { name: '全部（含已核验）' }).click();
      await review.locator(`li[data-application="${ab.json.id}"] [data-testid=decided]`, { hasText: '未提供困境儿童认定材料' }).waitFor();
    } finally {
      await sp.context.close();
    }

    // A sees the claim confirmed at the first choice and pending at the others.
    await page.getByRole('navigation').getByRole('link', { name: '我的申请' }).click();
    const mine = page.locator(`li[data-application="${appId}"]`);
    await mine.locator(`[data-testid=claims] li[data-offering="${o1.id}"] [data-status="confirmed"]`).waitFor();
    assert.equal(await mine.locator(`[data-testid=claims] li[data-offering="${o2.id}"] [data-testid=claim-status]`).getAttribute('data-status'), 'pending');

    // The close and the draw: the stack's clock moves past them, the DrawsFunction runs the
    // round (once the beacon round is out), and the clock comes back in step with the browser's.
    const ahead = Math.ceil((Date.parse(closes) - Date.now()) / 1000) + 4;
    assert.equal((await apiCall(null, 'POST', '/_local/clock', { advance_seconds: ahead })).status, 200);
    let doc;
    try {
      for (let i = 0; i < 60; i++) {
        const run = await apiCall(null, 'POST', '/_local/schedule/DrawsFunction');
        assert.equal(run.status, 200, run.text);
        doc = (await apiCall(null, 'GET', `/v1/rounds/${round.id}/draw`)).json;
        if (doc && doc.status === 'drawn') break;
        await sleep(1000);
      }
    } finally {
      assert.equal((await apiCall(null, 'POST', '/_local/clock', { advance_seconds: -ahead })).status, 200);
    }
    assert.equal(doc.status, 'drawn', JSON.stringify(doc).slice(0, 300));
    assert.equal(doc.results.length, 3, 'one ticket per application');
    await writeFile(join(RESULTS, 'round-draw.json'), JSON.stringify(doc, null, 2));

    // A's explanation, as the API gives it, on the page.
    const api = (await apiCall(a.tok, 'GET', `/v1/me/applications/${appId}`)).json;
    assert.ok(api.explanation, 'an explanation after the draw');
    await page.reload();
    const ex = mine.getByTestId('explanation');
    await ex.waitFor();
    assert.equal(await ex.getByTestId('summary-zh').innerText(), api.explanation.summary_zh);
    assert.equal(await ex.getByTestId('summary-en').innerText(), api.explanation.summary_en);
    assert.deepEqual(await ex.locator('tbody tr').evaluateAll((l) => l.map((x) => x.dataset.offering)), [o1.id, o3.id, o2.id]);
    assert.match(await ex.locator(`tbody tr[data-offering="${o1.id}"] [data-testid=tier]`).innerText(), /双职工家庭/);
    await fitsPhones(page, 'the explanation');
    await page.screenshot({ path: join(SHOTS, 'round-explanation-390.png'), fullPage: true });

    // The 核验 page of the first choice verifies the member's document and finds A's ticket.
    await ex.getByTestId('verify-link').click();
    await page.getByTestId('verdict').waitFor({ timeout: 30000 });
    assert.equal(await page.getByTestId('verdict').getAttribute('data-ok'), 'true', await page.getByTestId('verdict').innerText());
    await page.getByTestId('mine-result').waitFor();
    assert.match(await page.getByTestId('mine-result').innerText(), /你的签号名次：第 \d 名（共 3 个）。/);
    await page.screenshot({ path: join(SHOTS, 'round-member-verified-390.png'), fullPage: true });
    // The round's own document (pure number order, all three tickets) verifies too.
    await page.getByTestId('draw-round').getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: new RegExp('抽签核验 · ' + round.title_zh) }).waitFor();
    await page.locator('[data-testid=verdict][data-ok="true"]').waitFor({ timeout: 30000 });
    await page.getByTestId('mine-result').filter({ hasText: /第 \d 名（共 3 个）/ }).waitFor();
    await noOverflow(page, 'the round’s 核验 page');

    // The bookings the draw made: each says which choice it is, and that the siblings are one group.
    await page.getByRole('navigation').getByRole('link', { name: '我的报名' }).click();
    await page.getByTestId('booking-preference').first().waitFor();
    assert.ok(await page.getByTestId('booking-group').count() >= 2, 'both children’s bookings are in one group');
    await noOverflow(page, 'the round’s bookings');
    await page.screenshot({ path: join(SHOTS, 'round-bookings-390.png'), fullPage: true });
  } finally {
    await context.close();
  }

  // An officer sees the same explanation for any application.
  const op = await newPage(browser, { width: 390, height: 844 });
  try {
    await signInWithToken(op.page, officer, '#/city');
    await op.page.getByTestId('explain-panel').locator('summary').click();
    await op.page.getByLabel('申请编号 / Application id').fill(appId);
    await op.page.getByLabel('项目编号 / Offering id').fill(o1.id);
    await op.page.getByRole('button', { name: '查看说明' }).click();
    const ex = op.page.getByTestId('explanation');
    await ex.waitFor();
    const api = (await apiCall(a.tok, 'GET', `/v1/me/applications/${appId}`)).json;
    assert.equal(await ex.getByTestId('summary-zh').innerText(), api.explanation.summary_zh);
    await noOverflow(op.page, 'the officer’s explanation');
    await op.page.screenshot({ path: join(SHOTS, 'officer-explanation-390.png'), fullPage: true });
  } finally {
    await op.context.close();
  }
});
