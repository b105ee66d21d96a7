import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './styles.css';
import { loadConfig } from './config.js';
import { setApiConfig, setApiLang } from './api.js';
import { t, tIn, lang, setLang } from './i18n.js';
import { useSignal } from './signal.js';
import { route, parseHash, LiveRegion, PageHeading, ErrorBox, Loading, go, announce, errorText, returning, restore } from './ui.jsx';
import { DEMO_ACCOUNTS, session as sessionSignal, ended as endedSignal, dismissEnded, localSignIn, lastLocalAccount, hostedSignIn, hostedSignInMode, completeHosted, signOut, isResident, isStaff, isOfficer, isDistrictOfficer, isAnyOfficer, homeOf } from './auth.js';
import { Browse, OfferingDetail, Participants, MyBookings } from './resident.jsx';
import { StaffHome, StaffOffering } from './staff.jsx';
import { CityDashboard } from './city.jsx';
import { Privacy, Account, Flash } from './account.jsx';
import { Messages } from './messages.jsx';
import { MyApplications, DrawPage } from './lottery.jsx';
import { RoundsList, RoundPage } from './rounds.jsx';
import { ExplainLookup } from './claims.jsx';
import { PublicPolicy, PolicyAdmin, policyHref } from './policy.jsx';
import { Security, totpEnrolment } from './security.jsx';
import { large as largeSignal, setLarge } from './display.js';

