// Calls to the enrol API: Bearer token, Accept-Language, problem+json errors.
import { loadSession, endSession } from './auth.js';
import { now } from './clock.js';

let cfg = { apiUrl: '' };
let lang = 'zh-CN';
export const setApiConfig = (c) => { cfg = c; };
export const setApiLang = (l) => { lang = l; };
// The API's address as a reader would type it (the page's own origin when they are one).
export const getApiUrl = () => cfg.apiUrl || location.origin;

export class ApiError extends Error {
  constructor(status, problem, retryAfter = 0) {
    super(problem.detail || problem.title || 'HTTP ' + status);
    // Seconds to wait before asking again (the Retry-After header of a 429 or 503), or 0.
    this.retryAfter = retryAfter;
    this.status = status;
    this.code = problem.code || (status === 0 ? 'network' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 429 ? 'too_many_requests' : status >= 500 ? 'unavailable' : 'http_' + status);
    this.problem = problem;
    this.errors = problem.errors || [];
  }
}

function headers(extra = {}, auth = true) {
  const h = { Accept: 'application/json', 'Accept-Language': lang, ...extra };
  const s = auth && loadSession();
  if (s) h.Authorization = 'Bearer ' + s.token;
  return h;
}

async function raw(method, path, { body, headers: extra, auth = true } = {}) {
  const init = { method, headers: headers(extra, auth) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let r;
  try {
    r = await fetch(cfg.apiUrl + path, init);
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: String(e && e.message || e) });
  }
  if (!r.ok) {
    let p = {};
    try { p = await r.json(); } catch { /* not JSON (e.g. a gateway message) */ }
    if (p && p.message && !p.detail) p.detail = p.message;
    // The token expired or was refused (e.g. signed by a key since rotated): the sign-in is
    // over, whatever the page was doing; the app says so and offers to sign in again.
    if (r.status === 401 && auth) endSession('expired');
    throw new ApiError(r.status, p || {}, retryAfter(r.headers.get('Retry-After')));
  }
  return r;
}

// Retry-After is seconds or an HTTP date; the seconds either way (0 when absent or past).
export function retryAfter(v) {
  if (!v) return 0;
  if (/^\d+$/.test(v.trim())) return Number(v);
  const at = Date.parse(v);
  return isNaN(at) ? 0 : Math.max(0, Math.ceil((at - now()) / 1000));
}

export async function api(method, path, opts) {
  const r = await raw(method, path, opts);
  if (r.status === 204) return null;
  return r.json();
}
export const get = (path, opts) => api('GET', path, opts);

// Fetch a download with the token and save it under the server's file name.
export async function download(path) {
  const r = await raw('GET', path, { headers: { Accept: '*/*' } });
  const blob = await r.blob();
  const name = fileName(r.headers.get('Content-Disposition')) || path.split('/').pop().split('?')[0];
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

export function fileName(cd) {
  if (!cd) return '';
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(cd);
  return plain ? plain[1].trim() : '';
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}
