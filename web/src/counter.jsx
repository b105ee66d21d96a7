// The counter (issue 20): centre staff serve a resident at the desk, from a phone number to a
// confirmed booking with its code, printed or shown. Loaded on first use (main.jsx).
import { useState, useRef, useEffect } from 'preact/hooks';
import { get, api, newKey } from './api.js';
import { t, lang, addTexts, fmtDateTime, fmtFee } from './i18n.js';
import { useSignal } from './signal.js';
import { PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText, Field, fieldError } from './ui.jsx';
import { bookingWindow, eligibleFor, needsConsent } from './resident.jsx';
import { applicationWindow } from './lottery.jsx';
import { loadNotice } from './account.jsx';
import { now } from './clock.js';

addTexts({
  counterTitle: '柜台代办', counterIntro: '为到柜台或来电的居民代为报名：先用手机号查找（或新建）账号，居民会收到短信；再选报名人和本机构的项目。',
  cFind: '1. 查找居民', cPhone: '居民手机号', cPhoneHint: '11 位手机号，可带 +86', cName: '居民姓名', cNameHint: '新建账号时用此姓名', cFindBtn: '查找或新建账号',
  cFound: (l4) => `已找到账号：手机尾号 ${l4}`, cCreated: (l4) => `已新建账号：手机尾号 ${l4}`, cSmsSent: '短信已发送，告知居民由柜台代办。', cValidUntil: (at) => `可代办至 ${at}`,
  cAnother: '换一位居民', cParticipants: '2. 报名人', cNoParticipants: '此账号还没有报名人，请先添加。', cAddParticipant: '添加报名人', cConsentAgree: (v) => `监护人在柜台已阅读并同意隐私告知（版本 ${v}）`,
  cOfferings: '3. 本机构可报名的项目', cNoOfferings: '本机构暂无已发布的项目。', cFor: (n) => `为 ${n} 办理`, cPickFirst: '请先选择报名人。',
  cBook: '代为报名', cWaitlist: '代为候补', cApply: '代为申请抽签', cNotOpen: '现在不能报名', cLeft: (a, c) => `余 ${a} / ${c}`,
  cConfirmTitle: '报名确认', cAppliedTitle: '申请确认', cCode: '报名码', cOffering: '项目', cParticipant: '报名人', cFirstSession: '首次上课', cCentrePhone: '机构电话', cStatus: '状态', cResident: '居民', cTail: (n, l4) => `${n} · 手机尾号 ${l4}`, cBookedAt: '办理时间',
  cPrint: '打印确认单', cCodeHint: '请居民记下报名码；登录后在“我的报名”中也能看到。', cBookings: '4. 居民在本机构的报名', cNoBookings: '居民在本机构暂无报名。',
  cCancelOf: (n) => `为居民取消报名：${n}`, cAcceptOf: (n) => `为居民接受名额：${n}`, cCancelled: '已为居民取消报名。', cAccepted: '已为居民接受名额。',
  e_assist_required: '代办授权已失效：请重新用居民的手机号查找账号（居民会收到短信），再代为办理。', e_accounts_external: '本环境的账号由外部身份系统管理，不能在柜台新建账号。',
}, {
  counterTitle: 'Counter', counterIntro: 'Book for a resident at the desk or on the phone: find (or create) their account by phone number first (they are told by SMS), then pick a participant and one of this centre\u2019s offerings.',
  cFind: '1. Find the resident', cPhone: "Resident's mobile number", cPhoneHint: '11 digits, +86 optional', cName: "Resident's name", cNameHint: 'Used when a new account is created', cFindBtn: 'Find or create the account',
  cFound: (l4) => `Account found: phone ending ${l4}`, cCreated: (l4) => `Account created: phone ending ${l4}`, cSmsSent: 'SMS sent: the resident is told the counter acts for them.', cValidUntil: (at) => `You may act for them until ${at}`,
  cAnother: 'Serve another resident', cParticipants: '2. Participants', cNoParticipants: 'This account has no participants yet: add one first.', cAddParticipant: 'Add a participant', cConsentAgree: (v) => `The guardian at the counter has read and agrees to the privacy notice (version ${v})`,
  cOfferings: "3. This centre's offerings", cNoOfferings: 'This centre has no published offerings.', cFor: (n) => `For ${n}`, cPickFirst: 'Choose a participant first.',
  cBook: 'Book for them', cWaitlist: 'Join the waitlist for them', cApply: 'Apply for the draw for them', cNotOpen: 'Not open for booking now', cLeft: (a, c) => `${a} / ${c} left`,
  cConfirmTitle: 'Booking confirmation', cAppliedTitle: 'Application confirmation', cCode: 'Booking code', cOffering: 'Offering', cParticipant: 'Participant', cFirstSession: 'First session', cCentrePhone: 'Centre phone', cStatus: 'Status', cResident: 'Resident', cTail: (n, l4) => `${n} · phone ending ${l4}`, cBookedAt: 'Done at',
  cPrint: 'Print the confirmation', cCodeHint: 'Ask the resident to note the code; it is also in My bookings when they sign in.', cBookings: "4. The resident's bookings at this centre", cNoBookings: 'No bookings at this centre yet.',
  cCancelOf: (n) => `Cancel for the resident: ${n}`, cAcceptOf: (n) => `Accept the place for the resident: ${n}`, cCancelled: 'Cancelled for the resident.', cAccepted: 'Place accepted for the resident.',
  e_assist_required: 'The leave to act has lapsed: find the resident again by phone (they are told by SMS), then act for them.', e_accounts_external: 'Accounts are managed by an external identity provider here: the counter cannot create one.',
});

