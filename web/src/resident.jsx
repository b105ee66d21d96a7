// Resident pages, phone first: browse, offering detail and booking, participants, my bookings.
import { useState, useRef, useEffect } from 'preact/hooks';
import { get, api, newKey } from './api.js';
import { useAdmission, QueueNote } from './queue.jsx';
import { t, KINDS, DISTRICTS, fmtFee, fmtDateTime, fmtDay, lang } from './i18n.js';
import { useSignal } from './signal.js';
import { PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText, Field, fieldError, go, returning } from './ui.jsx';
import { isResident } from './auth.js';
import { useNow, now } from './clock.js';
import { loadNotice } from './account.jsx';
import { useCalendarDownload } from './messages.jsx';
import { LotteryFacts, ApplyPanel, applicationWindow, lotteryEdges, allPages } from './lottery.jsx';

const FILTER_KEY = 'enrol.filters';
function loadFilters() {
  try { return { kind: '', district: '', age: '', available: true, ...JSON.parse(sessionStorage.getItem(FILTER_KEY) || '{}') }; }
  catch { return { kind: '', district: '', age: '', available: true }; }
}

// The list as last shown (its query, the offerings of every page loaded, the next cursor),
// so that Back from an offering shows the same list at the same place.
const LIST_KEY = 'enrol.list';
function shownList(q) {
  try { const c = JSON.parse(sessionStorage.getItem(LIST_KEY) || 'null'); return c && c.q === q ? c : null; } catch { return null; }
}
function keepList(q, items, cursor) {
  try { sessionStorage.setItem(LIST_KEY, JSON.stringify({ q, items, cursor })); } catch { /* full or private: Back shows page one */ }
}

// Where an offering's booking stands at instant now (ms): open, soon (opens later), ended
// (closed after booking_closes_at), or the offering's own status when not published. The
// server decides by the same rule (shared/domain Decide).
export function bookingWindow(o, now) {
  if (o.status !== 'published') return { state: o.status };
  if (now < Date.parse(o.booking_opens_at)) return { state: 'soon', at: o.booking_opens_at };
  if (now >= Date.parse(o.booking_closes_at)) return { state: 'ended' };
  return { state: 'open' };
}
const windowEdges = (o) => [Date.parse(o.booking_opens_at), Date.parse(o.booking_closes_at)];
function windowText(w) {
  if (w.state === 'open') return t('st_published');
  if (w.state === 'soon') return t('bw_soon', fmtDateTime(w.at));
  if (w.state === 'ended') return t('bw_ended');
  return t('st_' + w.state);
}

function offeringsQuery(f, cursor) {
  const q = new URLSearchParams({ limit: '20' });
  if (f.kind) q.set('kind', f.kind);
  if (f.district) q.set('district', f.district);
  if (f.age !== '' && f.age != null) q.set('age_months', String(f.age));
  if (f.available) q.set('available', 'true');
  if (cursor) q.set('cursor', cursor);
  return '/v1/offerings?' + q;
}

