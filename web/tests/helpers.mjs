// Shared helpers of the browser tests: the browser, the API, tokens and ID numbers.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const BASE = (process.env.ENROL_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
export const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
export const SHOTS = join(RESULTS, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  await stackReady();
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newPage(browser, { width = 390, height = 844, lang = 'zh-CN' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: lang, acceptDownloads: true });
  context.setDefaultTimeout(15000);
  await context.addInitScript((l) => { try { if (!localStorage.getItem('enrol.lang')) localStorage.setItem('enrol.lang', l); } catch {} }, lang);
  await context.addInitScript(pageLib);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[pageerror]', e.message));
  return { context, page };
}

export const ACCOUNTS = {
  'demo-resident': { groups: ['residents'], centre_ids: [] },
  'staff-liangxi-04': { groups: ['centre-staff'], centre_ids: ['c-liangxi-04'] },
  'officer-wuxi-edu': { groups: ['city-officers'], centre_ids: [] },
  'officer-liangxi': { groups: ['district-officers'], centre_ids: [], district: 'liangxi' },
};

export async function token(sub, groups, centre_ids = []) {
  const r = await fetch(BASE + '/_local/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sub, groups, centre_ids }) });
  if (!r.ok) throw new Error('token: ' + r.status + ' ' + (await r.text()));
  return (await r.json()).token;
}

// A district officer's token: custom:district says which district (issue 19).
export async function districtToken(sub, district) {
  const r = await fetch(BASE + '/_local/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sub, groups: ['district-officers'], district }) });
  if (!r.ok) throw new Error('token: ' + r.status + ' ' + (await r.text()));
  return (await r.json()).token;
}

export async function apiCall(tok, method, path, body, headers = {}) {
  const r = await fetch(BASE + path, {
    method,
    headers: { Accept: 'application/json', ...(tok ? { Authorization: 'Bearer ' + tok } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text, headers: r.headers };
}

// The stack listens before its demo data is all written: /_local/health
// answers 503 {"status":"starting"} until it is seeded, then 200 ok.
let ready = null;
export function stackReady() {
  ready ||= (async () => {
    const until = Date.now() + 90000;
    let last = '';
    while (Date.now() < until) {
      try {
        const r = await apiCall(null, 'GET', '/_local/health');
        if (r.status === 200 && r.json?.status === 'ok') return;
        last = r.status + ' ' + r.text.slice(0, 100);
      } catch (e) { last = String(e); }
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error('the stack at ' + BASE + ' is not ready: ' + last);
  })();
  return ready;
}

// Sign in through the local role picker; lands on the account's home page.
export async function signIn(page, sub, returnTo = '') {
  await page.goto(BASE + '/#/signin' + (returnTo ? '?return=' + encodeURIComponent(returnTo) : ''));
  await page.locator(`button[data-account="${sub}"]`).click();
  await page.getByRole('button', { name: /退出登录|Sign out/ }).waitFor();
}

// GB 11643: a valid 18-character ID number for a birth date (YYYY-MM-DD).
export function idNumber(birth, region = '320213', seq = Math.floor(Math.random() * 1000)) {
  const first17 = region + birth.replace(/-/g, '') + String(seq).padStart(3, '0');
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * w[i];
  return first17 + '10X98765432'[sum % 11];
}

export function addDays(date, n) {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
export const todayShanghai = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
export const runId = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

// A random adult birth date: 20–40 years before `on`.
export function adultBirth(on) {
  const days = 365 * 20 + Math.floor(Math.random() * 365 * 20);
  return addDays(on, -days);
}

// In every page, window.__t: what the tests measure in the page itself.
function pageLib() {
  const rgba = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return [0, 0, 0, 0];
    const v = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3] + under[3] * (1 - top[3]);
    if (!a) return [0, 0, 0, 0];
    return [0, 1, 2].map((i) => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a).concat(a);
  };
  // The colour behind el (its own background included when self), composited up to the page.
  const backdrop = (el, self) => {
    let c = [0, 0, 0, 0];
    for (let a = self ? el : el.parentElement; a; a = a.parentElement) {
      c = over(c, rgba(getComputedStyle(a).backgroundColor));
      if (c[3] >= 0.999) return c;
    }
    return over(c, [255, 255, 255, 1]);
  };
  const lum = ([r, g, b]) => {
    const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => { const a = lum(x), b = lum(y); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const describe = (el) => {
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + (text ? ` "${text}"` : '');
  };
  window.__t = {
    describe,
    // Whatever is wider than the viewport: the page itself, or any element whose right
    // edge is past it (unless a scrolling or clipping box holds it, e.g. a table's region).
    overflow() {
      const vw = window.innerWidth;
      const out = [];
      const doc = document.documentElement;
      if (doc.scrollWidth > vw) out.push(`the page is ${doc.scrollWidth} px wide`);
      const held = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
      };
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right <= vw + 0.5 || (r.width === 0 && r.height === 0)) continue;
        // Not drawn (hidden, or inside a closed <details>), or held in a box that scrolls.
        if (!el.checkVisibility({ visibilityProperty: true }) || held(el)) continue;
        out.push(`${describe(el)} ends at ${Math.round(r.right)}`);
        if (out.length >= 8) break;
      }
      return out;
    },
    // The contrast of el's text against its own background as drawn.
    textContrast(el) {
      return ratio(rgba(getComputedStyle(el).color), backdrop(el, true));
    },
    // The focused element, and whether its focus shows: a focus-visible outline of at
    // least 2 px whose colour stands out 3:1 from what is around it (WCAG 1.4.11).
    focus() {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return { body: true };
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const width = cs.outlineStyle === 'none' ? 0 : parseFloat(cs.outlineWidth);
      const contrast = width ? ratio(rgba(cs.outlineColor), backdrop(el, false)) : 0;
      return {
        tag: el.tagName.toLowerCase(), type: el.type || '', href: el.getAttribute('href') || '', name: describe(el),
        text: (el.innerText || el.value || '').trim(), checked: !!el.checked, role: el.getAttribute('role') || '',
        visible: el.matches(':focus-visible') && width >= 2 && contrast >= 3, outline: `${width}px ${cs.outlineColor}`, contrast,
        inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight,
      };
    },
  };
}

// Signs a page in as any account (the local picker offers only the demo ones): the token
// goes where the app keeps it, then the page opens at hash.
export async function signInWithToken(page, tok, hash = '#/') {
  await page.goto(BASE + '/config.json');
  await page.evaluate((t) => localStorage.setItem('enrol.token', t), tok);
  await page.goto(BASE + '/' + hash);
  await page.getByRole('button', { name: /退出登录|Sign out/ }).waitFor();
}

// A new resident account with one participant whose age fits offering o; returns the token,
// the participant and its ID number.
// (Age is counted in whole months on starts_on; the birth day is at most the 28th, one month inside either end.)
export async function residentFor(o, sub = 'web-' + runId()) {
  const tok = await token(sub, ['residents']);
  // Any age well inside the range, on any day: two such residents rarely share an ID number.
  // Born by today, though: an offering starting months ahead with a low minimum age
  // would otherwise draw a birth date in the future, which registration refuses.
  const day = 1 + Math.floor(Math.random() * 28);
  const bornMonthsBefore = (months) => {
    const d = new Date(o.starts_on + 'T00:00:00Z');
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - months);
    d.setUTCDate(day);
    return d.toISOString().slice(0, 10);
  };
  let months = o.min_age_months + 1 + Math.floor(Math.random() * Math.max(1, o.max_age_months - o.min_age_months - 2));
  while (bornMonthsBefore(months) > todayShanghai() && months < o.max_age_months - 1) months++;
  const birth = bornMonthsBefore(months);
  // A child under 14 needs a guardian's consent to the notice in force; an adult's is ignored.
  const notice = await apiCall(null, 'GET', '/v1/privacy-notice');
  const guardian_consent = { notice_version: notice.json.version, agreed: true };
  const id_number = idNumber(birth);
  const p = await apiCall(tok, 'POST', '/v1/me/participants', { name: '居民' + sub.slice(-4), birth_date: birth, id_number, guardian_consent });
  if (p.status !== 201) throw new Error('participant: ' + p.status + ' ' + p.text);
  return { tok, sub, participant: p.json, id_number };
}

// Every published offering in the catalogue, page by page, as the app asks for them.
export async function catalogue(query = 'available=true') {
  const all = [];
  let cursor = '';
  do {
    const r = await apiCall(null, 'GET', `/v1/offerings?limit=20&${query}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    if (r.status !== 200) throw new Error('catalogue: ' + r.status + ' ' + r.text);
    all.push(...r.json.items);
    cursor = r.json.next_cursor || '';
  } while (cursor);
  return all;
}

// Open for booking at instant t (ms).
export const openAt = (o, t) => o.status === 'published' && Date.parse(o.booking_opens_at) <= t && t < Date.parse(o.booking_closes_at);

// Every control in main, in Tab order from the heading: each has a name (its text, label or
// aria-label), and the focus shows on it. Returns their names.
export async function tabThroughMain(page) {
  await page.locator('main h1').focus();
  const names = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || !el.closest('main')) return null;
      const labelled = el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.innerText).join(' ')) || el.innerText;
      // A date input's calendar button, inside the browser's own shadow tree, draws its own ring.
      const picker = el.type === 'date' && !el.matches(':focus');
      return { name: (labelled || '').trim(), picker, focus: window.__t.focus() };
    });
    if (!f) break;
    assert.ok(f.name, `a control without a name: ${f.focus.name}`);
    assert.ok(f.focus.visible || f.picker, `the focus on "${f.name}" does not show (${f.focus.outline})`);
    names.push(f.name);
  }
  return names;
}

// Nothing on the page is wider than the screen, at every phone width (the page is left at 390).
export async function fitsPhones(page, what) {
  for (const width of [320, 360, 390, 430]) {
    await page.setViewportSize({ width, height: 844 });
    // Charts redraw on the window's resize event, a moment after the viewport changes:
    // the page is measured once it has settled (or as it stands after 2 s).
    let over = [];
    for (let i = 0; i < 40; i++) {
      over = await page.evaluate(() => window.__t.overflow());
      if (over.length === 0) break;
      await page.waitForTimeout(50);
    }
    assert.deepEqual(over, [], `${what} at ${width} px: nothing wider than the screen`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
}

export async function switchLang(page) {
  const was = await page.getAttribute('html', 'lang');
  await page.locator('header button.lang').click();
  await page.waitForFunction((l) => document.documentElement.lang !== l, was);
}

// axe-core (a dev dependency) run in the page: the violations of impact serious or critical,
// each as "id (impact): help — the first elements". Empty when the page passes.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export async function axeSerious(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.join(', ')}`);
}

// Every visible link, button, input, select and text area in the viewport's width, with its
// size in CSS px; a radio button or check box is measured with its label (tapping either
// works). Returns those smaller than min × min.
export async function smallTargets(page, min) {
  return page.evaluate((min) => {
    const out = [];
    const vw = window.innerWidth;
    for (const el of document.querySelectorAll('a[href], button, input, select, textarea')) {
      if (!el.checkVisibility({ visibilityProperty: true }) || el.closest('.sr-only')) continue;
      let r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right <= 0 || r.left >= vw) continue; // off screen (the skip link)
      if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels[0]) {
        const l = el.labels[0].getBoundingClientRect();
        r = { width: Math.max(r.right, l.right) - Math.min(r.left, l.left), height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top) };
      }
      if (r.width < min - 0.5 || r.height < min - 0.5) out.push(`${window.__t.describe(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  }, min);
}