const enc = encodeURIComponent;

export function Counter({ centreId }) {
  useSignal(lang);
  const base = '/v1/centres/' + enc(centreId);
  const centre = useLoad(() => get(base, { auth: false }), [centreId]);
  const [resident, setResident] = useState(null);
  const [done, setDone] = useState(null); // {booking|application, offering, participant}
  const [lapsed, setLapsed] = useState(false);
  const [bookingsKey, setBookingsKey] = useState(0);
  // A 409 assist_required anywhere: back to step 1, saying why.
  const onError = (err) => { if (err && err.code === 'assist_required') { setLapsed(true); setResident(null); setDone(null); } };
  const c = centre.data;
  return (
    <>
      <PageHeading>{t('counterTitle')}{c ? ' · ' + c.name : ''}</PageHeading>
      <p class="intro no-print">{t('counterIntro')}</p>
      <ErrorBox error={centre.error} onRetry={centre.reload} />
      <FindResident base={base} resident={resident} lapsed={lapsed}
        onFound={(r) => { setResident(r); setDone(null); setLapsed(false); }} onReset={() => { setResident(null); setDone(null); }} />
      {resident && (
        <Serve key={resident.account_id} base={base} centreId={centreId} resident={resident} onError={onError}
          onDone={(d) => { setDone(d); setBookingsKey((n) => n + 1); }} />
      )}
      {resident && done && <Confirmation done={done} centre={c} resident={resident} />}
      {resident && <Bookings key={resident.account_id + ':' + bookingsKey} base={base} resident={resident} onError={onError} />}
    </>
  );
}

