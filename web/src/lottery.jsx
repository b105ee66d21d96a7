// Lottery offerings: applying and withdrawing on the offering's page, my applications, and
// the 核验 page that recomputes a draw in the browser from its public document.
import { useState, useEffect, useRef } from 'preact/hooks';
import { get, api, newKey, getApiUrl } from './api.js';
import { t, tIn, lang, fmtDateTime } from './i18n.js';
import { useSignal } from './signal.js';
import { route, PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText } from './ui.jsx';
import { isResident } from './auth.js';
import { useNow } from './clock.js';
import { verify, checkTickets, ticketOf } from './drawcheck.js';
import { ParticipantChoice, eligibleFor } from './resident.jsx';
import { ApplicationExtras, Explanation, loadPolicy, usePolicy, SiblingsField, ClaimsField, fieldErrorOf } from './explain.jsx';
import './i18n-rounds.js';
import { policyHref } from './policy.jsx';
import { useAdmission, QueueNote } from './queue.jsx';

const enc = encodeURIComponent;
export const drawHref = (offeringId, applicationId) => '#/draws/' + enc(offeringId) + (applicationId ? '?application=' + enc(applicationId) : '');

// Where applying stands at instant now (ms): soon, open, closed (before the draw), drawn
// (the draw time has passed). The server decides by the same times (domain.Applicable).
export function applicationWindow(o, now) {
  if (now < Date.parse(o.applications_open_at)) return 'soon';
  if (now < Date.parse(o.applications_close_at)) return 'open';
  if (now < Date.parse(o.draw_at)) return 'closed';
  return 'drawn';
}
export const lotteryEdges = (o) => [o.applications_open_at, o.applications_close_at, o.draw_at].map(Date.parse);

// Every page of a resident's list (bookings, applications), up to 1,000 items.
export async function allPages(path) {
  const all = [];
  let cursor = '';
  do {
    const page = await get(path + (path.includes('?') ? '&' : '?') + 'limit=200' + (cursor ? '&cursor=' + enc(cursor) : ''));
    all.push(...page.items);
    cursor = page.next_cursor || '';
  } while (cursor && all.length < 1000);
  return all;
}

// The other language beside the page's: a finding or a status said in both.
function Both({ zh, en }) {
  const l = lang.value;
  return <>{l === 'en' ? en : zh} <span lang={l === 'en' ? 'zh-CN' : 'en'} class="other-lang">{l === 'en' ? zh : en}</span></>;
}

// The lottery's facts on an offering's page.
export function LotteryFacts({ o }) {
  return (
    <>
      <div><dt>{t('lotteryL')}</dt><dd data-testid="allocation">{t('lotteryByDraw')} · <a href={policyHref(o.kind)}>{t('policyLink')}</a></dd></div>
      <div><dt>{t('applyWindow')}</dt><dd data-testid="apply-window">{fmtDateTime(o.applications_open_at)} – {fmtDateTime(o.applications_close_at)}</dd></div>
      <div><dt>{t('drawAt')}</dt><dd data-testid="draw-at">{fmtDateTime(o.draw_at)} · <a href={drawHref(o.id)}>{t('drawLink')}</a></dd></div>
    </>
  );
}