function App({ cfg }) {
  const r = useSignal(route);
  const l = useSignal(lang);
  const session = useSignal(sessionSignal);
  const ended = useSignal(endedSignal);
  const large = useSignal(largeSignal);
  const first = useRef(true);

  useEffect(() => { setApiLang(l); document.documentElement.lang = l; document.title = t('appName') + ' · enrol'; }, [l]);
  // Move focus to the page's heading after each navigation (not on first load); Back and
  // Forward put the page back where it was instead.
  useEffect(() => {
    const back = returning();
    if (first.current) { first.current = false; if (back) restore(back, false); return; }
    if (back) { restore(back, true); return; }
    let n = 0;
    const at = location.href;
    const tryFocus = () => {
      if (location.href !== at) return; // moved on meanwhile
      const h = document.querySelector('main h1');
      if (h) { h.focus(); window.scrollTo(0, 0); } else if (n++ < 40) setTimeout(tryFocus, 50);
    };
    tryFocus();
  }, [r.path]);

  const signIn = () => {
    const ret = location.hash || '#/';
    if (hostedSignInMode(cfg)) hostedSignIn(cfg, ret);
    else go('#/signin?return=' + encodeURIComponent(ret));
  };
  const doSignOut = () => { signOut(cfg); go('#/'); announce(t('signOut')); };
  // After enrolling TOTP: a new token carries the staff or officer groups. The provider
  // signs the user in again (Cognito's hosted UI by its own session); locally the tab's
  // last demo sign-in is repeated.
  const signInAgain = async () => {
    if (hostedSignInMode(cfg)) { hostedSignIn(cfg, '#/'); return; }
    const a = lastLocalAccount();
    if (!a) { go('#/signin'); return; }
    try {
      const s = await localSignIn(cfg, a);
      go(homeOf(s));
    } catch { go('#/signin'); }
  };
  const security = !!session && totpEnrolment(cfg) && (isStaff(session) || session.mfaSetup);

  const p = r.parts;
  let page;
  const expired = ended === 'expired' && !session && p[0] !== 'signin';
  const needs = (ok, el) => (session && ok ? el : <NeedSignIn onSignIn={signIn} signedIn={!!session} expired={expired} />);
  if (p.length === 0) page = <Browse />;
  else if (p[0] === 'offerings' && p[1]) page = <OfferingDetail id={decodeURIComponent(p[1])} session={session} onSignIn={signIn} />;
  else if (p[0] === 'signin') page = <SignIn cfg={cfg} />;
  else if (p[0] === 'me' && p[1] === 'participants') page = needs(isResident(session), <Participants />);
  else if (p[0] === 'me' && p[1] === 'bookings') page = needs(isResident(session), <MyBookings />);
  else if (p[0] === 'me' && p[1] === 'applications') page = needs(isResident(session), <MyApplications />);
  else if (p[0] === 'draws' && p[1]) page = <DrawPage key={p[1]} id={decodeURIComponent(p[1])} />;
  else if (p[0] === 'rounds' && p[1] && p[2] === 'draw') page = <DrawPage key={'r' + p[1]} id={decodeURIComponent(p[1])} round />;
  else if (p[0] === 'rounds' && p[1]) page = <RoundPage id={decodeURIComponent(p[1])} session={session} onSignIn={signIn} />;
  else if (p[0] === 'rounds') page = <RoundsList />;
  else if (p[0] === 'me' && p[1] === 'messages') page = needs(isResident(session), <Messages />);
  else if (p[0] === 'me' && p[1] === 'account') page = needs(isResident(session), <Account cfg={cfg} session={session} />);
  else if (p[0] === 'privacy') page = <Privacy />;
  else if (p[0] === 'security') page = needs(totpEnrolment(cfg), <Security cfg={cfg} session={session} onSignInAgain={signInAgain} />);
  else if (p[0] === 'staff' && p[1] === 'offerings' && p[2]) page = needs(isStaff(session) || isDistrictOfficer(session), <StaffOffering id={decodeURIComponent(p[2])} />);
  else if (p[0] === 'staff') page = needs(isStaff(session) || isDistrictOfficer(session), <StaffHome key={r.query.get('centre') || ''} session={session} centreId={r.query.get('centre') || ''} />);
  else if (p[0] === 'city' && p[1] === 'explain') page = needs(isAnyOfficer(session) || isStaff(session), <ExplainLookup key={r.query.toString()} />);
  else if (p[0] === 'city' && p[1] === 'centres' && p[2] === 'new') page = needs(isAnyOfficer(session), <Registry page="CentreNew" session={session} />);
  else if (p[0] === 'city' && p[1] === 'centres' && p[2]) page = needs(isAnyOfficer(session), <Registry page="CentreDetail" key={p[2]} id={decodeURIComponent(p[2])} session={session} />);
  else if (p[0] === 'city' && p[1] === 'centres') page = needs(isAnyOfficer(session), <Registry page="CentreList" key={r.query.toString()} session={session} />);
  else if (p[0] === 'centres' && p[1] && p[2] === 'counter') page = needs(isAnyOfficer(session) || isStaff(session), <Lazy load={counter} page="Counter" key={p[1]} centreId={decodeURIComponent(p[1])} session={session} />);
  else if (p[0] === 'centres' && p[1] && p[2] === 'staff') page = needs(isAnyOfficer(session) || isStaff(session), <Registry page="CentreStaff" key={p[1]} id={decodeURIComponent(p[1])} session={session} />);
  else if (p[0] === 'policies') page = <PublicPolicy kind={p[1] && decodeURIComponent(p[1])} />;
  else if (p[0] === 'city' && p[1] === 'policies') page = needs(isOfficer(session), <PolicyAdmin kind={p[2] && decodeURIComponent(p[2])} />);
  else if (p[0] === 'city') page = needs(isAnyOfficer(session), <CityDashboard session={session} />);
  else page = <><PageHeading>404</PageHeading><p><a href="#/">{t('back')}</a></p></>;

  const cur = (href) => (('#' + r.path) === href ? 'page' : undefined);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>{t('skip')}</a>
      <header class="top">
        <div class="bar">
          <a class="brand" href="#/">{t('appName')}</a>
          <div class="tools">
            <button type="button" class="lang" lang={l === 'en' ? 'zh-CN' : 'en'} aria-label={t('langSwitchLabel')} onClick={() => setLang(l === 'en' ? 'zh-CN' : 'en')}>{t('langSwitch')}</button>
            <button type="button" class="large-toggle" aria-pressed={large ? 'true' : 'false'} onClick={() => setLarge(!large)}><span aria-hidden="true">A+ </span>{t('largeText')}</button>
            {session ? (
              <>
                <span class="who" title={session.sub}>{t('signedInAs')}{session.name}</span>
                <button type="button" onClick={doSignOut}>{t('signOut')}</button>
              </>
            ) : <button type="button" class="primary" onClick={signIn}>{t('signIn')}</button>}
          </div>
        </div>
        <nav aria-label={t('appName')}>
          <ul>
            <li><a href="#/" aria-current={cur('#/')}>{t('navBrowse')}</a></li>
            {isResident(session) && <li><a href="#/me/bookings" aria-current={cur('#/me/bookings')}>{t('navBookings')}</a></li>}
            {isResident(session) && <li><a href="#/me/applications" aria-current={cur('#/me/applications')}>{t('navApplications')}</a></li>}
            {isResident(session) && <li><a href="#/me/participants" aria-current={cur('#/me/participants')}>{t('navParticipants')}</a></li>}
            {isResident(session) && <li><a href="#/me/messages" aria-current={cur('#/me/messages')}>{t('navMessages')}</a></li>}
            {isResident(session) && <li><a href="#/me/account" aria-current={cur('#/me/account')}>{t('navAccount')}</a></li>}
            {isStaff(session) && <li><a href="#/staff" aria-current={cur('#/staff')}>{t('navStaff')}</a></li>}
            {security && <li><a href="#/security" aria-current={cur('#/security')}>{t('navSecurity')}</a></li>}
            {isStaff(session) && session.centreIds[0] && <li><a href={'#/centres/' + encodeURIComponent(session.centreIds[0]) + '/counter'} aria-current={r.path.endsWith('/counter') ? 'page' : undefined}>{t('navCounter')}</a></li>}
            {isStaff(session) && !isOfficer(session) && session.centreIds[0] && <li><a href={'#/centres/' + encodeURIComponent(session.centreIds[0]) + '/staff'} aria-current={r.path.startsWith('/centres/') && r.path.endsWith('/staff') ? 'page' : undefined}>{t('navCentreStaff')}</a></li>}
            {isAnyOfficer(session) && <li><a href="#/city" aria-current={cur('#/city')}>{isDistrictOfficer(session) ? t('navDistrict', t('d_' + session.district)) : t('navCity')}</a></li>}
            {isAnyOfficer(session) && <li><a href="#/city/centres" aria-current={r.path.startsWith('/city/centres') || r.path.startsWith('/centres/') ? 'page' : undefined}>{t('navCentres')}</a></li>}
            {isOfficer(session) && <li><a href="#/city/policies" aria-current={r.path.startsWith('/city/policies') ? 'page' : undefined}>{t('navPolicy')}</a></li>}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {expired && <Expired onSignIn={signIn} />}
        {session && session.mfaSetup && p[0] !== 'security' && <MfaSetup link={totpEnrolment(cfg)} />}
        <Flash path={r.path} />
        {page}
      </main>
      <footer class="foot"><p>enrol · 无锡市 · Wuxi · <a href="#/privacy" aria-current={cur('#/privacy')}>{t('privacyNotice')}</a> · <a href={policyHref()} aria-current={r.path.startsWith('/policies') ? 'page' : undefined}>{t('publicPolicyTitle')}</a></p></footer>
      <LiveRegion />
    </>
  );
}