function FindResident({ base, resident, lapsed, onFound, onReset }) {
  const [f, setF] = useState({ phone: '', name: '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const upd = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const r = await api('POST', base + '/assisted', { body: { phone: f.phone.trim(), name: f.name.trim() } });
      onFound({ ...r, name: r.name || f.name.trim() });
      announce(t(r.created ? 'cCreated' : 'cFound', r.phone_last4) + ' ' + t('cSmsSent'));
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const fe = (k) => fieldError(error, k);
  if (resident) {
    return (
      <section aria-labelledby="c-find-h" class="panel">
        <h2 id="c-find-h">{t('cFind')}</h2>
        <Ok focusKey={resident}>
          <p class="found" data-testid="found" data-created={resident.created ? 'true' : 'false'}><strong>{resident.name}</strong> · {t(resident.created ? 'cCreated' : 'cFound', resident.phone_last4)}</p>
          <p data-testid="sms-sent">{t('cSmsSent')}</p>
          {resident.valid_until && <p>{t('cValidUntil', fmtDateTime(resident.valid_until))}</p>}
        </Ok>
        <p><button type="button" onClick={() => { setF({ phone: '', name: '' }); onReset(); }}>{t('cAnother')}</button></p>
      </section>
    );
  }
  return (
    <section aria-labelledby="c-find-h" class="panel">
      <h2 id="c-find-h">{t('cFind')}</h2>
      {lapsed && <ErrorBox error={{ code: 'assist_required' }} focusKey={lapsed} />}
      <form onSubmit={submit} noValidate class="grid-form">
        <Field id="c-phone" label={t('cPhone')} hint={t('cPhoneHint')} error={fe('phone')}>
          {(a) => <input {...a} type="tel" inputMode="tel" autoComplete="off" required maxLength={20} value={f.phone} onInput={upd('phone')} />}
        </Field>
        <Field id="c-name" label={t('cName')} hint={t('cNameHint')} error={fe('name')}>
          {(a) => <input {...a} autoComplete="off" required maxLength={40} value={f.name} onInput={upd('name')} />}
        </Field>
        <button type="submit" class="primary" disabled={busy}>{t('cFindBtn')}</button>
      </form>
      <ErrorBox error={error && error.code !== 'validation_failed' ? error : null} focusKey={error} onRetry={() => submit({ preventDefault() {} })} />
      {error && error.code === 'validation_failed' && <div class="msg msg-error" role="alert" data-code={error.code}><p>{errorText(error)}</p></div>}
    </section>
  );
}

// Participants (choose, add) and this centre's published offerings (book, apply, waitlist).
function Serve({ base, centreId, resident, onError, onDone }) {
  const ab = base + '/assisted/' + enc(resident.account_id);
  const parts = useLoad(() => get(ab + '/participants?limit=200').catch((e) => { onError(e); throw e; }), [ab]);
  const offerings = useLoad(() => get('/v1/centres/' + enc(centreId) + '/offerings?limit=200'), [centreId, lang.value]);
  const [pid, setPid] = useState('');
  const list = (parts.data && parts.data.items) || [];
  useEffect(() => { if (!pid && list.length) setPid(list[0].id); }, [list.length]);
  const picked = list.find((p) => p.id === pid);
  // The offerings the chosen participant's age fits come first.
  const fitsPicked = (o) => (picked && eligibleFor(o)(picked) ? 0 : 1);
  const published = ((offerings.data && offerings.data.items) || []).filter((o) => o.status === 'published').sort((x, y) => fitsPicked(x) - fitsPicked(y));
  return (
    <div class="counter-steps">
      <section aria-labelledby="c-parts-h">
        <h2 id="c-parts-h">{t('cParticipants')}</h2>
        {parts.loading && <Loading />}
        <ErrorBox error={parts.error && parts.error.code !== 'assist_required' ? parts.error : null} onRetry={parts.reload} />
        {parts.data && list.length === 0 && <p>{t('cNoParticipants')}</p>}
        {list.length > 0 && (
          <fieldset>
            <legend>{t('bookFor')}</legend>
            {list.map((p) => (
              <div class="radio" key={p.id}>
                <input type="radio" id={'cp-' + p.id} name="c-participant" value={p.id} checked={pid === p.id} onChange={() => setPid(p.id)} />
                <label for={'cp-' + p.id}>{p.name} · {p.birth_date} · {t('idLast4')} {p.id_number_last4}</label>
              </div>
            ))}
          </fieldset>
        )}
        <AddParticipant ab={ab} onError={onError} onAdded={(p) => { setPid(p.id); parts.reload(); }} />
      </section>
      <section aria-labelledby="c-off-h">
        <h2 id="c-off-h">{t('cOfferings')}</h2>
        {offerings.loading && <Loading />}
        <ErrorBox error={offerings.error} onRetry={offerings.reload} />
        {offerings.data && published.length === 0 && <p>{t('cNoOfferings')}</p>}
        {!picked && published.length > 0 && <p class="warn">{t('cPickFirst')}</p>}
        <ul class="offer-list">
          {published.map((o) => <OfferingRow key={o.id} o={o} ab={ab} participant={picked} onError={onError} onDone={(x) => { offerings.reload(); onDone(x); }} />)}
        </ul>
      </section>
    </div>
  );
}

function AddParticipant({ ab, onAdded, onError }) {
  const empty = { name: '', birth_date: '', id_number: '' };
  const [f, setF] = useState(empty);
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const box = useRef(null);
  const consent = needsConsent(f.birth_date);
  const notice = useLoad(() => (consent ? loadNotice() : null), [consent]);
  const version = notice.data && notice.data.version;
  const upd = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const body = { name: f.name.trim(), birth_date: f.birth_date, id_number: f.id_number.trim() };
      if (consent) body.guardian_consent = { notice_version: version || '', agreed };
      const p = await api('POST', ab + '/participants', { body });
      setF(empty); setAgreed(false);
      if (box.current) box.current.open = false;
      announce(t('added'));
      onAdded(p);
    } catch (err) { onError(err); setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const fe = (k) => fieldError(error, k);
  return (
    <details class="panel" ref={box}>
      <summary><h3 class="inline">{t('cAddParticipant')}</h3></summary>
      <form onSubmit={submit} noValidate>
        <Field id="cp-name" label={t('name')} error={fe('name')}>{(a) => <input {...a} required maxLength={50} value={f.name} onInput={upd('name')} />}</Field>
        <Field id="cp-birth" label={t('birthDate')} error={fe('birth_date')}>{(a) => <input {...a} type="date" required value={f.birth_date} onInput={upd('birth_date')} />}</Field>
        <Field id="cp-id" label={t('idNumber')} hint={t('idHint')} error={error && error.code === 'invalid_id_number' ? errorText(error) : fe('id_number')}>
          {(a) => <input {...a} required autoComplete="off" maxLength={18} value={f.id_number} onInput={upd('id_number')} />}
        </Field>
        {consent && version && (
          <div class="field check">
            <input id="cp-consent" type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.currentTarget.checked)} />
            <label for="cp-consent">{t('cConsentAgree', version)}</label>
          </div>
        )}
        <button type="submit" class="primary" disabled={busy}>{t('save')}</button>
      </form>
      <ErrorBox error={error && error.code !== 'assist_required' ? error : null} focusKey={error} />
    </details>
  );
}