// 申请 / apply for a lottery offering, and the resident's applications to it with 撤回.
export function ApplyPanel({ o, session, onSignIn }) {
  const w = applicationWindow(o, useNow(lotteryEdges(o)));
  const resident = isResident(session);
  const parts = useLoad(() => (resident ? get('/v1/me/participants?limit=200') : { items: [] }), [resident, session && session.sub]);
  const mine = useLoad(() => (resident ? allPages('/v1/me/applications') : []), [resident, session && session.sub]);
  const [pid, setPid] = useState('');
  // Issue 14: siblings applying as one unit, and claimed priority tiers.
  const [sibs, setSibs] = useState([]);
  const [claims, setClaims] = useState([]);
  const policy = usePolicy(resident && !o.round_id ? o.kind : null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState(null);
  const key = useRef(null);
  const queue = useAdmission();
  const here = (mine.data || []).filter((a) => a.offering_id === o.id);
  const taken = new Set(here.filter((a) => a.status !== 'withdrawn').map((a) => a.participant_id));
  const list = ((parts.data && parts.data.items) || []).filter((p) => !taken.has(p.id));
  const eligible = eligibleFor(o);
  useEffect(() => {
    if ((!pid || taken.has(pid)) && list.length) setPid((list.find(eligible) || list[0]).id);
  }, [list.length]);

  const note = w === 'soon' ? t('applyOpensAt', fmtDateTime(o.applications_open_at))
    : w === 'closed' ? t('applyClosed', fmtDateTime(o.draw_at)) : w === 'drawn' ? t('applyDrawn') : null;
  const noteEl = note && <p class="warn" id="apply-when">{note}</p>;
  // A member of a round is applied for through the round, with ranked choices.
  if (o.round_id) {
    return (
      <section class="book" aria-labelledby="apply-h" data-testid="apply-round">
        <h2 id="apply-h">{t('applyTitle')}</h2>
        <p>{t('applyThroughRound')}</p>
        <p><a class="button-link" href={'#/rounds/' + enc(o.round_id)}>{t('goToRound')}</a></p>
      </section>
    );
  }
  if (!session) return <SignInToApply title={t('applyTitle')} note={noteEl} w={w} onSignIn={onSignIn} />;
  if (!resident) return null;
  const submit = async (e) => {
    e.preventDefault();
    if (!pid || w !== 'open') return;
    setBusy(true); setError(null); setResult(null);
    try {
      const a = await sendApplication('/v1/offerings/' + enc(o.id) + '/applications', unitBody(pid, sibs, claims, list), key, queue);
      setResult(a); setPid(''); setSibs([]); setClaims([]); setChanged(null);
      announce(t('applied', fmtDateTime(o.draw_at)));
      mine.reload();
    } catch (err) {
      setError(err); announce(errorText(err));
    } finally { setBusy(false); }
  };
  return (
    <section class="book" aria-labelledby="apply-h" data-testid="apply">
      <h2 id="apply-h">{t('applyTitle')}</h2>
      {(parts.loading || mine.loading) && <Loading />}
      <ErrorBox error={parts.error || mine.error} onRetry={() => { parts.reload(); mine.reload(); }} />
      {here.length > 0 && (
        <>
          <h3>{t('myApplicationsHere')}</h3>
          <ul class="cards">
            {here.map((a) => <ApplicationCard key={a.id} a={a} o={o} onChanged={(text) => { setResult(null); setChanged({ text }); mine.reload(); }} compact />)}
          </ul>
          <Ok focusKey={changed}>{changed && changed.text}</Ok>
        </>
      )}
      {w === 'open' && !parts.loading && list.length === 0 && !here.length && <p>{t('noParticipants')}</p>}
      {list.length > 0 && (
        <form onSubmit={submit}>
          <ParticipantChoice list={list} pid={pid} legend={t('applyFor')} eligible={eligible} onPick={(id) => { setPid(id); setSibs(sibs.filter((x) => x !== id)); key.current = null; }} />
          <SiblingsField list={list.filter((p) => p.id !== pid)} value={sibs} error={fieldErrorOf(error, 'siblings')} onChange={(v) => { setSibs(v); key.current = null; }} />
          <ClaimsField policy={policy.data} kind={o.kind} value={claims} error={fieldErrorOf(error, 'claims')} onChange={(v) => { setClaims(v); key.current = null; }} />
          {noteEl}
          <button type="submit" class="primary big" disabled={busy || !pid || w !== 'open'} aria-describedby={note ? 'apply-when' : undefined}>{t('apply')}</button>
        </form>
      )}
      {!list.length && noteEl}
      <QueueNote wait={queue.wait} onGiveUp={queue.giveUp} />
      <ErrorBox error={error} focusKey={error} onRetry={() => submit({ preventDefault() {} })} />
      {result && (
        <Ok focusKey={result}>
          <p data-status={result.status}>{t('applied', fmtDateTime(o.draw_at))}</p>
          <p><a href="#/me/applications">{t('viewApplications')}</a></p>
        </Ok>
      )}
    </section>
  );
}

// Before signing in: when applying opens or that it has closed, and the way to sign in.
export function SignInToApply({ title, note, w, onSignIn }) {
  return (
    <section class="book" aria-labelledby="apply-h">
      <h2 id="apply-h">{title}</h2>
      {note}
      {(w === 'open' || w === 'soon') && <button type="button" class="primary big" onClick={onSignIn}>{t('signInToApply')}</button>}
    </section>
  );
}

// The request for a child pid with the ticked siblings (still among the account's children
// in list) and claims, as the offering route and the round route take it.
export function unitBody(pid, sibs, claims, list) {
  const body = { participant_id: pid };
  const s = sibs.filter((x) => x !== pid && list.some((p) => p.id === x));
  if (s.length) body.siblings = s;
  if (claims.length) body.claims = claims;
  return body;
}

// POSTs an application with an Idempotency-Key kept in key (a ref) until it is answered: a
// retry after a network failure or a 5xx sends the same key, so nothing is applied twice.
// Through queue (useAdmission), a 429 or 503 is retried by itself, 排队中, with that key.
export async function sendApplication(path, body, key, queue) {
  if (!key.current) key.current = newKey();
  const k = key.current;
  const send = () => api('POST', path, { body, headers: { 'Idempotency-Key': k } });
  try {
    const a = await (queue ? queue.run(send) : send());
    key.current = null;
    return a;
  } catch (err) {
    if (err.status && err.status < 500 && err.code !== 'too_many_requests') key.current = null;
    throw err;
  }
}

// One application: status, ticket, rank and outcome, its draw and its booking; 撤回 while
// applications are open.
export function ApplicationCard({ a, o, onChanged, compact, policy, titles }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const at = useNow(o ? lotteryEdges(o) : []);
  const w = o ? applicationWindow(o, at) : null;
  const ask = useRef(null), again = useRef(null), asked = useRef(false);
  useEffect(() => {
    if (asking) { asked.current = true; ask.current && ask.current.focus(); }
    else if (asked.current && again.current) again.current.focus();
  }, [asking]);
  const withdraw = async () => {
    setBusy(true); setError(null);
    try {
      await api('POST', '/v1/me/applications/' + enc(a.id) + '/withdraw');
      asked.current = false; // the button is gone: the focus goes to the parent's message
      setAsking(false);
      announce(t('withdrawn'));
      onChanged(t('withdrawn'));
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const H = compact ? 'h4' : 'h2';
  return (
    <li class="card" data-application={a.id} data-offering={a.offering_id}>
      {!compact && <H class="h3">{a.round_id
        ? <a href={'#/rounds/' + enc(a.round_id)}>{o ? (lang.value === 'en' ? o.title_en || o.title_zh : o.title_zh || o.title_en) : a.round_id}</a>
        : o ? <a href={'#/offerings/' + enc(a.offering_id)}>{o.title}</a> : a.offering_id}</H>}
      <dl class="facts">
        <div><dt>{t('applyFor')}</dt><dd>{a.participant && a.participant.name}</dd></div>
        <div><dt>{t('status')}</dt><dd class={'ast ast-' + a.status} data-testid="application-status">{t('ast_' + a.status)}</dd></div>
        {a.rank > 0 && <div><dt>{t('rank')}</dt><dd data-testid="application-rank">{t('rankOf', a.rank)}</dd></div>}
        {o && a.status === 'applied' && <div><dt>{t('drawAt')}</dt><dd>{fmtDateTime(o.draw_at)}</dd></div>}
        {a.ticket && <div class="span"><dt>{t('ticket')}</dt><dd><code class="sub" data-testid="application-ticket">{a.ticket}</code></dd></div>}
        <div class="span"><dt>{t('applicationId')}</dt><dd><code class="sub" data-testid="application-id">{a.id}</code></dd></div>
      </dl>
      <ApplicationExtras a={a} policy={policy} titles={titles} />
      <Explanation a={a} />
      <p class="actions">
        {a.status !== 'withdrawn' && !a.explanation && (a.round_id
          ? <a href={'#/rounds/' + enc(a.round_id) + '/draw?application=' + enc(a.id)}>{t('drawLink')}</a>
          : <a href={drawHref(a.offering_id, a.id)} aria-label={o ? t('drawLinkOf', o.title) : undefined}>{t('drawLink')}</a>)}
        {a.booking_id && <>{a.status !== 'withdrawn' && !a.explanation ? ' · ' : ''}<a href={'#/me/bookings?booking=' + enc(a.booking_id)}>{t('viewBooking')}</a></>}
      </p>
      {a.status === 'applied' && w === 'open' && !asking && (
        <p class="actions"><button type="button" ref={again} aria-label={t('withdrawOf', a.participant ? a.participant.name : '')} onClick={() => setAsking(true)}>{t('withdraw')}</button></p>
      )}
      {asking && a.status === 'applied' && (
        <div class="confirm" role="group" aria-label={t('withdrawAsk')}>
          <p>{t('withdrawAsk')}</p>
          <button type="button" class="danger" ref={ask} disabled={busy} onClick={withdraw}>{t('withdraw')}</button>{' '}
          <button type="button" onClick={() => setAsking(false)}>{t('close')}</button>
        </div>
      )}
      <ErrorBox error={error} focusKey={error} onRetry={withdraw} />
    </li>
  );
}

// 我的申请: every application, newest first, with the offering it is for.
export function MyApplications() {
  useSignal(lang);
  const list = useLoad(async () => {
    const apps = await allPages('/v1/me/applications');
    const ids = [...new Set(apps.filter((a) => !a.round_id).map((a) => a.offering_id))];
    const rids = [...new Set(apps.filter((a) => a.round_id).map((a) => a.round_id))];
    const kinds = [...new Set(apps.filter((a) => (a.claims || []).length).map((a) => a.offering && a.offering.kind).filter(Boolean))];
    const [offs, rounds, pols] = await Promise.all([
      Promise.all(ids.map((id) => get('/v1/offerings/' + enc(id), { auth: false }).catch(() => null))),
      Promise.all(rids.map((id) => get('/v1/rounds/' + enc(id), { auth: false }).catch(() => null))),
      Promise.all(kinds.map((k) => loadPolicy(k).catch(() => null))),
    ]);
    return {
      apps, offerings: new Map(ids.map((id, i) => [id, offs[i]])), rounds: new Map(rids.map((id, i) => [id, rounds[i]])),
      policies: new Map(kinds.map((k, i) => [k, pols[i]])),
    };
  }, [lang.value]);
  const [msg, setMsg] = useState(null);
  return (
    <>
      <PageHeading>{t('myApplications')}</PageHeading>
      {list.loading && !list.data && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      <Ok focusKey={msg}>{msg && msg.text}</Ok>
      {list.data && list.data.apps.length === 0 && <p>{t('noApplications')}</p>}
      {list.data && (
        <ul class="cards">
          {list.data.apps.map((a) => {
            const r = a.round_id && list.data.rounds.get(a.round_id);
            const titles = r && r.offerings ? Object.fromEntries(r.offerings.map((x) => [x.id, x.title])) : undefined;
            return <ApplicationCard key={a.id} a={a} o={a.round_id ? r : list.data.offerings.get(a.offering_id)} titles={titles}
              policy={list.data.policies.get(a.offering && a.offering.kind)} onChanged={(text) => { setMsg({ text }); list.reload(); }} />;
          })}
        </ul>
      )}
    </>
  );
}

// 核验: the draw document of offering id, checked here. Before the draw it shows the
// commitment and the beacon round (and after the close the tickets against their digest);
// after it, every number and rank recomputed, and what matches or does not, member by member.
// With round, id is a round's: its own document, over all its tickets (a member offering's
// page shows the same document with each ticket's tier at that offering).
export function DrawPage({ id, round }) {
  useSignal(lang);
  const r = useSignal(route);
  const base = (round ? '/v1/rounds/' : '/v1/offerings/') + enc(id);
  const doc = useLoad(() => get(base + '/draw', { auth: false }), [base]);
  const off = useLoad(() => get(base, { auth: false }).then((x) => (round ? { ...x, title: lang.value === 'en' ? x.title_en || x.title_zh : x.title_zh || x.title_en } : x)).catch(() => null), [base, lang.value]);
  const [check, setCheck] = useState(null);
  const [progress, setProgress] = useState(null);
  const [failed, setFailed] = useState(null);
  const d = doc.data;
  useEffect(() => {
    setCheck(null); setFailed(null); setProgress(null);
    if (!d) return undefined;
    let live = true;
    (async () => {
      if (d.status === 'drawn') {
        const res = await verify(d, (done, total) => { if (live) setProgress({ done, total }); });
        if (!live) return;
        setCheck(res);
        const n = res.results.length;
        announce(res.findings.length ? t('verifyBad', res.findings.length) : t('verifyOk', n, n));
      } else if (d.applicants_digest) {
        const res = await checkTickets(d);
        if (live) setCheck({ findings: res.findings, checks: [], results: [], closed: true });
      }
    })().catch((e) => { if (live) setFailed(e); });
    return () => { live = false; };
  }, [d]);

  const o = off.data;
  const tickets = (d && d.tickets) || [];
  const url = getApiUrl() + base + '/draw';
  return (
    <>
      {o && <p><a href={(round ? '#/rounds/' : '#/offerings/') + enc(id)} class="back">← {o.title}</a></p>}
      <PageHeading>{t('drawTitle')}{o ? ' · ' + o.title : ''}</PageHeading>
      <p class="intro">{t('drawIntro')}</p>
      {doc.loading && <Loading />}
      <ErrorBox error={doc.error} onRetry={doc.reload} />
      {d && (
        <>
          <dl class="facts wide draw-doc">
            <div><dt>{t('drawStatus')}</dt><dd data-testid="draw-status">{t('ds_' + d.status) !== 'ds_' + d.status ? t('ds_' + d.status) : d.status}</dd></div>
            <div><dt>{t('algorithm')}</dt><dd><code>{d.algorithm}</code></dd></div>
            <div class="span"><dt>{t('commitment')}</dt><dd><code class="sub" data-testid="commitment">{d.commitment}</code></dd></div>
            {d.round_id && !round && <div class="span"><dt>{t('roundL')}</dt><dd data-testid="draw-round"><a href={'#/rounds/' + enc(d.round_id) + '/draw' + (r.query.get('application') ? '?application=' + enc(r.query.get('application')) : '')}>{t('roundDoc')}</a> · {t('roundSameDoc')}</dd></div>}
            {d.policy_version > 0 && <div><dt>{t('policyVersionL')}</dt><dd data-testid="draw-policy">{t('policyVersion', d.policy_version)}</dd></div>}
            <div class="span"><dt>{t('beacon')}</dt><dd data-testid="beacon">{t('beaconRound', d.beacon && d.beacon.source, d.beacon && d.beacon.round)}</dd></div>
            {o && o.draw_at && <div><dt>{t('drawAt')}</dt><dd>{fmtDateTime(o.draw_at)}</dd></div>}
            {d.applicants_digest && <div><dt>{t('applicants')}</dt><dd data-testid="ticket-count">{t('ticketsN', tickets.length)}</dd></div>}
            {d.applicants_digest && <div class="span"><dt>{t('digest')}</dt><dd><code class="sub" data-testid="digest">{d.applicants_digest}</code></dd></div>}
            {d.beacon && d.beacon.randomness && <div class="span"><dt>{t('randomness')}</dt><dd><code class="sub">{d.beacon.randomness}</code></dd></div>}
            {d.secret && <div class="span"><dt>{t('secret')}</dt><dd><code class="sub">{d.secret}</code></dd></div>}
            {d.seed && <div class="span"><dt>{t('seed')}</dt><dd><code class="sub">{d.seed}</code></dd></div>}
          </dl>
          {d.status !== 'drawn' && !d.applicants_digest && <p class="warn" data-testid="not-closed">{t('drawNotClosed')}</p>}
          {progress && !check && <p role="status" data-testid="progress"><label for="draw-progress">{t('computing', progress.done, progress.total)}</label> <progress id="draw-progress" max={progress.total || 1} value={progress.done} /></p>}
          <ErrorBox error={failed && { code: 'internal', message: String(failed) }} />
          {check && <Verdict check={check} d={d} />}
          {d.status === 'drawn' && d.beacon && <p class="hint">{t('beaconHint', d.beacon.source, d.beacon.round)}</p>}
          <p class="hint">{t('cliHint')} <code class="sub">go run ./cmd/verify-draw {url}</code></p>
          <FindMine id={d.round_id || id} d={d} check={check} initial={r.query.get('application') || ''} />
          {check && check.results.length > 0 && <ResultsTable results={check.results} />}
        </>
      )}
    </>
  );
}

function Verdict({ check, d }) {
  const { findings, checks, results } = check;
  const SHOWN = 100;
  if (check.closed) {
    return findings.length === 0
      ? <Ok><p data-testid="verdict" data-ok="true">{t('ticketsOk', (d.tickets || []).length)}</p></Ok>
      : <Findings findings={findings} shown={SHOWN} />;
  }
  const n = results.length;
  return (
    <section aria-labelledby="verdict-h">
      <h2 id="verdict-h" class="h3">{t('verdictTitle')}</h2>
      {findings.length === 0
        ? <Ok><p data-testid="verdict" data-ok="true"><Both zh={tIn('zh-CN', 'verifyOk', n, n)} en={tIn('en', 'verifyOk', n, n)} /></p></Ok>
        : <div class="msg msg-error" role="alert"><p data-testid="verdict" data-ok="false"><Both zh={tIn('zh-CN', 'verifyBad', findings.length)} en={tIn('en', 'verifyBad', findings.length)} /></p></div>}
      <ul class="checks" data-testid="checks">
        {checks.map((c) => (
          <li key={c.field} data-field={c.field} data-ok={String(c.ok)} class={c.ok ? 'ok' : 'warn'}>
            <span aria-hidden="true">{c.ok ? '✓ ' : '✗ '}</span>{t('check_' + c.field)}{lang.value === 'en' ? ': ' : '：'}{c.ok ? t('matches') : t('differs')}{c.of != null ? ' (' + t('countOf', c.count, c.of) + ')' : ''}
          </li>
        ))}
      </ul>
      {findings.length > 0 && <Findings findings={findings} shown={SHOWN} />}
    </section>
  );
}

function Findings({ findings, shown }) {
  return (
    <>
      <ol class="findings" data-testid="findings">
        {findings.slice(0, shown).map((f, i) => (
          <li key={i} data-field={f.field}><Both zh={f.zh} en={f.en} /> <code>{f.field}</code></li>
        ))}
      </ol>
      {findings.length > shown && <p>{t('moreFindings', findings.length - shown)}</p>}
    </>
  );
}

// A resident finds their own ticket from their application id (the link from 我的申请
// brings it along): the ticket is recomputed here, so the id never leaves the browser.
function FindMine({ id, d, check, initial }) {
  const [app, setApp] = useState(initial);
  const [found, setFound] = useState(null);
  const look = async (e, given) => {
    if (e) e.preventDefault();
    const a = (given ?? app).trim();
    if (!a) return;
    const ticket = await ticketOf(id, a);
    const all = check && check.results.length ? check.results : null;
    // A round's member offering: tickets that did not choose it carry not_chosen_tier, after all who did.
    const results = all && d.not_chosen_tier ? all.filter((x) => x.tier < d.not_chosen_tier) : all;
    const hit = results ? results.find((r) => r.ticket === ticket) : (d.tickets || []).includes(ticket) ? { ticket } : null;
    const res = { ticket, hit, n: results ? results.length : (d.tickets || []).length };
    setFound(res);
    announce(hit ? (hit.rank ? t('mineRank', hit.rank, res.n) : t('mineListed')) : t('mineMissing'));
  };
  useEffect(() => { setApp(initial); setFound(null); }, [id, initial]);
  useEffect(() => { if (initial && (d.status !== 'drawn' || check)) look(null, initial); }, [id, initial, check]);
  if (!d.applicants_digest) return null;
  return (
    <section aria-labelledby="mine-h">
      <h2 id="mine-h" class="h3">{t('findMine')}</h2>
      <form onSubmit={look} class="inline">
        <label for="mine-app">{t('applicationId')}</label>{' '}
        <input id="mine-app" value={app} onInput={(e) => setApp(e.currentTarget.value)} autoComplete="off" />{' '}
        <button type="submit">{t('find')}</button>
      </form>
      {found && (
        <div class={'msg ' + (found.hit ? 'msg-ok' : 'msg-error')} role="status" data-testid="mine">
          <p>{t('ticket')}: <code class="sub">{found.ticket}</code></p>
          <p data-testid="mine-result">{found.hit ? (found.hit.rank ? t('mineRank', found.hit.rank, found.n) : t('mineListed')) : t('mineMissing')}</p>
        </div>
      )}
    </section>
  );
}

function ResultsTable({ results }) {
  const ROWS = 200;
  return (
    <section aria-labelledby="results-table-h">
      <h2 id="results-table-h" class="h3">{t('drawResults')}</h2>
      {results.length > ROWS && <p class="hint">{t('firstRows', ROWS, results.length)}</p>}
      <div class="table-wrap" role="region" aria-labelledby="results-table-h" tabIndex={0}>
        <table class="data draw-results">
          <thead><tr><th scope="col">{t('rank')}</th><th scope="col">{t('ticket')}</th><th scope="col">{t('tier')}</th><th scope="col">{t('number')}</th></tr></thead>
          <tbody>
            {results.slice(0, ROWS).map((x) => (
              <tr key={x.ticket} data-ticket={x.ticket}><td>{x.rank}</td><td><code title={x.ticket}>{x.ticket.slice(0, 12)}…</code></td><td>{x.tier}</td><td><code title={x.number}>{x.number.slice(0, 12)}…</code></td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
