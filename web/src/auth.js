// Who is signed in. The ID token is kept in localStorage, so every tab and a shared link
// opened in a new tab share the sign-in until the token expires; signing out, or the
// sign-in ending, reaches every tab through the storage event. Everything else about the
// session is read from the token. Locally, tokens come from POST /_local/token; in AWS
// from the Cognito hosted UI or, as AuthMode oidc, the city's own OpenID Connect provider
// (authorization code + PKCE either way), and the id_token is the Bearer token. Cognito's
// access token, which only the 账号安全 page uses (enrolling an authenticator app), is
// kept in this tab's sessionStorage, never logged.
import { signal } from './signal.js';
import { now, at } from './clock.js';

const KEY = 'enrol.token';
// Why the last sign-in ended, when not by signing out ("expired"), for every tab to say.
const ENDED = 'enrol.ended';
const PKCE = 'enrol.pkce';
// This tab's access token (Cognito's user pools API), and locally the demo sign-in to
// repeat when asked to sign in again.
const ACCESS = 'enrol.access';
const LOCAL_ACCOUNT = 'enrol.local';
const tab = {
  get: (k) => { try { return sessionStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { if (v == null) sessionStorage.removeItem(k); else sessionStorage.setItem(k, v); } catch { /* private mode */ } },
};
export const accessToken = () => tab.get(ACCESS);

export const DEMO_ACCOUNTS = [
  { role: 'resident', sub: 'demo-resident', groups: ['residents'], centre_ids: [] },
  { role: 'staff', sub: 'staff-liangxi-04', groups: ['centre-staff'], centre_ids: ['c-liangxi-04'] },
  { role: 'officer', sub: 'officer-wuxi-edu', groups: ['city-officers'], centre_ids: [] },
  // The district officer of 梁溪区, the demo staff centre's district (seed.DemoDistrict).
  { role: 'district', sub: 'officer-liangxi', groups: ['district-officers'], centre_ids: [], district: 'liangxi' },
];

// The body of POST /_local/token for a demo account (a district officer's district too).
const tokenBody = (a) => ({ sub: a.sub, groups: a.groups, centre_ids: a.centre_ids || [], ...(a.district ? { district: a.district } : {}) });

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
  // A district officer's one district (custom:district), '' for anyone else.
  const district = typeof c['custom:district'] === 'string' ? c['custom:district'] : (c.district || '');
  // A centre staff member or officer without an authenticator app (TOTP) gets a token without
  // those groups and with enrol:mfa_setup (functions/accounts): the page says to enrol one.
  const mfaSetup = c['enrol:mfa_setup'] === 'required';
  return { token, sub: c.sub || '', phone: c.phone_number || '', name: c.name || c.email || c['cognito:username'] || c.sub || '', groups, centreIds, district, mfaSetup, exp: c.exp || 0 };
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
  tab.set(ACCESS, null);
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
// A district officer: every city view for their district only, and its centres.
export const isDistrictOfficer = (s) => !!s && s.groups.includes('district-officers') && !isOfficer(s);
// Anyone who reads the dashboard and keeps the centre registry: city or district officers.
export const isAnyOfficer = (s) => isOfficer(s) || isDistrictOfficer(s);
// Where a session starts after signing in.
export const homeOf = (s) => (isAnyOfficer(s) ? '#/city' : isStaff(s) ? '#/staff' : '#/');

export async function localSignIn(cfg, account) {
  const r = await fetch(cfg.apiUrl + '/_local/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(tokenBody(account)),
  });
  if (!r.ok) throw new Error('token ' + r.status);
  const { token } = await r.json();
  // Locally the ID token is the access token too: the Cognito stand-in verifies it as
  // the gateway does (infra/localcognito).
  tab.set(ACCESS, token);
  tab.set(LOCAL_ACCOUNT, JSON.stringify(tokenBody(account)));
  saveSession(sessionFromToken(token));
  return session.value;
}

// The last local sign-in of this tab, to repeat (the demo picker's account), or null.
export function lastLocalAccount() {
  try { return JSON.parse(tab.get(LOCAL_ACCOUNT) || 'null'); } catch { return null; }
}

// --- The provider's sign-in: Cognito's hosted UI or the city's OIDC provider ---
// Authorization code with PKCE (a public client, no secret); one flow for both, with the
// endpoints Cognito's domain implies or those config.json names (infra/deploy/web.sh
// reads them from the provider's /.well-known/openid-configuration).
export const hostedSignInMode = (cfg) => cfg.mode === 'cognito' || cfg.mode === 'oidc';

// aws.cognito.signin.user.admin lets the access token call the user's own user pools API
// (AssociateSoftwareToken and the rest; the pool client allows it in template.yaml).
export const COGNITO_SCOPE = 'openid phone profile aws.cognito.signin.user.admin';

export function endpoints(cfg) {
  if (cfg.mode === 'cognito') {
    const d = (cfg.domain || '').replace(/\/+$/, '');
    return { authorize: d + '/oauth2/authorize', token: d + '/oauth2/token', logout: d + '/logout', scope: COGNITO_SCOPE };
  }
  return { authorize: cfg.authorizeUrl, token: cfg.tokenUrl, logout: cfg.logoutUrl || '', scope: cfg.scope || 'openid profile' };
}

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

export async function hostedSignIn(cfg, returnTo) {
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, returnTo }));
  const e = endpoints(cfg);
  const q = new URLSearchParams({
    response_type: 'code', client_id: cfg.clientId, redirect_uri: redirectUri(),
    scope: e.scope, state, code_challenge_method: 'S256', code_challenge: challenge,
  });
  location.assign(e.authorize + (e.authorize.includes('?') ? '&' : '?') + q);
}

// On return from the provider (?code=&state=), exchange the code. Returns the route to go back to.
export async function completeHosted(cfg) {
  const q = new URLSearchParams(location.search);
  const code = q.get('code');
  if (!code) return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || '{}');
  sessionStorage.removeItem(PKCE);
  history.replaceState(null, '', '/' + location.hash);
  if (!saved.verifier || saved.state !== q.get('state')) throw new Error('state');
  const r = await fetch(endpoints(cfg).token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code, redirect_uri: redirectUri(), code_verifier: saved.verifier }),
  });
  if (!r.ok) throw new Error('token ' + r.status);
  const t = await r.json();
  saveSession(sessionFromToken(t.id_token));
  tab.set(ACCESS, cfg.mode === 'cognito' && t.access_token ? t.access_token : null);
  return saved.returnTo || '#/';
}

export function signOut(cfg) {
  const idToken = session.value && session.value.token;
  tab.set(ACCESS, null);
  tab.set(LOCAL_ACCOUNT, null);
  saveSession(null);
  if (!hostedSignInMode(cfg)) return;
  const e = endpoints(cfg);
  if (cfg.mode === 'cognito' && cfg.domain) {
    location.assign(e.logout + '?' + new URLSearchParams({ client_id: cfg.clientId, logout_uri: redirectUri() }));
  } else if (e.logout) {
    // OpenID Connect RP-Initiated Logout's parameters.
    const q = new URLSearchParams({ client_id: cfg.clientId, post_logout_redirect_uri: redirectUri() });
    if (idToken) q.set('id_token_hint', idToken);
    location.assign(e.logout + (e.logout.includes('?') ? '&' : '?') + q);
  }
}
