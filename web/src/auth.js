// Who is signed in: the token (kept in sessionStorage) and what it says about the caller.
// Locally, tokens come from POST /_local/token; in AWS from the Cognito hosted UI
// (authorization code + PKCE), and the id_token is the Bearer token.
const KEY = 'enrol.session';
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
  return { token, sub: c.sub || '', name: c.name || c.email || c['cognito:username'] || c.sub || '', groups, centreIds, exp: c.exp || 0 };
}

export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (!s || !s.token) return null;
    if (s.exp && s.exp * 1000 < Date.now()) { sessionStorage.removeItem(KEY); return null; }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

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
  const s = sessionFromToken(token);
  saveSession(s);
  return s;
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
