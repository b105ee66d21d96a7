// Centre staff: their centre's offerings, create and edit, roster, attendance, downloads.
import { useState, useEffect } from 'preact/hooks';
import { get, api, download } from './api.js';
import { t, KINDS, fmtFee, fmtDateTime, lang } from './i18n.js';
import { useSignal } from './signal.js';
import { PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText, Field, fieldError, go } from './ui.jsx';
import { ClaimsReview } from './claims.jsx';

function today() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

export function StaffHome({ session, centreId }) {
  useSignal(lang);
  const centres = session.centreIds.length ? session.centreIds : [];
  const [cid, setCid] = useState(centreId || centres[0] || '');
  const list = useLoad(() => (cid ? get('/v1/centres/' + encodeURIComponent(cid) + '/offerings?limit=200') : Promise.resolve({ items: [] })), [cid, lang.value]);
  const centre = useLoad(() => (cid ? get('/v1/centres/' + encodeURIComponent(cid), { auth: false }) : Promise.resolve(null)), [cid]);
  return (
    <>
      <PageHeading>{t('staffTitle')}{centre.data ? ' · ' + centre.data.name : ''}</PageHeading>
      {centres.length > 1 && (
        <div class="field">
          <label for="centre-pick">{t('staffCentre')}</label>
          <select id="centre-pick" value={cid} onChange={(e) => setCid(e.currentTarget.value)}>
            {centres.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </div>
      )}
      {centres.length === 0 && (
        <div class="field">
          <label for="centre-id">{t('staffCentre')}</label>
          <input id="centre-id" value={cid} onChange={(e) => setCid(e.currentTarget.value.trim())} placeholder="c-liangxi-04" />
        </div>
      )}
      {list.loading && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('staffTitle')}>
          <table class="data">
            <caption class="sr-only">{t('staffTitle')}</caption>
            <thead><tr><th scope="col">{t('title')}</th><th scope="col">{t('kind')}</th><th scope="col">{t('dates')}</th><th scope="col">{t('status')}</th><th scope="col">{t('capacity')}</th><th scope="col">{t('confirmedN')}</th><th scope="col">{t('waitlist')}</th></tr></thead>
            <tbody>
              {list.data.items.map((o) => (
                <tr key={o.id} data-offering={o.id}>
                  <th scope="row"><a href={'#/staff/offerings/' + encodeURIComponent(o.id)}>{o.title}</a></th>
                  <td>{t('kind_' + o.kind)}</td><td class="nowrap">{o.starts_on} –<br />{o.ends_on}</td><td>{t('st_' + o.status)}</td>
                  <td class="num">{o.capacity}</td><td class="num">{o.confirmed}</td><td class="num">{o.waitlisted}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cid && <NewOffering centreId={cid} onCreated={(o) => go('#/staff/offerings/' + encodeURIComponent(o.id))} />}
    </>
  );
}

function NewOffering({ centreId, onCreated }) {
  const [f, setF] = useState({ kind: 'evening_course', title: '', description: '', starts_on: '', ends_on: '', capacity: '30', text: '', sessions: '', fee: '0', status: 'published' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const upd = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    const sessions = f.sessions.split(/[\s,，]+/).filter(Boolean);
    const body = {
      kind: f.kind, title: f.title.trim(), description: f.description, starts_on: f.starts_on, ends_on: f.ends_on,
      capacity: Number(f.capacity), fee_fen: Math.round(Number(f.fee || 0) * 100), status: f.status,
      schedule: { text: f.text, ...(sessions.length ? { sessions } : {}) },
    };
    try {
      const o = await api('POST', '/v1/centres/' + encodeURIComponent(centreId) + '/offerings', { body });
      announce(t('created'));
      onCreated(o);
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const fe = (k) => fieldError(error, k);
  return (
    <details class="panel">
      <summary><h2 class="inline">{t('newOffering')}</h2></summary>
      <form onSubmit={submit} noValidate class="grid-form">
        <Field id="no-kind" label={t('kind')} hint={t('kindAges', t('kindHint_' + f.kind))} error={fe('kind')}>
          {(a) => <select {...a} value={f.kind} onChange={upd('kind')}>{KINDS.map((k) => <option key={k} value={k}>{t('kind_' + k)}</option>)}</select>}
        </Field>
        <Field id="no-title" label={t('title')} error={fe('title')}>{(a) => <input {...a} required maxLength={100} value={f.title} onInput={upd('title')} />}</Field>
        <Field id="no-desc" label={t('description')} error={fe('description')}>{(a) => <textarea {...a} rows={3} maxLength={2000} value={f.description} onInput={upd('description')} />}</Field>
        <Field id="no-start" label={t('startsOnL')} error={fe('starts_on')}>{(a) => <input {...a} type="date" required value={f.starts_on} onInput={upd('starts_on')} />}</Field>
        <Field id="no-end" label={t('endsOnL')} error={fe('ends_on')}>{(a) => <input {...a} type="date" required value={f.ends_on} onInput={upd('ends_on')} />}</Field>
        <Field id="no-cap" label={t('capacityL')} error={fe('capacity')}>{(a) => <input {...a} type="number" min="1" max="10000" required value={f.capacity} onInput={upd('capacity')} />}</Field>
        <Field id="no-fee" label={t('feeYuan')} error={fe('fee_fen')}>{(a) => <input {...a} type="number" min="0" step="0.01" value={f.fee} onInput={upd('fee')} />}</Field>
        <Field id="no-text" label={t('scheduleText')} error={fe('schedule.text')}>{(a) => <input {...a} maxLength={500} value={f.text} onInput={upd('text')} />}</Field>
        <Field id="no-sessions" label={t('sessions')} error={fe('schedule.sessions') || fe('sessions')}>{(a) => <textarea {...a} rows={4} value={f.sessions} onInput={upd('sessions')} />}</Field>
        <Field id="no-status" label={t('statusL')} error={fe('status')}>
          {(a) => <select {...a} value={f.status} onChange={upd('status')}><option value="published">{t('publishNow')}</option><option value="draft">{t('draft')}</option></select>}
        </Field>
        <button type="submit" class="primary" disabled={busy}>{t('create')}</button>
      </form>
      <ErrorBox error={error} onRetry={() => submit({ preventDefault() {} })} />
    </details>
  );
}

// datetime-local value (Shanghai wall time) <-> RFC 3339 with +08:00
function toLocalInput(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return '';
  const sh = new Date(d.getTime() + 8 * 3600e3);
  return sh.toISOString().slice(0, 16);
}
export const fromLocalInput = (v) => (v ? v + ':00+08:00' : undefined);

export function StaffOffering({ id }) {
  useSignal(lang);
  const roster = useLoad(() => get('/v1/offerings/' + encodeURIComponent(id) + '/roster'), [id, lang.value]);
  const o = roster.data && roster.data.offering;
  return (
    <>
      <p><a href="#/staff" class="back">← {t('staffTitle')}</a></p>
      {roster.loading && !o && <Loading />}
      <ErrorBox error={roster.error} onRetry={roster.reload} />
      {o && (
        <>
          <PageHeading>{o.title}</PageHeading>
          <p class="meta"><span class={'tag tag-' + o.kind}>{t('kind_' + o.kind)}</span> {o.centre.name} · {o.starts_on} – {o.ends_on} · {t('st_' + o.status)} · {fmtFee(o.fee_fen)}</p>
          <EditOffering o={o} onSaved={roster.reload} />
          {o.allocation === 'lottery' && <ClaimsReview o={o} />}
          <Roster o={o} items={roster.data.items} />
          <Attendance o={o} items={roster.data.items} onSaved={roster.reload} />
        </>
      )}
    </>
  );
}

function EditOffering({ o, onSaved }) {
  const init = () => ({ title: o.title, description: o.description, capacity: String(o.capacity), opens: toLocalInput(o.booking_opens_at), closes: toLocalInput(o.booking_closes_at), status: o.status });
  const [f, setF] = useState(init);
  useEffect(() => setF(init()), [o]);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);
  const upd = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null); setOk('');
    const body = {};
    if (f.title !== o.title) body.title = f.title.trim();
    if (f.description !== o.description) body.description = f.description;
    if (Number(f.capacity) !== o.capacity) body.capacity = Number(f.capacity);
    if (f.opens !== toLocalInput(o.booking_opens_at)) body.booking_opens_at = fromLocalInput(f.opens);
    if (f.closes !== toLocalInput(o.booking_closes_at)) body.booking_closes_at = fromLocalInput(f.closes);
    if (f.status !== o.status && (f.status === 'published' || f.status === 'closed')) body.status = f.status;
    try {
      await api('PATCH', '/v1/offerings/' + encodeURIComponent(o.id), { body });
      setOk(t('saved')); announce(t('saved'));
      onSaved();
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const fe = (k) => fieldError(error, k);
  const editable = o.status !== 'cancelled';
  return (
    <details class="panel">
      <summary><h2 class="inline">{t('edit')}</h2></summary>
      <form onSubmit={submit} noValidate class="grid-form">
        <Field id="ed-title" label={t('title')} error={fe('title')}>{(a) => <input {...a} maxLength={100} value={f.title} onInput={upd('title')} />}</Field>
        <Field id="ed-desc" label={t('description')} error={fe('description')}>{(a) => <textarea {...a} rows={3} value={f.description} onInput={upd('description')} />}</Field>
        <Field id="ed-cap" label={t('capacityL')} error={fe('capacity')}>{(a) => <input {...a} type="number" min="1" value={f.capacity} onInput={upd('capacity')} />}</Field>
        <Field id="ed-opens" label={t('opensAt') + '（UTC+8）'} error={fe('booking_opens_at')}>{(a) => <input {...a} type="datetime-local" value={f.opens} onInput={upd('opens')} />}</Field>
        <Field id="ed-closes" label={t('closesAt') + '（UTC+8）'} error={fe('booking_closes_at')}>{(a) => <input {...a} type="datetime-local" value={f.closes} onInput={upd('closes')} />}</Field>
        <Field id="ed-status" label={t('statusL')} error={fe('status')}>
          {(a) => (
            <select {...a} value={f.status} onChange={upd('status')}>
              {o.status === 'draft' && <option value="draft">{t('st_draft')}</option>}
              <option value="published">{t('st_published')}</option>
              <option value="closed">{t('st_closed')}</option>
            </select>
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy || !editable}>{t('save')}</button>
      </form>
      <ErrorBox error={error} onRetry={() => submit({ preventDefault() {} })} />
      <Ok>{ok}</Ok>
    </details>
  );
}

function Roster({ o, items }) {
  const [msg, setMsg] = useState('');
  const [error, setError] = useState(null);
  const dl = async (format) => {
    setError(null); setMsg('');
    try {
      const name = await download('/v1/offerings/' + encodeURIComponent(o.id) + '/roster?format=' + format);
      setMsg(t('downloaded', name)); announce(t('downloaded', name));
    } catch (err) { setError(err); announce(errorText(err)); }
  };
  return (
    <section aria-labelledby="roster-h">
      <h2 id="roster-h">{t('roster')} ({items.length})</h2>
      <p class="actions">
        <button type="button" onClick={() => dl('csv')}>{t('downloadCsv')}</button>{' '}
        <button type="button" onClick={() => dl('xlsx')}>{t('downloadXlsx')}</button>
      </p>
      <ErrorBox error={error} onRetry={() => dl('csv')} />
      <Ok>{msg}</Ok>
      <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="roster-h">
        <table class="data">
          <thead><tr><th scope="col">{t('no')}</th><th scope="col">{t('name')}</th><th scope="col">{t('idLast4')}</th><th scope="col">{t('ageL')}</th><th scope="col">{t('status')}</th><th scope="col">{t('bookedAt')}</th><th scope="col">{t('totals')}</th></tr></thead>
          <tbody>
            {items.map((r, i) => (
              <tr key={r.booking_id}>
                <td class="num">{i + 1}</td><th scope="row">{r.participant.name}{r.verified && <> <span class="badge badge-ok" data-testid="verified"><span aria-hidden="true">✓ </span>{t('verified')}</span></>}</th><td>{r.participant.id_number_last4}</td><td>{r.participant.age}</td>
                <td>{t('bst_' + r.status)}{r.waitlist_position ? ' · ' + t('position', r.waitlist_position) : ''}</td>
                <td>{fmtDateTime(r.booked_at)}</td><td>{r.attendance.present}/{r.attendance.absent}/{r.attendance.excused}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const ATT = ['present', 'absent', 'excused'];

function Attendance({ o, items, onSaved }) {
  const sessions = (o.schedule && o.schedule.sessions) || [];
  const def = () => { const d = today(); const past = sessions.filter((s) => s <= d); return past.length ? past[past.length - 1] : sessions[0] || ''; };
  const [day, setDay] = useState(def);
  const confirmed = items.filter((r) => r.status === 'confirmed');
  const initial = () => Object.fromEntries(confirmed.map((r) => [r.booking_id, (r.attendance.days || {})[day] || 'present']));
  const [marks, setMarks] = useState(initial);
  // Reset the marks when the day or the bookings change, not when a save reloads the roster
  // (a reload must not undo ticks made meanwhile).
  const ids = confirmed.map((r) => r.booking_id).join(',');
  useEffect(() => setMarks(initial()), [day, ids]);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);
  if (!sessions.length) return <section aria-labelledby="att-h"><h2 id="att-h">{t('attendance')}</h2><p>{t('noSessions')}</p></section>;
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null); setOk('');
    try {
      await api('PUT', '/v1/offerings/' + encodeURIComponent(o.id) + '/attendance/' + day, {
        body: { records: confirmed.map((r) => ({ booking_id: r.booking_id, status: marks[r.booking_id] || 'present' })) },
      });
      setOk(t('attendanceSaved', day)); announce(t('attendanceSaved', day));
      onSaved();
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  return (
    <section aria-labelledby="att-h">
      <h2 id="att-h">{t('attendance')}</h2>
      <div class="field">
        <label for="att-day">{t('sessionDay')}</label>
        <select id="att-day" value={day} onChange={(e) => { setDay(e.currentTarget.value); setOk(''); }}>
          {sessions.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      {confirmed.length === 0 ? <p>{t('noBookingsForDay')}</p> : (
        <form onSubmit={submit}>
          <ul class="att-list">
            {confirmed.map((r) => (
              <li key={r.booking_id}>
                <fieldset class="att" data-booking={r.booking_id}>
                  <legend>{r.participant.name} <span class="muted">· {r.participant.id_number_last4}</span></legend>
                  {ATT.map((s) => (
                    <span class="radio inline" key={s}>
                      <input type="radio" id={`att-${r.booking_id}-${s}`} name={'att-' + r.booking_id} value={s} checked={marks[r.booking_id] === s}
                        onChange={() => setMarks({ ...marks, [r.booking_id]: s })} />
                      <label for={`att-${r.booking_id}-${s}`}>{t('att_' + s)}</label>
                    </span>
                  ))}
                </fieldset>
              </li>
            ))}
          </ul>
          <button type="submit" class="primary" disabled={busy}>{t('saveAttendance')}</button>
        </form>
      )}
      <ErrorBox error={error} onRetry={() => submit({ preventDefault() {} })} />
      <Ok>{ok}</Ok>
    </section>
  );
}