export function Browse() {
  useSignal(lang);
  const [draft, setDraft] = useState(loadFilters);
  const [filters, setFilters] = useState(draft);
  // Coming back (Back, Forward, reload): the list as it was, refreshed quietly below.
  const [shown] = useState(() => (returning() ? shownList(offeringsQuery(draft)) : null));
  const [items, setItems] = useState(shown ? shown.items : []);
  const [cursor, setCursor] = useState(shown ? shown.cursor : null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(true);
  // "Load more" goes away while it loads: the focus moves on to the first offering it added.
  const more = useRef(-1);
  useEffect(() => {
    keepList(offeringsQuery(filters), items, cursor);
    if (more.current >= 0 && items.length > more.current) {
      const a = document.querySelectorAll('main ul.cards > li.card h3 a')[more.current];
      more.current = -1;
      if (a) a.focus();
    }
  }, [items, cursor]);

  const fetchPage = async (f, c) => {
    setBusy(true); setError(null);
    try {
      const page = await get(offeringsQuery(f, c), { auth: false });
      const next = c ? [...items, ...page.items] : page.items;
      setItems(next);
      setCursor(page.next_cursor || null);
      announce(next.length ? t('results', next.length) : t('noResults'));
    } catch (e) {
      more.current = -1;
      setError(e); announce(errorText(e));
    } finally { setBusy(false); }
  };
  // The same pages again, for today's places left, shown when all are in.
  const refresh = async (f, n) => {
    let all = [], c = null;
    try {
      do {
        const page = await get(offeringsQuery(f, c), { auth: false });
        all = all.concat(page.items);
        c = page.next_cursor || null;
      } while (c && all.length < n);
      setItems(all); setCursor(c);
    } catch { /* keep what is shown */ }
  };
  useEffect(() => {
    if (first.current && shown) refresh(filters, shown.items.length);
    else fetchPage(filters, null);
    first.current = false;
  }, [filters]);

  const submit = (e) => {
    e.preventDefault();
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(draft));
    setFilters({ ...draft });
  };
  const upd = (k) => (e) => setDraft({ ...draft, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });

  return (
    <>
      <PageHeading>{t('browseTitle')}</PageHeading>
      <p class="intro">{t('browseIntro')}</p>
      <p class="rounds-link"><a href="#/rounds">{t('roundsLink')}</a></p>
      <form class="filters" onSubmit={submit} aria-label={t('filters')}>
        <div class="field kind">
          <label for="f-kind">{t('fKind')}</label>
          <select id="f-kind" value={draft.kind} onChange={upd('kind')}>
            <option value="">{t('all')}</option>
            {KINDS.map((k) => <option key={k} value={k}>{t('kind_' + k)}（{t('kindHint_' + k)}）</option>)}
          </select>
        </div>
        <div class="field">
          <label for="f-district">{t('fDistrict')}</label>
          <select id="f-district" value={draft.district} onChange={upd('district')}>
            <option value="">{t('all')}</option>
            {DISTRICTS.map((d) => <option key={d} value={d}>{t('d_' + d)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="f-age">{t('fAge')}</label>
          <input id="f-age" type="number" inputMode="numeric" min="0" max="1200" value={draft.age} onInput={upd('age')} aria-describedby="f-age-hint" />
          <p class="hint" id="f-age-hint">{t('fAgeHint')}</p>
        </div>
        <div class="field check">
          <input id="f-available" type="checkbox" checked={draft.available} onChange={upd('available')} />
          <label for="f-available">{t('fAvailable')}</label>
        </div>
        <button type="submit" class="primary">{t('search')}</button>
      </form>
      <ErrorBox error={error} onRetry={() => fetchPage(filters, null)} />
      <section aria-labelledby="results-h">
        <h2 id="results-h">{items.length ? t('results', items.length) : busy ? t('loading') : t('noResults')}</h2>
        <ul class="cards" aria-busy={busy ? 'true' : 'false'}>
          {items.map((o) => <OfferingCard key={o.id} o={o} />)}
        </ul>
        {busy && <Loading />}
        {cursor && !busy && <button type="button" class="more" onClick={() => { more.current = items.length; fetchPage(filters, cursor); }}>{t('loadMore')}</button>}
      </section>
    </>
  );
}

function OfferingCard({ o }) {
  const w = bookingWindow(o, useNow(windowEdges(o)));
  return (
    <li class="card" data-offering={o.id}>
      <h3><a href={'#/offerings/' + encodeURIComponent(o.id)}>{o.title}</a></h3>
      <p class="meta"><span class={'tag tag-' + o.kind}>{t('kind_' + o.kind)}</span> {o.centre.name} · {t('d_' + o.centre.district)}</p>
      <dl class="facts">
        <div><dt>{t('dates')}</dt><dd>{o.starts_on} – {o.ends_on}</dd></div>
        <div><dt>{t('fee')}</dt><dd>{fmtFee(o.fee_fen)}</dd></div>
        <div><dt>{t('placesLeft')}</dt><dd class={o.available ? 'ok' : 'warn'}>{o.available} / {o.capacity}</dd></div>
        <div><dt>{t('waitlist')}</dt><dd>{t('people', o.waitlisted)}</dd></div>
        <div class="span"><dt>{t('bookingState')}</dt><dd class={'bw bw-' + w.state} data-testid="booking-state">{windowText(w)}</dd></div>
      </dl>
    </li>
  );
}

export function monthsOn(birth, on) {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  let n = (y - by) * 12 + (m - bm);
  if (d < bd) n--;
  return n;
}

export function OfferingDetail({ id, session, onSignIn }) {
  useSignal(lang);
  const { data: o, error, loading, reload } = useLoad(() => get('/v1/offerings/' + encodeURIComponent(id), { auth: false }), [id, lang.value]);
  const lottery = !!o && o.allocation === 'lottery';
  const now = useNow(o ? windowEdges(o).concat(lottery ? lotteryEdges(o) : []) : []);
  const w = o ? bookingWindow(o, now) : null;
  // A lottery offering is applied for until its draw; what is left after is booked first come.
  const bookable = !lottery || applicationWindow(o, now) === 'drawn';
  return (
    <>
      <p><a href="#/" class="back">← {t('back')}</a></p>
      {loading && !o && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {o && (
        <article>
          <PageHeading>{o.title}</PageHeading>
          <p class="meta"><span class={'tag tag-' + o.kind}>{t('kind_' + o.kind)}</span> {o.centre.name} · {t('d_' + o.centre.district)}</p>
          {o.description && <p class="desc">{o.description}</p>}
          <dl class="facts wide">
            <div><dt>{t('dates')}</dt><dd>{o.starts_on} – {o.ends_on}</dd></div>
            <div><dt>{t('schedule')}</dt><dd>{o.schedule.text}</dd></div>
            <div><dt>{t('ages')}</dt><dd>{t('ageRange', o.min_age_months, o.max_age_months)}</dd></div>
            <div><dt>{t('fee')}</dt><dd>{fmtFee(o.fee_fen)}</dd></div>
            <div><dt>{t('placesLeft')}</dt><dd data-testid="available">{o.available} / {o.capacity}</dd></div>
            <div><dt>{t('waitlist')}</dt><dd data-testid="waitlisted">{t('people', o.waitlisted)}</dd></div>
            <div><dt>{t('bookingWindow')}</dt><dd>{fmtDateTime(o.booking_opens_at)} – {fmtDateTime(o.booking_closes_at)}</dd></div>
            <div><dt>{t('term')}</dt><dd>{o.term}</dd></div>
            <div><dt>{t('perTerm')}</dt><dd>{o.max_per_participant_per_term || t('unlimited')}</dd></div>
            <div><dt>{t('status')}</dt><dd class={'bw bw-' + w.state} data-testid="booking-state">{windowText(w)}</dd></div>
            {lottery && <LotteryFacts o={o} />}
          </dl>
          {lottery && <ApplyPanel o={o} session={session} onSignIn={onSignIn} />}
          {bookable && <BookPanel o={o} w={w} session={session} onSignIn={onSignIn} onBooked={reload} />}
        </article>
      )}
    </>
  );
}

function BookPanel({ o, w, session, onSignIn, onBooked }) {
  const preselect = new URLSearchParams(location.hash.split('?')[1] || '').get('p');
  const [pid, setPid] = useState(preselect || '');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(null);
  const queue = useAdmission();
  const resident = isResident(session);
  const parts = useLoad(() => (resident ? get('/v1/me/participants?limit=200') : Promise.resolve({ items: [] })), [resident, session && session.sub]);

  const list = (parts.data && parts.data.items) || [];
  const eligible = eligibleFor(o);
  useEffect(() => {
    if (!pid && list.length) { const e = list.find(eligible) || list[0]; setPid(e.id); }
  }, [list.length]);

  // Booking not open now: when it opens, or that it has closed; 报名 stays disabled till then.
  const when = w.state === 'open' ? null : w.state === 'soon' ? t('bookOpensAt', fmtDateTime(w.at)) : t('bookEnded');
  const whenNote = when && <p class="warn" id="book-when">{when}</p>;
  if (!session) {
    return (
      <section class="book" aria-labelledby="book-h">
        <h2 id="book-h">{t('bookTitle')}</h2>
        {whenNote}
        {(w.state === 'open' || w.state === 'soon') && <button type="button" class="primary big" onClick={onSignIn}>{t('signInToBook')}</button>}
      </section>
    );
  }
  if (!resident) return null;
  const full = o.available <= 0;
  const submit = async (e) => {
    e.preventDefault();
    if (!pid || w.state !== 'open') return;
    if (!key.current) key.current = newKey();
    // Every try of this submit, queued or not, sends this one key.
    const k = key.current;
    setBusy(true); setError(null); setResult(null);
    try {
      const b = await queue.run(() => api('POST', '/v1/offerings/' + encodeURIComponent(o.id) + '/bookings', {
        body: { participant_id: pid, join_waitlist: true }, headers: { 'Idempotency-Key': k },
      }));
      key.current = null;
      setResult(b);
      announce(b.status === 'confirmed' ? t('booked') : t('waitlisted', b.waitlist_position));
      onBooked();
    } catch (err) {
      if (err.status && err.status < 500 && err.code !== 'too_many_requests') key.current = null;
      setError(err); announce(errorText(err));
    } finally { setBusy(false); }
  };
  const ret = encodeURIComponent('#/offerings/' + o.id);
  return (
    <section class="book" aria-labelledby="book-h">
      <h2 id="book-h">{t('bookTitle')}</h2>
      {parts.loading && <Loading />}
      <ErrorBox error={parts.error} onRetry={parts.reload} />
      {!parts.loading && list.length === 0 && <p>{t('noParticipants')}</p>}
      {list.length > 0 && (
        <form onSubmit={submit}>
          <ParticipantChoice list={list} pid={pid} legend={t('bookFor')} eligible={eligible} onPick={(id) => { setPid(id); key.current = null; }} />
          {full && w.state === 'open' && <p class="warn">{t('full')}</p>}
          {whenNote}
          <button type="submit" class="primary big" disabled={busy || !pid || w.state !== 'open'} aria-describedby={when ? 'book-when' : undefined}>{full && o.waitlist_enabled ? t('joinWaitlist') : t('book')}</button>
        </form>
      )}
      <p><a href={'#/me/participants?return=' + ret}>{t('addParticipant')}</a></p>
      {!list.length && whenNote}
      <QueueNote wait={queue.wait} onGiveUp={queue.giveUp} />
      <ErrorBox error={error} focusKey={error} onRetry={() => submit({ preventDefault() {} })} />
      {result && (
        <Ok focusKey={result}>
          <p data-status={result.status}>{result.status === 'confirmed' ? t('booked') : t('waitlisted', result.waitlist_position)}</p>
          <p><a href="#/me/bookings">{t('viewBookings')}</a></p>
        </Ok>
      )}
    </section>
  );
}

// Whether a participant's age on the offering's first day fits it.
export const eligibleFor = (o) => (p) => { const m = monthsOn(p.birth_date, o.starts_on); return m >= o.min_age_months && m <= o.max_age_months; };

// Whom to book or apply for: one radio button a participant, the age noted when it does not fit.
export function ParticipantChoice({ list, pid, legend, eligible, onPick }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {list.map((p) => (
        <div class="radio" key={p.id}>
          <input type="radio" id={'p-' + p.id} name="participant" value={p.id} checked={pid === p.id} onChange={() => onPick(p.id)} />
          <label for={'p-' + p.id}>{p.name} · {p.birth_date} · {t('idLast4')} {p.id_number_last4}{eligible(p) ? '' : t('notEligibleHint')}</label>
        </div>
      ))}
    </fieldset>
  );
}

// Under 14 on the day of registering (in Wuxi), by the device's clock: the guardian's
// consent is needed. The server decides by the same rule (domain.NeedsConsent) and says
// consent_required when it sees otherwise, which shows the step too.
export function needsConsent(birth, t = now()) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birth || '')) return false;
  const today = new Date(t).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  return birth <= today && monthsOn(birth, today) < 14 * 12;
}