// The centre registry's pages (officers, and a centre's staff list) load on first use, so
// a resident's first page does not carry them.
const registry = () => import('./centres.jsx');
function Registry(props) { return <Lazy load={registry} {...props} />; }
// The counter (staff acting for a resident at the desk) likewise.
const counter = () => import('./counter.jsx');
function Lazy({ load, page, ...props }) {
  const [m, setM] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let alive = true;
    load().then((x) => alive && setM(x), () => alive && setError({ code: 'network' }));
    return () => { alive = false; };
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (!m) return <Loading />;
  const P = m[page];
  return <P {...props} />;
}

// The sign-in ended (the token expired or the API refused it): said in both languages, the
// page's own first, with the way to sign in again and come back here.
function Expired({ onSignIn }) {
  const l = lang.value, other = l === 'en' ? 'zh-CN' : 'en';
  return (
    <div class="msg msg-warn expired" role="alert" data-ended="expired">
      <p><strong>{t('sessionExpired')}</strong> <span lang={other} class="other-lang">{tIn(other, 'sessionExpired')}</span></p>
      <p class="actions">
        <button type="button" class="primary" onClick={onSignIn}>{t('signInAgain')}</button>
        <button type="button" onClick={dismissEnded}>{t('close')}</button>
      </p>
    </div>
  );
}