function OfferingRow({ o, ab, participant, onError, onDone }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(null);
  const at = now();
  const lottery = o.allocation === 'lottery';
  const applying = lottery && applicationWindow(o, at) === 'open';
  const w = bookingWindow(o, at);
  const bookable = w.state === 'open' && (!lottery || applicationWindow(o, at) === 'drawn');
  const available = o.available ?? Math.max(0, o.capacity - o.confirmed - (o.offered || 0));
  const full = available <= 0;
  const fits = participant ? eligibleFor(o)(participant) : true;
  const act = async () => {
    if (!participant) return;
    if (!key.current) key.current = newKey();
    setBusy(true); setError(null);
    try {
      const path = ab + '/offerings/' + enc(o.id) + (applying ? '/applications' : '/bookings');
      const body = applying ? { participant_id: participant.id } : { participant_id: participant.id, join_waitlist: true };
      const x = await api('POST', path, { body, headers: { 'Idempotency-Key': key.current } });
      key.current = null;
      onDone(applying ? { application: x, offering: o, participant } : { booking: x, offering: o, participant });
    } catch (err) {
      if (err.status && err.status < 500) key.current = null;
      onError(err); setError(err); announce(errorText(err));
    } finally { setBusy(false); }
  };
  const label = applying ? t('cApply') : full && o.waitlist_enabled ? t('cWaitlist') : t('cBook');
  return (
    <li data-offering={o.id}>
      <p><strong>{o.title}</strong></p>
      <p class="meta"><span class={'tag tag-' + o.kind}>{t('kind_' + o.kind)}</span> {o.starts_on} – {o.ends_on} · {fmtFee(o.fee_fen)} · {t('cLeft', available, o.capacity)}{o.waitlisted ? ' · ' + t('waitlist') + ' ' + o.waitlisted : ''}</p>
      {participant && !fits && <p class="warn">{t('notEligibleHint')}</p>}
      <p class="actions">
        {(applying || bookable)
          ? <button type="button" class="primary" disabled={busy || !participant} aria-label={label + (participant ? ' · ' + t('cFor', participant.name) : '') + ' · ' + o.title} onClick={act}>{label}</button>
          : <span class="muted">{t('cNotOpen')}</span>}
      </p>
      <ErrorBox error={error && error.code !== 'assist_required' ? error : null} focusKey={error} />
    </li>
  );
}