const EMPTY = { name: '', birth_date: '', id_number: '' };

export function Participants() {
  useSignal(lang);
  const ret = new URLSearchParams(location.hash.split('?')[1] || '').get('return');
  const list = useLoad(() => get('/v1/me/participants?limit=200'), []);
  const [form, setForm] = useState(EMPTY);
  const [agreed, setAgreed] = useState(false);
  // The notice version the server asked for (consent_required), when it differs from ours.
  const [asked, setAsked] = useState(null);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState('');
  const [changed, setChanged] = useState(null);
  const [busy, setBusy] = useState(false);
  const consent = needsConsent(form.birth_date) || !!asked;
  const notice = useLoad(() => (consent ? loadNotice() : null), [consent]);
  const version = (asked && asked.version) || (notice.data && notice.data.version) || '';
  const upd = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null); setOk('');
    if (consent && (!agreed || !version)) {
      const err = { code: 'consent_required' };
      setError(err); announce(errorText(err));
      return;
    }
    setBusy(true);
    try {
      const body = { name: form.name.trim(), birth_date: form.birth_date, id_number: form.id_number.trim() };
      if (consent) body.guardian_consent = { notice_version: version, agreed: true };
      const p = await api('POST', '/v1/me/participants', { body });
      setOk(t('added')); announce(t('added'));
      setForm(EMPTY); setAgreed(false); setAsked(null);
      if (ret && ret.startsWith('#/')) { go(ret + (ret.includes('?') ? '&' : '?') + 'p=' + encodeURIComponent(p.id)); return; }
      list.reload();
    } catch (err) {
      // Consent to another version (the notice changed meanwhile), or the server counts the
      // child as under 14 when the device does not: the step shows, unticked, for that version.
      if (err.code === 'consent_required') {
        const v = err.problem && err.problem.notice_version;
        setAsked({ version: v || version, changed: !!v && v !== version });
        setAgreed(false);
      }
      setError(err); announce(errorText(err));
    } finally { setBusy(false); }
  };
  const done = (msg) => { setChanged({ msg }); announce(msg); list.reload(); };
  const idErr = error && error.code === 'invalid_id_number' ? errorText(error) : fieldError(error, 'id_number');
  const consentErr = error && error.code === 'consent_required'
    ? (asked && asked.changed ? t('consentNewVersion', asked.version) : errorText(error)) : null;
  const inline = error && ['invalid_id_number', 'validation_failed', 'consent_required'].includes(error.code);
  return (
    <>
      <PageHeading>{t('participants')}</PageHeading>
      {list.loading && !list.data && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {/* The item may leave the list: the focus goes to this message. */}
      <Ok focusKey={changed}>{changed && changed.msg}</Ok>
      {list.data && (
        <ul class="people">
          {list.data.items.map((p) => <ParticipantItem key={p.id} p={p} onDone={done} />)}
        </ul>
      )}
      <section aria-labelledby="add-h">
        <h2 id="add-h">{t('addParticipant')}</h2>
        <form onSubmit={submit} noValidate>
          <Field id="pt-name" label={t('name')} error={fieldError(error, 'name')}>
            {(a) => <input {...a} autoComplete="name" required maxLength={50} value={form.name} onInput={upd('name')} />}
          </Field>
          <Field id="pt-birth" label={t('birthDate')} error={fieldError(error, 'birth_date')}>
            {(a) => <input {...a} type="date" required value={form.birth_date} onInput={upd('birth_date')} />}
          </Field>
          <Field id="pt-id" label={t('idNumber')} hint={t('idHint')} error={idErr}>
            {(a) => <input {...a} required inputMode="text" autoComplete="off" maxLength={18} pattern="[0-9]{17}[0-9Xx]" value={form.id_number} onInput={upd('id_number')} />}
          </Field>
          {consent && (
            <fieldset class={'consent' + (consentErr ? ' has-error' : '')} data-testid="consent">
              <legend>{t('consentTitle')}</legend>
              <p class="hint" id="consent-summary">{t('consentSummary')}</p>
              <p><a href="#/privacy" target="_blank" rel="noopener">{t('consentRead')}</a></p>
              <ErrorBox error={notice.error} onRetry={notice.reload} />
              {version && (
                <div class="field check">
                  <input id="pt-consent" type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.currentTarget.checked)}
                    aria-describedby={'consent-summary' + (consentErr ? ' pt-consent-err' : '')} aria-invalid={consentErr ? 'true' : undefined} />
                  <label for="pt-consent">{t('consentAgree', version)}</label>
                </div>
              )}
              {consentErr && <p class="field-error" id="pt-consent-err" role="alert" data-code="consent_required">{consentErr}</p>}
            </fieldset>
          )}
          <button type="submit" class="primary" disabled={busy}>{t('save')}</button>
        </form>
        <ErrorBox error={error && !inline ? error : null} onRetry={() => submit({ preventDefault() {} })} />
        {error && (error.code === 'invalid_id_number' || error.code === 'validation_failed') && (
          <div class="msg msg-error" role="alert" data-code={error.code}><p>{errorText(error)}</p></div>
        )}
        <Ok>{ok}</Ok>
      </section>
    </>
  );
}

