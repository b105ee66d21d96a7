// Who is signed in. The ID token is kept in localStorage, so every tab and a shared link
// opened in a new tab share the sign-in until the token expires; signing out, or the
// sign-in ending, reaches every tab through the storage event. Everything else about the
// session is read from the token. Locally, tokens come from POST /_local/token; in AWS
// from the Cognito hosted UI (authorization code + PKCE), and the id_token is the Bearer
// token.
import { signal } from './signal.js';
import { now, at } from './clock.js';

const KEY = 'enrol.token';
// Why the last sign-in ended, when not by signing out ("expired"), for every tab to say.
const ENDED = 'enrol.ended';
const PKCE = 'enrol.pkce';

export const DEMO_ACCOUNTS = [
  { role: 'resident', sub: 'demo-resident', groups: ['residents'], centre_ids: [] },
  { role: 'staff', sub: 'staff-liangxi-04', groups: ['centre-staff'], centre_ids: ['c-liangxi-04'] },
  { role: 'officer', sub: 'officer-wuxi-edu', groups: ['city-officers'], centre_ids: [] },
];

function decodeJwt(token) {
  try {
    const p = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      atob(p + '==='.slice((p.length + 3) % 4)).split('').map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function listClaim(v) {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string' || !v) return [];
  return v.replace(/^\[|\]$/g, '').split(/[ ,]+/).filter(Boolean);
}

export function sessionFromToken(token) {
  const c = decodeJwt(token);
  const groups = listClaim(c['cognito:groups'] ?? c.groups);
  const centreIds = listClaim(c['custom:centre_ids'] ?? c.centre_ids);
  // A centre staff member or officer without an authenticator app (TOTP) gets a token without
  // those groups and with enrol:mfa_setup (functions/accounts): the page says to enrol one.
  const mfaSetup = c['enrol:mfa_setup'] === 'required';
  return { token, sub: c.sub || '', name: c.name || c.email || c['cognito:username'] || c.sub || '', groups, centreIds, mfaSetup, exp: c.exp || 0 };
}

const store = {
  get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch { /* private mode */ } },
};
const live = (s) => !!s && s.exp * 1000 > now();

// The signed-in session, or null; and why the last one ended ('expired' or '').
export const session = signal(null);
export const ended = signal('');
export const loadSession = () => session.value;

let cancelExpiry = () => {};
// Reads the stored token: a live one is the session; an expired one ends it.
function sync() {
  const tok = store.get(KEY);
  const s = tok ? sessionFromToken(tok) : null;
  if (s && !live(s)) { endSession('expired'); return; }
  cancelExpiry();
  if ((s && s.token) !== (session.value && session.value.token)) session.value = s;
  const why = s ? '' : store.get(ENDED) || '';
  if (why !== ended.value) ended.value = why;
  if (s) cancelExpiry = at(s.exp * 1000, sync);
}

export function saveSession(s) {
  store.set(ENDED, null);
  store.set(KEY, s ? s.token : null);
  sync();
}

// Ends the session in every tab: on expiry, or when the API rejects the token.
export function endSession(why) {
  cancelExpiry();
  store.set(ENDED, why);
  store.set(KEY, null);
  session.value = null;
  ended.value = why;
}

export const dismissEnded = () => { store.set(ENDED, null); ended.value = ''; };

sync();
window.addEventListener('storage', (e) => { if (e.key === KEY || e.key === ENDED || e.key === null) sync(); });
// Timers sleep with a phone's screen; look again when the page is seen.
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') sync(); });

export const isResident = (s) => !!s && s.groups.includes('residents');
export const isStaff = (s) => !!s && (s.groups.includes('centre-staff') || s.groups.includes('city-officers'));
export const isOfficer = (s) => !!s && s.groups.includes('city-officers');

export async function localSignIn(cfg, account) {
  const r = await fetch(cfg.apiUrl + '/_local/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub: account.sub, groups: account.groups, centre_ids: account.centre_ids }),
  });
  if (!r.ok) throw new Error('token ' + r.status);
  const { token } = await r.json();
  saveSession(sessionFromToken(token));
  return session.value;
}

// --- Cognito hosted UI, authorization code with PKCE ---
function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function randomString(n = 32) {
  const a = new Uint8Array(n);
  crypto.getRandomValues(a);
  return b64url(a);
}
const redirectUri = () => location.origin + '/';

export async function cognitoSignIn(cfg, returnTo) {
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, returnTo }));
  const q = new URLSearchParams({
    response_type: 'code', client_id: cfg.clientId, redirect_uri: redirectUri(),
    scope: 'openid phone profile', state, code_challenge_method: 'S256', code_challenge: challenge,
  });
  location.assign(cfg.domain.replace(/\/+$/, '') + '/oauth2/authorize?' + q);
}

// On return from the hosted UI (?code=&state=), exchange the code. Returns the route to go back to.
export async function completeCognito(cfg) {
  const q = new URLSearchParams(location.search);
  const code = q.get('code');
  if (!code) return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || '{}');
  sessionStorage.removeItem(PKCE);
  history.replaceState(null, '', '/' + location.hash);
  if (!saved.verifier || saved.state !== q.get('state')) throw new Error('state');
  const r = await fetch(cfg.domain.replace(/\/+$/, '') + '/oauth2/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code, redirect_uri: redirectUri(), code_verifier: saved.verifier }),
  });
  if (!r.ok) throw new Error('token ' + r.status);
  const t = await r.json();
  saveSession(sessionFromToken(t.id_token));
  return saved.returnTo || '#/';
}

export function signOut(cfg) {
  saveSession(null);
  if (cfg.mode === 'cognito' && cfg.domain) {
    const q = new URLSearchParams({ client_id: cfg.clientId, logout_uri: redirectUri() });
    location.assign(cfg.domain.replace(/\/+$/, '') + '/logout?' + q);
  }
}