// A staff member or officer signed in without an authenticator app: their staff or city pages
// stay closed until they enrol one (TOTP). Said in both languages, the page's own first.
function MfaSetup({ link }) {
  const l = lang.value, other = l === 'en' ? 'zh-CN' : 'en';
  return (
    <div class="msg msg-warn" role="alert" data-mfa-setup="required">
      <p><strong>{t('mfaSetupTitle')}</strong> <span lang={other} class="other-lang">{tIn(other, 'mfaSetupTitle')}</span></p>
      <p>{t('mfaSetupBody')} <span lang={other} class="other-lang">{tIn(other, 'mfaSetupBody')}</span></p>
      {link && <p class="actions"><a class="button-link" href="#/security">{t('mfaSetupLink')}</a></p>}
    </div>
  );
}

function NeedSignIn({ onSignIn, signedIn, expired }) {
  return (
    <>
      <PageHeading>{t('signIn')}</PageHeading>
      {signedIn ? <ErrorBox error={{ code: 'forbidden' }} /> : !expired && <p><button type="button" class="primary big" onClick={onSignIn}>{t('signIn')}</button></p>}
    </>
  );
}

function SignIn({ cfg }) {
  const [error, setError] = useState(null);
  const ret = route.value.query.get('return');
  const pick = async (a) => {
    setError(null);
    try {
      const home = homeOf(await localSignIn(cfg, a));
      go(ret && ret.startsWith('#/') && ret !== '#/' && !ret.startsWith('#/signin') ? ret : home);
    } catch (e) {
      const err = e.code ? e : { code: 'unavailable' };
      setError(err); announce(errorText(err));
    }
  };
  if (hostedSignInMode(cfg)) {
    return (
      <>
        <PageHeading>{t('signInTitle')}</PageHeading>
        <button type="button" class="primary big" onClick={() => hostedSignIn(cfg, ret || '#/')}>{t('signInCognito')}</button>
      </>
    );
  }
  const labels = { resident: t('demoResident'), staff: t('demoStaff'), officer: t('demoOfficer'), district: t('demoDistrict') };
  return (
    <>
      <PageHeading>{t('signInTitle')}</PageHeading>
      <p>{t('signInIntro')}</p>
      <ul class="accounts">
        {DEMO_ACCOUNTS.map((a) => (
          <li key={a.sub}><button type="button" class="account" data-account={a.sub} onClick={() => pick(a)}>{labels[a.role]}<span class="muted"> · {a.sub}</span></button></li>
        ))}
      </ul>
      <ErrorBox error={error} onRetry={() => setError(null)} />
    </>
  );
}

async function start() {
  // Paths such as /staff or /city (as printed by `make run`) become the app's hash routes.
  const path = location.pathname.replace(/\/index\.html$/, '/');
  if (path !== '/' && !location.hash) { history.replaceState(null, '', '/#' + path + location.search); route.value = parseHash(); }
  document.documentElement.lang = lang.value;
  setApiLang(lang.value);
  const cfg = await loadConfig();
  setApiConfig(cfg);
  if (hostedSignInMode(cfg)) {
    try {
      const ret = await completeHosted(cfg);
      // Set now, not on hashchange: that event may come before the app listens for it.
      if (ret) { location.hash = ret; route.value = parseHash(); }
    } catch (e) {
      console.error('sign-in failed', e);
    }
  }
  render(<App cfg={cfg} />, document.getElementById('app'));
}
start();