// One participant: verified or not, the guardian's consent, and deleting them or
// withdrawing the consent, each after a question.
function ParticipantItem({ p, onDone }) {
  const [asking, setAsking] = useState(null); // 'delete' | 'withdraw'
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // The button pressed goes away: the focus moves to the question's answer, and back.
  const ask = useRef(null), asked = useRef(null), buttons = { delete: useRef(null), withdraw: useRef(null) };
  useEffect(() => {
    if (asking) { asked.current = asking; ask.current && ask.current.focus(); }
    else if (asked.current) { const b = buttons[asked.current].current; asked.current = null; b && b.focus(); }
  }, [asking]);
  const act = async () => {
    const what = asking;
    setBusy(true); setError(null);
    try {
      await api('DELETE', '/v1/me/participants/' + encodeURIComponent(p.id) + (what === 'withdraw' ? '/consent' : ''));
      onDone(t(what === 'withdraw' ? 'consentWithdrawn' : 'participantDeleted'));
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  return (
    <li class="person" data-participant={p.id}>
      <p class="who"><strong>{p.name}</strong>
        {p.verified && <span class="badge badge-ok" data-testid="verified" title={t('verifiedTitle')}><span aria-hidden="true">✓ </span>{p.verified_at ? t('verifiedOn', fmtDay(p.verified_at)) : t('verified')}</span>}
      </p>
      <p class="meta">{p.birth_date} · {t('idLast4')} {p.id_number_last4}</p>
      {p.consent && <p class="meta" data-testid="consent-given">{t('consentGiven', p.consent.notice_version, fmtDay(p.consent.agreed_at))}</p>}
      {!asking && (
        <p class="actions">
          <button type="button" ref={buttons.delete} aria-label={t('deleteParticipantOf', p.name)} onClick={() => { setError(null); setAsking('delete'); }}>{t('deleteParticipant')}</button>
          {p.consent && <button type="button" ref={buttons.withdraw} aria-label={t('withdrawConsentOf', p.name)} onClick={() => { setError(null); setAsking('withdraw'); }}>{t('withdrawConsent')}</button>}
        </p>
      )}
      {asking && (
        <div class={'confirm' + (asking === 'withdraw' ? ' stern' : '')} role="group" aria-labelledby={'q-' + p.id}>
          <p id={'q-' + p.id}>{asking === 'withdraw' ? t('withdrawConfirm', p.name) : t('deleteParticipantConfirm', p.name)}</p>
          <button type="button" class="danger" ref={ask} disabled={busy} onClick={act}>{asking === 'withdraw' ? t('withdrawConfirmBtn') : t('deleteConfirmBtn')}</button>{' '}
          <button type="button" onClick={() => setAsking(null)}>{t('close')}</button>
        </div>
      )}
      <ErrorBox error={error} focusKey={error} onRetry={act} />
      {error && error.code === 'has_active_bookings' && <p><a href="#/me/bookings">{t('goCancelBookings')}</a></p>}
    </li>
  );
}

export function MyBookings() {
  useSignal(lang);
  const [showCancelled, setShowCancelled] = useState(false);
  const list = useLoad(() => allPages('/v1/me/bookings'), [lang.value]);
  const [msg, setMsg] = useState(null);
  // The booking a link pointed at (from 我的申请): shown whatever its status, and scrolled to.
  const pointed = new URLSearchParams(location.hash.split('?')[1] || '').get('booking');
  const items = (list.data || []).filter((b) => showCancelled || b.status !== 'cancelled' || b.id === pointed);
  useEffect(() => {
    const el = pointed && list.data && document.querySelector(`li[data-booking="${CSS.escape(pointed)}"]`);
    if (el) el.scrollIntoView({ block: 'center' });
  }, [list.data, pointed]);
  return (
    <>
      <PageHeading>{t('myBookings')}</PageHeading>
      <div class="field check">
        <input id="show-cancelled" type="checkbox" checked={showCancelled} onChange={(e) => setShowCancelled(e.currentTarget.checked)} />
        <label for="show-cancelled">{t('showCancelled')}</label>
      </div>
      {list.loading && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {/* The card may leave the list once cancelled: the focus goes to this message. */}
      <Ok focusKey={msg}>{msg && (msg.text || t('cancelled'))}</Ok>
      {list.data && items.length === 0 && <p>{t('noBookings')}</p>}
      <ul class="cards">
        {items.map((b) => <BookingCard key={b.id} b={b} pointed={b.id === pointed} onCancelled={() => { setMsg({}); announce(t('cancelled')); list.reload(); }}
          onAccepted={() => { setMsg({ text: t('accepted') }); announce(t('accepted')); list.reload(); }} />)}
      </ul>
    </>
  );
}

function BookingCard({ b, pointed, onCancelled, onAccepted }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // The button pressed goes away: the focus moves to the question's answer, and back.
  const ask = useRef(null), again = useRef(null), asked = useRef(false);
  // This booking's sessions as a calendar file (one event per session).
  const cal = useCalendarDownload('/v1/me/calendar.ics?booking_id=' + encodeURIComponent(b.id));
  useEffect(() => {
    if (confirming) { asked.current = true; ask.current && ask.current.focus(); }
    else if (asked.current && again.current) again.current.focus();
  }, [confirming]);
  const act = (what, done) => async () => {
    setBusy(true); setError(null);
    try {
      await api('POST', '/v1/me/bookings/' + encodeURIComponent(b.id) + '/' + what);
      done();
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const cancel = act('cancel', onCancelled);
  const accept = act('accept', onAccepted);
  const offered = b.status === 'offered';
  const ended = b.status === 'cancelled' || b.status === 'expired';
  return (
    <li class={'card' + (pointed ? ' pointed' : '')} data-booking={b.id} data-offering={b.offering_id}>
      <h2 class="h3"><a href={'#/offerings/' + encodeURIComponent(b.offering_id)}>{b.offering.title}</a></h2>
      <p class="meta"><span class={'tag tag-' + b.offering.kind}>{t('kind_' + b.offering.kind)}</span> {b.offering.centre.name}</p>
      {b.by === 'staff' && <p class="by-staff" data-testid="by-staff" title={t('byStaffTitle')}><span class="badge badge-counter">{t('byStaff')}</span></p>}
      <dl class="facts">
        <div><dt>{t('bookFor')}</dt><dd>{b.participant.name}</dd></div>
        {b.code && <div><dt>{t('bookingCode')}</dt><dd class="code" data-testid="booking-code">{b.code}</dd></div>}
        <div><dt>{t('startsOn')}</dt><dd>{b.offering.starts_on}</dd></div>
        {b.round_id && b.preference > 0 && <div><dt>{t('roundL')}</dt><dd data-testid="booking-preference"><a href={'#/rounds/' + encodeURIComponent(b.round_id)}>{t('prefN', b.preference)}</a></dd></div>}
        {b.group && <div><dt>{t('siblingsL')}</dt><dd data-testid="booking-group">{t('groupTogether')}</dd></div>}
        <div><dt>{t('status')}</dt><dd class={'bst bst-' + b.status} data-testid="booking-status">{t('bst_' + b.status)}{b.status === 'waitlisted' && b.waitlist_position ? ' · ' + t('position', b.waitlist_position) : ''}</dd></div>
      </dl>
      {b.cancelled_by === 'centre' && b.cancel_reason && <p class="warn">{t('cancelledByCentre')}{b.cancel_reason}</p>}
      {offered && b.offer_expires_at && <p class="deadline" data-testid="offer-deadline"><strong>{t('offerUntil', fmtDateTime(b.offer_expires_at))}</strong></p>}
      {!confirming && !ended && (
        <p class="actions">
          {offered && <button type="button" class="primary" disabled={busy} aria-label={t('acceptOf', b.offering.title)} onClick={accept}>{t('accept')}</button>}
          {b.status === 'confirmed' && <button type="button" aria-label={t('addToCalendarOf', b.offering.title)} disabled={cal.busy} onClick={cal.run}>{t('addToCalendar')}</button>}
          <button type="button" ref={again} aria-label={offered ? t('declineOf', b.offering.title) : undefined} onClick={() => setConfirming(true)}>{offered ? t('decline') : t('cancel')}</button>
        </p>
      )}
      {confirming && !ended && (
        <div class="confirm" role="group" aria-label={offered ? t('declineAsk') : t('cancelConfirm')}>
          <p>{offered ? t('declineAsk') : t('cancelConfirm')}</p>
          <button type="button" class="danger" ref={ask} disabled={busy} onClick={cancel}>{offered ? t('decline') : t('cancel')}</button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>{t('close')}</button>
        </div>
      )}
      <ErrorBox error={error} focusKey={error} onRetry={cancel} />
      <ErrorBox error={cal.error} focusKey={cal.error} onRetry={cal.run} />
      <Ok>{cal.saved && t('downloaded', cal.saved)}</Ok>
    </li>
  );
}
