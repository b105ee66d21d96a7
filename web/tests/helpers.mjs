// Shared helpers of the browser tests: the browser, the API, tokens and ID numbers.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
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
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[pageerror]', e.message));
  return { context, page };
}

export const ACCOUNTS = {
  'demo-resident': { groups: ['residents'], centre_ids: [] },
  'staff-liangxi-04': { groups: ['centre-staff'], centre_ids: ['c-liangxi-04'] },
  'officer-wuxi-edu': { groups: ['city-officers'], centre_ids: [] },
};

export async function token(sub, groups, centre_ids = []) {
  const r = await fetch(BASE + '/_local/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sub, groups, centre_ids }) });
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

// The stack answers before its demo data is all written: wait for the last of it (the city's target).
let ready = null;
export function stackReady() {
  ready ||= (async () => {
    const until = Date.now() + 90000;
    let last = '';
    while (Date.now() < until) {
      try {
        const tok = await token('officer-wuxi-edu', ['city-officers']);
        const r = await apiCall(tok, 'GET', '/v1/city/targets');
        if (r.status === 200 && r.json.items.length > 0) return;
        last = r.status + ' ' + r.text.slice(0, 100);
      } catch (e) { last = String(e); }
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error('the stack at ' + BASE + ' has no demo data: ' + last);
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