function Confirmation({ done, centre, resident }) {
  const o = done.offering, b = done.booking, a = done.application;
  const first = (o.schedule && o.schedule.sessions && o.schedule.sessions[0]) || o.starts_on;
  const status = b ? t('bst_' + b.status) + (b.status === 'waitlisted' && b.waitlist_position ? ' · ' + t('position', b.waitlist_position) : '') : t('ast_' + a.status);
  const ref = useRef(null);
  useEffect(() => { ref.current && ref.current.focus(); }, [done]);
  return (
    <section class="confirmation" aria-labelledby="c-conf-h" data-testid="confirmation" tabIndex={-1} ref={ref}>
      <h2 id="c-conf-h">{b ? t('cConfirmTitle') : t('cAppliedTitle')}</h2>
      {b && b.code && <>
        <p class="muted">{t('cCode')}</p>
        <p class="booking-code" data-testid="confirmation-code">{b.code}</p>
      </>}
      <dl>
        <dt>{t('cOffering')}</dt><dd>{o.title}</dd>
        <dt>{t('cParticipant')}</dt><dd>{done.participant.name}</dd>
        <dt>{t('cResident')}</dt><dd>{t('cTail', resident.name, resident.phone_last4)}</dd>
        <dt>{t('cStatus')}</dt><dd data-status={(b || a).status}>{status}</dd>
        <dt>{t('cFirstSession')}</dt><dd>{first}{o.schedule && o.schedule.text ? ' · ' + o.schedule.text : ''}</dd>
        {centre && <><dt>{t('cCentrePhone')}</dt><dd>{centre.name} · {centre.phone}</dd></>}
        {(b || a).created_at && <><dt>{t('cBookedAt')}</dt><dd>{fmtDateTime((b || a).created_at)}</dd></>}
      </dl>
      {b && <p class="hint">{t('cCodeHint')}</p>}
      <p class="no-print"><button type="button" class="primary" onClick={() => window.print()}>{t('cPrint')}</button></p>
    </section>
  );
}

function Bookings({ base, resident, onError }) {
  const ab = base + '/assisted/' + enc(resident.account_id);
  const list = useLoad(() => get(ab + '/bookings?limit=100').catch((e) => { onError(e); throw e; }), [ab, lang.value]);
  const [msg, setMsg] = useState(null);
  const items = ((list.data && list.data.items) || []).filter((b) => b.status !== 'cancelled' && b.status !== 'expired');
  return (
    <section aria-labelledby="c-bk-h">
      <h2 id="c-bk-h">{t('cBookings')}</h2>
      {list.loading && <Loading />}
      <ErrorBox error={list.error && list.error.code !== 'assist_required' ? list.error : null} onRetry={list.reload} />
      <Ok focusKey={msg}>{msg && msg.text}</Ok>
      {list.data && items.length === 0 && <p>{t('cNoBookings')}</p>}
      <ul class="offer-list">
        {items.map((b) => <BookingRow key={b.id} b={b} ab={ab} onError={onError} onDone={(text) => { setMsg({ text }); announce(text); list.reload(); }} />)}
      </ul>
    </section>
  );
}

function BookingRow({ b, ab, onError, onDone }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const title = (b.offering && b.offering.title) || b.offering_id;
  const act = (what, text) => async () => {
    setBusy(true); setError(null);
    try { await api('POST', ab + '/bookings/' + enc(b.id) + '/' + what); onDone(text); }
    catch (err) { onError(err); setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  return (
    <li data-booking={b.id}>
      <p><strong>{title}</strong> · {b.participant && b.participant.name}</p>
      <p class="meta">{b.code && <>{t('bookingCode')} <strong class="code">{b.code}</strong> · </>}<span class={'bst bst-' + b.status}>{t('bst_' + b.status)}{b.status === 'waitlisted' && b.waitlist_position ? ' · ' + t('position', b.waitlist_position) : ''}</span>
        {b.status === 'offered' && b.offer_expires_at ? ' · ' + t('offerUntil', fmtDateTime(b.offer_expires_at)) : ''}</p>
      {!asking && (
        <p class="actions">
          {b.status === 'offered' && <button type="button" class="primary" disabled={busy} aria-label={t('cAcceptOf', title)} onClick={act('accept', t('cAccepted'))}>{t('accept')}</button>}
          <button type="button" disabled={busy} aria-label={t('cCancelOf', title)} onClick={() => setAsking(true)}>{t('cancel')}</button>
        </p>
      )}
      {asking && (
        <div class="confirm" role="group" aria-label={t('cancelConfirm')}>
          <p>{t('cancelConfirm')}</p>
          <button type="button" class="danger" disabled={busy} onClick={act('cancel', t('cCancelled'))}>{t('cancel')}</button>{' '}
          <button type="button" onClick={() => setAsking(false)}>{t('close')}</button>
        </div>
      )}
      <ErrorBox error={error && error.code !== 'assist_required' ? error : null} focusKey={error} />
    </li>
  );
}
