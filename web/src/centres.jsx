// The centre registry (issue 19): officers list, register, edit, activate, suspend and
// reinstate centres (#/city/centres…), and keep each centre's staff (#/centres/<id>/staff).
// A district officer works in their own district only: the API answers for it alone, and
// the pages fix the district. Centre staff read their own centre's staff list.
import { useState, useEffect, useRef } from 'preact/hooks';
import { get, api } from './api.js';
import { t, lang, addTexts, fmtDateTime, KINDS, DISTRICTS } from './i18n.js';
import { useSignal } from './signal.js';
import { route, go, PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText, Field, fieldError } from './ui.jsx';
import { isAnyOfficer, isDistrictOfficer } from './auth.js';

addTexts({
  centresTitle: '机构登记', centresIntro: '全部机构，含草稿和已暂停的。新登记的机构是草稿：核对后启用，才出现在公开目录中并可发布项目。',
  centresIntroDistrict: (d) => `${d}的全部机构，含草稿和已暂停的。新登记的机构是草稿：核对后启用，才出现在公开目录中并可发布项目。`,
  cst_draft: '草稿', cst_active: '已启用', cst_suspended: '已暂停', centreStatus: '状态',
  newCentre: '登记新机构', newCentreTitle: '登记新机构', centreName: '机构名称', licenceNo: '备案号或学校代码', licenceHint: '托育机构备案号，或学校的学校代码',
  address: '地址', phone: '联系电话', kindsL: '开设类型（可多选）', locationL: '位置（可选）', lat: '纬度', lng: '经度', locationDt: '位置', locationHint: '例如 31.57 和 120.30；两项都留空表示不填位置',
  districtFixed: '区（只能登记本区的机构）', centreCreated: (n) => `已登记“${n}”（草稿）。核对后请启用。`, centreSaved: '机构信息已保存。',
  noCentres: '没有符合条件的机构。', centresShown: (n) => `共显示 ${n} 个机构`, backToCentres: '返回机构列表',
  editCentre: '修改机构信息', activate: '启用机构', activateHint: '启用后，机构出现在公开目录中，可以发布项目。', activated: '机构已启用。',
  reinstate: '恢复启用', reinstateHint: '恢复后，机构的项目重新接受报名。', reinstated: '机构已恢复启用。',
  suspendTitle: '暂停机构', suspendReason: '暂停原因', suspendHint: '暂停后，该机构已发布的项目停止接受新报名和申请；已有的报名保留。原因会记入审计记录。',
  suspend: '暂停机构', suspendAsk: (n) => `确定暂停“${n}”吗？其项目将停止接受新报名，已有报名保留。`, suspendConfirm: '确定暂停', suspended: '机构已暂停。',
  suspendedSince: (d, r) => `自 ${d} 起暂停：${r}`, cancelAction: '取消', noLocation: '未填', createdAt: '登记时间', updatedAt: '最近修改',
  staffListTitle: '机构人员', staffOf: (n) => `机构人员 · ${n}`, staffIntro: '机构人员可以管理本机构的项目、花名册和出勤。按手机号邀请：没有账号的会新建账号；按邮箱只能找到已有账号。受邀人首次登录须先绑定身份验证器。',
  staffReadOnly: '只有市、区教育局可以邀请或移除机构人员。', noStaff: '还没有机构人员。',
  contact: '联系方式', addedAt: '加入时间', addedBy: '邀请人', inviteTitle: '邀请机构人员', inviteBy: '邀请方式', byPhone: '手机号', byEmail: '邮箱',
  phoneL: '手机号', emailL: '邮箱', personName: '姓名', invite: '邀请',
  invitedNew: (n) => `已邀请 ${n}：新建了账号，并加入本机构。`, invitedFound: (n) => `已邀请 ${n}：已有账号，现已加入本机构。`,
  removeStaff: '移除', removeStaffOf: (n) => `移除 ${n}`, removeAsk: (n, c) => `确定把 ${n} 从“${c}”移除吗？对方将不能再管理本机构。`, removeConfirm: '确定移除', staffRemoved: (n) => `已移除 ${n}。`,
  staffLink: '机构人员', offeringsLink: '机构项目',
  e_centre_not_active: '机构尚未启用或已暂停：启用后才能发布项目。',
}, {
  centresTitle: 'Centre registry', centresIntro: 'Every centre, drafts and suspended ones included. A new centre is a draft: check it, then activate it to list it publicly and publish offerings.',
  centresIntroDistrict: (d) => `Every centre in ${d}, drafts and suspended ones included. A new centre is a draft: check it, then activate it to list it publicly and publish offerings.`,
  cst_draft: 'Draft', cst_active: 'Active', cst_suspended: 'Suspended', centreStatus: 'Status',
  newCentre: 'Register a centre', newCentreTitle: 'Register a centre', centreName: 'Centre name', licenceNo: 'Licence number or school id', licenceHint: 'The childcare registration number, or the school\u2019s id',
  address: 'Address', phone: 'Phone', kindsL: 'Kinds offered (one or more)', locationL: 'Location (optional)', lat: 'Latitude', lng: 'Longitude', locationDt: 'Location', locationHint: 'e.g. 31.57 and 120.30; leave both empty for none',
  districtFixed: 'District (your own only)', centreCreated: (n) => `"${n}" is registered as a draft. Check it, then activate it.`, centreSaved: 'The centre is saved.',
  noCentres: 'No centres match.', centresShown: (n) => `Showing ${n} centres`, backToCentres: 'Back to the centres',
  editCentre: 'Edit the centre', activate: 'Activate the centre', activateHint: 'Once active, the centre is listed publicly and may publish offerings.', activated: 'The centre is active.',
  reinstate: 'Reinstate', reinstateHint: 'Reinstated, its offerings take bookings again.', reinstated: 'The centre is reinstated.',
  suspendTitle: 'Suspend the centre', suspendReason: 'Reason', suspendHint: 'Suspended, its published offerings take no new bookings or applications; bookings already made stand. The reason is audited.',
  suspend: 'Suspend the centre', suspendAsk: (n) => `Suspend "${n}"? Its offerings stop taking bookings; bookings already made stand.`, suspendConfirm: 'Suspend', suspended: 'The centre is suspended.',
  suspendedSince: (d, r) => `Suspended since ${d}: ${r}`, cancelAction: 'Cancel', noLocation: 'none', createdAt: 'Registered', updatedAt: 'Last changed',
  staffListTitle: 'Centre staff', staffOf: (n) => `Staff · ${n}`, staffIntro: 'Staff manage the centre\u2019s offerings, rosters and attendance. Invite by mobile number (an account is made when there is none) or by e-mail (existing accounts only). Invited staff enrol an authenticator app at their first sign-in.',
  staffReadOnly: 'Only the city or district bureau invites or removes staff.', noStaff: 'No staff yet.',
  contact: 'Contact', addedAt: 'Added', addedBy: 'Added by', inviteTitle: 'Invite a staff member', inviteBy: 'Invite by', byPhone: 'Phone', byEmail: 'E-mail',
  phoneL: 'Mobile number', emailL: 'E-mail address', personName: 'Name', invite: 'Invite',
  invitedNew: (n) => `${n} is invited: a new account, now staff of this centre.`, invitedFound: (n) => `${n} is invited: an existing account, now staff of this centre.`,
  removeStaff: 'Remove', removeStaffOf: (n) => `Remove ${n}`, removeAsk: (n, c) => `Remove ${n} from "${c}"? They will no longer manage this centre.`, removeConfirm: 'Remove', staffRemoved: (n) => `${n} is removed.`,
  staffLink: 'Staff', offeringsLink: 'Offerings',
  e_centre_not_active: 'The centre is not active (a draft or suspended): activate it before publishing.',
});

const enc = encodeURIComponent;
export const centreHref = (id) => '#/city/centres/' + enc(id);
export const staffHref = (id) => '#/centres/' + enc(id) + '/staff';
const STATUSES = ['draft', 'active', 'suspended'];

export function StatusBadge({ status }) {
  const s = status || 'active';
  return <span class={'badge cst cst-' + s} data-status={s}>{t('cst_' + s)}</span>;
}

// One centre as an officer sees it, drafts included (the public GET /v1/centres/{id} does
// not answer for a draft; another district's centre is 404 to a district officer).
const findCentre = (id) => get('/v1/city/centres/' + enc(id));

// One of the registry's filters: "all" first, then options as [value, text].
function FilterSelect({ id, label, value, onChange, options }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('all')}</option>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </div>
  );
}

// #/city/centres?district=&status=: the registry, filtered, a page at a time.
export function CentreList({ session }) {
  useSignal(lang);
  const r = useSignal(route);
  const own = isDistrictOfficer(session) ? session.district : '';
  const district = own || r.query.get('district') || '';
  const status = r.query.get('status') || '';
  const [f, setF] = useState({ district, status });
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState('');
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState(null);
  const fetchPage = async (after) => {
    setBusy(true); setError(null);
    const q = new URLSearchParams({ limit: '50' });
    if (district) q.set('district', district);
    if (status) q.set('status', status);
    if (after) q.set('cursor', after);
    try {
      const page = await get('/v1/city/centres?' + q);
      const all = after ? [...items, ...page.items] : page.items;
      setItems(all); setCursor(page.next_cursor || '');
      announce(t('centresShown', all.length));
    } catch (e) { setError(e); announce(errorText(e)); } finally { setBusy(false); }
  };
  useEffect(() => { fetchPage(''); }, [district, status, lang.value]);
  const submit = (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (f.district && !own) q.set('district', f.district);
    if (f.status) q.set('status', f.status);
    go('#/city/centres' + (q.toString() ? '?' + q : ''));
  };
  return (
    <>
      <PageHeading>{t('centresTitle')}{own ? ' · ' + t('d_' + own) : ''}</PageHeading>
      <p class="intro">{own ? t('centresIntroDistrict', t('d_' + own)) : t('centresIntro')}</p>
      <p><a class="button-link" href="#/city/centres/new" data-testid="new-centre">+ {t('newCentre')}</a></p>
      <form class="filters" onSubmit={submit} aria-label={t('filters')}>
        {!own && <FilterSelect id="cf-district" label={t('fDistrict')} value={f.district} onChange={(district) => setF({ ...f, district })}
          options={DISTRICTS.map((d) => [d, t('d_' + d)])} />}
        <FilterSelect id="cf-status" label={t('centreStatus')} value={f.status} onChange={(status) => setF({ ...f, status })}
          options={STATUSES.map((st) => [st, t('cst_' + st)])} />
        <button type="submit" class="primary">{t('search')}</button>
      </form>
      <ErrorBox error={error} onRetry={() => fetchPage('')} />
      {!busy && !error && items.length === 0 && <p class="empty">{t('noCentres')}</p>}
      {items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('centresTitle')}>
          <table class="data" id="table-centres">
            <caption>{t('centresShown', items.length)}</caption>
            <thead><tr><th scope="col">{t('centreName')}</th><th scope="col">{t('district')}</th><th scope="col">{t('centreStatus')}</th><th scope="col">{t('kind')}</th><th scope="col">{t('licenceNo')}</th></tr></thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-centre={c.id} data-status={c.status || 'active'}>
                  <th scope="row"><a href={centreHref(c.id)}>{c.name}</a></th>
                  <td>{t('d_' + c.district)}</td>
                  <td><StatusBadge status={c.status} /></td>
                  <td>{(c.kinds || []).map((k) => t('kind_' + k)).join('、')}</td>
                  <td>{c.licence_no || ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {busy && <Loading />}
      {cursor && !busy && <button type="button" class="more" onClick={() => fetchPage(cursor)}>{t('loadMore')}</button>}
    </>
  );
}

const blank = (district) => ({ name: '', district: district || '', licence_no: '', address: '', phone: '', kinds: [], lat: '', lng: '' });
const fromCentre = (c) => ({
  name: c.name || '', district: c.district || '', licence_no: c.licence_no || '', address: c.address || '', phone: c.phone || '', kinds: c.kinds || [],
  lat: c.location ? String(c.location.lat) : '', lng: c.location ? String(c.location.lng) : '',
});
// Both coordinates, or none (null clears a centre's location when editing).
function locationOf(f) {
  if (f.lat.trim() === '' && f.lng.trim() === '') return null;
  return { lat: Number(f.lat), lng: Number(f.lng) };
}

// The centre's fields, for registering one (district chosen, or fixed for a district officer)
// or editing one (the district cannot change).
function CentreFields({ f, setF, error, prefix, districtFixed, editing }) {
  const fe = (k) => fieldError(error, k);
  const upd = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const toggle = (k) => (e) => setF({ ...f, kinds: e.currentTarget.checked ? [...f.kinds, k] : f.kinds.filter((x) => x !== k) });
  const id = (k) => prefix + '-' + k;
  return (
    <>
      <Field id={id('name')} label={t('centreName')} error={fe('name')}>{(a) => <input {...a} name="name" required maxLength={100} value={f.name} onInput={upd('name')} />}</Field>
      {!editing && (
        <Field id={id('district')} label={districtFixed ? t('districtFixed') : t('district')} error={fe('district')}>
          {(a) => (
            <select {...a} name="district" required value={f.district} disabled={districtFixed} onChange={upd('district')}>
              {!districtFixed && <option value="">—</option>}
              {DISTRICTS.map((d) => <option key={d} value={d}>{t('d_' + d)}</option>)}
            </select>
          )}
        </Field>
      )}
      <Field id={id('licence')} label={t('licenceNo')} hint={t('licenceHint')} error={fe('licence_no')}>{(a) => <input {...a} name="licence_no" required maxLength={64} value={f.licence_no} onInput={upd('licence_no')} autocapitalize="characters" spellcheck={false} />}</Field>
      <Field id={id('address')} label={t('address')} error={fe('address')}>{(a) => <input {...a} name="address" required maxLength={200} value={f.address} onInput={upd('address')} autocomplete="off" />}</Field>
      <Field id={id('phone')} label={t('phone')} error={fe('phone')}>{(a) => <input {...a} name="phone" type="tel" required maxLength={32} value={f.phone} onInput={upd('phone')} autocomplete="off" />}</Field>
      <fieldset class={fe('kinds') ? 'has-error' : ''} aria-describedby={fe('kinds') ? id('kinds-err') : undefined}>
        <legend>{t('kindsL')}</legend>
        {KINDS.map((k) => (
          <div class="field check" key={k}>
            <input type="checkbox" id={id('kind-' + k)} name="kinds" value={k} checked={f.kinds.includes(k)} onChange={toggle(k)} />
            <label for={id('kind-' + k)}>{t('kind_' + k)}</label>
          </div>
        ))}
        {fe('kinds') && <p class="field-error" id={id('kinds-err')}>{fe('kinds')}</p>}
      </fieldset>
      <fieldset class={fe('location') ? 'has-error' : ''}>
        <legend>{t('locationL')}</legend>
        <p class="hint" id={id('loc-hint')}>{t('locationHint')}</p>
        <Field id={id('lat')} label={t('lat')} error={fe('location.lat')}>{(a) => <input {...a} name="lat" inputMode="decimal" value={f.lat} onInput={upd('lat')} />}</Field>
        <Field id={id('lng')} label={t('lng')} error={fe('location.lng')}>{(a) => <input {...a} name="lng" inputMode="decimal" value={f.lng} onInput={upd('lng')} />}</Field>
        {fe('location') && !fe('location.lat') && !fe('location.lng') && <p class="field-error">{fe('location')}</p>}
      </fieldset>
    </>
  );
}

// #/city/centres/new
export function CentreNew({ session }) {
  useSignal(lang);
  const own = isDistrictOfficer(session) ? session.district : '';
  const [f, setF] = useState(() => blank(own));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [tries, setTries] = useState(0);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    const loc = locationOf(f);
    const body = { name: f.name.trim(), district: own || f.district, licence_no: f.licence_no.trim(), address: f.address.trim(), phone: f.phone.trim(), kinds: f.kinds, ...(loc ? { location: loc } : {}) };
    try {
      const c = await api('POST', '/v1/centres', { body });
      const msg = t('centreCreated', c.name);
      announce(msg);
      go(centreHref(c.id) + '?created=1');
    } catch (err) { setError(err); setTries((n) => n + 1); announce(errorText(err)); } finally { setBusy(false); }
  };
  return (
    <>
      <p><a href="#/city/centres" class="back">← {t('backToCentres')}</a></p>
      <PageHeading>{t('newCentreTitle')}</PageHeading>
      <form onSubmit={submit} noValidate class="panel" data-testid="centre-new">
        <CentreFields f={f} setF={setF} error={error} prefix="cn" districtFixed={!!own} />
        <button type="submit" class="primary" disabled={busy}>{t('newCentre')}</button>
      </form>
      <ErrorBox error={error} focusKey={tries} onRetry={() => submit({ preventDefault() {} })} />
    </>
  );
}

// #/city/centres/<id>: the centre, its status and what may be done with it.
export function CentreDetail({ id, session }) {
  useSignal(lang);
  const r = useSignal(route);
  const c = useLoad(() => findCentre(id), [id]);
  const [ok, setOk] = useState(r.query.get('created') ? 'created' : '');
  const centre = c.data;
  const done = (key) => { setOk(key); c.reload(); };
  return (
    <>
      <p><a href="#/city/centres" class="back">← {t('backToCentres')}</a></p>
      {c.loading && !centre && <Loading />}
      <ErrorBox error={c.error} onRetry={c.reload} />
      {centre && (
        <>
          <PageHeading>{centre.name}</PageHeading>
          <p class="meta" data-testid="centre-status"><StatusBadge status={centre.status} /> {t('d_' + centre.district)} · <code>{centre.id}</code></p>
          {ok && <Ok focusKey={ok}>{ok === 'created' ? t('centreCreated', centre.name) : t(ok)}</Ok>}
          {centre.status === 'suspended' && <p class="msg msg-warn">{t('suspendedSince', fmtDateTime(centre.suspended_at), centre.suspended_reason || '')}</p>}
          <dl class="facts wide">
            <div><dt>{t('licenceNo')}</dt><dd>{centre.licence_no}</dd></div>
            <div><dt>{t('phone')}</dt><dd>{centre.phone}</dd></div>
            <div class="span"><dt>{t('address')}</dt><dd>{centre.address}</dd></div>
            <div><dt>{t('kind')}</dt><dd>{(centre.kinds || []).map((k) => t('kind_' + k)).join('、')}</dd></div>
            <div><dt>{t('locationDt')}</dt><dd>{centre.location ? `${centre.location.lat}, ${centre.location.lng}` : t('noLocation')}</dd></div>
            {centre.created_at && <div><dt>{t('createdAt')}</dt><dd>{fmtDateTime(centre.created_at)}</dd></div>}
            {centre.updated_at && <div><dt>{t('updatedAt')}</dt><dd>{fmtDateTime(centre.updated_at)}</dd></div>}
          </dl>
          <p class="actions">
            <a class="button-link" href={staffHref(centre.id)}>{t('staffLink')} →</a>
            <a class="button-link" href={'#/staff?centre=' + enc(centre.id)}>{t('offeringsLink')} →</a>
          </p>
          {centre.status !== 'active' && <StatusChange centre={centre} onDone={done} />}
          <EditCentre key={centre.updated_at || centre.id} centre={centre} onDone={done} />
          {centre.status === 'active' && <Suspend centre={centre} onDone={done} />}
        </>
      )}
    </>
  );
}

// Activate a draft, or reinstate a suspended centre: PATCH {status: "active"}.
function StatusChange({ centre, onDone }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const draft = centre.status === 'draft';
  const run = async () => {
    setBusy(true); setError(null);
    try {
      await api('PATCH', '/v1/centres/' + enc(centre.id), { body: { status: 'active' } });
      const key = draft ? 'activated' : 'reinstated';
      announce(t(key)); onDone(key);
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  return (
    <section class="panel" aria-labelledby="cs-h">
      <h2 id="cs-h">{draft ? t('activate') : t('reinstate')}</h2>
      <p class="hint">{draft ? t('activateHint') : t('reinstateHint')}</p>
      <button type="button" class="primary" disabled={busy} onClick={run}>{draft ? t('activate') : t('reinstate')}</button>
      <ErrorBox error={error} onRetry={run} />
    </section>
  );
}

function EditCentre({ centre, onDone }) {
  const [f, setF] = useState(() => fromCentre(centre));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [tries, setTries] = useState(0);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    // Only what changed; location null clears it.
    const was = fromCentre(centre), body = {};
    for (const k of ['name', 'licence_no', 'address', 'phone']) if (f[k].trim() !== was[k]) body[k] = f[k].trim();
    if (f.kinds.slice().sort().join() !== was.kinds.slice().sort().join()) body.kinds = f.kinds;
    if (f.lat !== was.lat || f.lng !== was.lng) body.location = locationOf(f);
    try {
      await api('PATCH', '/v1/centres/' + enc(centre.id), { body });
      announce(t('centreSaved')); onDone('centreSaved');
    } catch (err) { setError(err); setTries((n) => n + 1); announce(errorText(err)); } finally { setBusy(false); }
  };
  return (
    <details class="panel" open={!!error}>
      <summary><h2 class="inline">{t('editCentre')}</h2></summary>
      <form onSubmit={submit} noValidate data-testid="centre-edit">
        <CentreFields f={f} setF={setF} error={error} prefix="ce" editing />
        <button type="submit" class="primary" disabled={busy}>{t('save')}</button>
      </form>
      <ErrorBox error={error} focusKey={tries} onRetry={() => submit({ preventDefault() {} })} />
    </details>
  );
}

// Suspend with a reason, asked once more before it is done.
function Suspend({ centre, onDone }) {
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const confirmBtn = useRef(null), start = useRef(null);
  useEffect(() => { if (asking && confirmBtn.current) confirmBtn.current.focus(); }, [asking]);
  const ask = (e) => { e.preventDefault(); setError(null); setAsking(true); };
  const back = () => { setAsking(false); setTimeout(() => start.current && start.current.focus(), 0); };
  const run = async () => {
    setBusy(true); setError(null);
    try {
      await api('POST', '/v1/centres/' + enc(centre.id) + '/suspend', { body: { reason: reason.trim() } });
      announce(t('suspended')); onDone('suspended');
    } catch (err) { setError(err); setAsking(false); announce(errorText(err)); } finally { setBusy(false); }
  };
  return (
    <section class="panel danger-zone" aria-labelledby="su-h">
      <h2 id="su-h">{t('suspendTitle')}</h2>
      <p class="hint">{t('suspendHint')}</p>
      <form onSubmit={ask} noValidate data-testid="centre-suspend">
        <Field id="su-reason" label={t('suspendReason')} error={fieldError(error, 'reason')}>{(a) => <textarea {...a} name="reason" rows={2} maxLength={500} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}</Field>
        {!asking && <button type="submit" class="danger" ref={start}>{t('suspend')}</button>}
      </form>
      {asking && (
        <div class="confirm stern" role="group" aria-labelledby="su-q">
          <p id="su-q">{t('suspendAsk', centre.name)}</p>
          <button type="button" class="danger" ref={confirmBtn} disabled={busy} onClick={run}>{t('suspendConfirm')}</button>{' '}
          <button type="button" onClick={back}>{t('cancelAction')}</button>
        </div>
      )}
      <ErrorBox error={error} onRetry={run} />
    </section>
  );
}

// #/centres/<id>/staff: officers invite and remove; the centre's own staff read it.
export function CentreStaff({ id, session }) {
  useSignal(lang);
  const manage = isAnyOfficer(session);
  const list = useLoad(() => get('/v1/centres/' + enc(id) + '/staff'), [id, lang.value]);
  // The centre's name: officers from the registry (drafts too), staff from the catalogue.
  const centre = useLoad(() => (manage ? findCentre(id) : get('/v1/centres/' + enc(id), { auth: false })).catch(() => null), [id]);
  const name = (centre.data && centre.data.name) || id;
  const [ok, setOk] = useState('');
  const changed = (msg) => { setOk(msg); announce(msg); list.reload(); };
  return (
    <>
      {manage && <p><a href={centreHref(id)} class="back">← {name}</a></p>}
      <PageHeading>{t('staffOf', name)}</PageHeading>
      <p class="intro">{t('staffIntro')}</p>
      {!manage && <p class="hint" data-testid="staff-read-only">{t('staffReadOnly')}</p>}
      {list.loading && !list.data && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      <Ok focusKey={ok}>{ok}</Ok>
      {list.data && (list.data.items.length === 0 ? <p class="empty">{t('noStaff')}</p> : (
        <ul class="people" id="staff-list">
          {list.data.items.map((s) => <StaffRow key={s.user_id} s={s} centreId={id} centreName={name} manage={manage} onRemoved={() => changed(t('staffRemoved', s.name))} />)}
        </ul>
      ))}
      {manage && <Invite centreId={id} onInvited={(p) => changed(p.created ? t('invitedNew', p.name) : t('invitedFound', p.name))} />}
    </>
  );
}

function StaffRow({ s, centreId, centreName, manage, onRemoved }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const yes = useRef(null), again = useRef(null);
  useEffect(() => { if (asking && yes.current) yes.current.focus(); }, [asking]);
  // Gone from the list at once; the list is read again behind it.
  const [gone, setGone] = useState(false);
  const remove = async () => {
    setBusy(true); setError(null);
    try { await api('DELETE', '/v1/centres/' + enc(centreId) + '/staff/' + enc(s.user_id)); setGone(true); onRemoved(); }
    catch (err) { setError(err); announce(errorText(err)); setBusy(false); }
  };
  if (gone) return null;
  const contact = [s.phone_masked, s.email_masked].filter(Boolean).join(' · ');
  return (
    <li class="person" data-user={s.user_id}>
      <p class="who"><strong>{s.name}</strong> {contact && <span class="muted">{t('contact')}：{contact}</span>}</p>
      <p class="muted">{t('addedAt')} {fmtDateTime(s.added_at)}{s.added_by ? ' · ' + t('addedBy') + ' ' + s.added_by : ''}</p>
      {manage && !asking && <p class="actions"><button type="button" ref={again} aria-label={t('removeStaffOf', s.name)} onClick={() => setAsking(true)}>{t('removeStaff')}</button></p>}
      {manage && asking && (
        <div class="confirm stern" role="group" aria-labelledby={'rm-' + s.user_id}>
          <p id={'rm-' + s.user_id}>{t('removeAsk', s.name, centreName)}</p>
          <button type="button" class="danger" ref={yes} disabled={busy} onClick={remove}>{t('removeConfirm')}</button>{' '}
          <button type="button" onClick={() => { setAsking(false); setTimeout(() => again.current && again.current.focus(), 0); }}>{t('cancelAction')}</button>
        </div>
      )}
      <ErrorBox error={error} onRetry={remove} />
    </li>
  );
}

function Invite({ centreId, onInvited }) {
  const [by, setBy] = useState('phone');
  const [contact, setContact] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [tries, setTries] = useState(0);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const p = await api('POST', '/v1/centres/' + enc(centreId) + '/staff', { body: { [by]: contact.trim(), name: name.trim() } });
      setContact(''); setName('');
      onInvited({ ...p, name: p.name || name.trim() });
    } catch (err) { setError(err); setTries((n) => n + 1); announce(errorText(err)); } finally { setBusy(false); }
  };
  const fe = (k) => fieldError(error, k);
  return (
    <section class="panel" aria-labelledby="inv-h">
      <h2 id="inv-h">{t('inviteTitle')}</h2>
      <form onSubmit={submit} noValidate data-testid="staff-invite">
        <fieldset>
          <legend>{t('inviteBy')}</legend>
          <div class="radio inline"><input type="radio" id="inv-by-phone" name="by" value="phone" checked={by === 'phone'} onChange={() => setBy('phone')} /><label for="inv-by-phone">{t('byPhone')}</label></div>
          <div class="radio inline"><input type="radio" id="inv-by-email" name="by" value="email" checked={by === 'email'} onChange={() => setBy('email')} /><label for="inv-by-email">{t('byEmail')}</label></div>
        </fieldset>
        <Field id="inv-contact" label={by === 'phone' ? t('phoneL') : t('emailL')} error={fe(by)}>
          {(a) => <input {...a} name={by} type={by === 'phone' ? 'tel' : 'email'} autocomplete="off" required value={contact} onInput={(e) => setContact(e.currentTarget.value)} />}
        </Field>
        <Field id="inv-name" label={t('personName')} error={fe('name')}>{(a) => <input {...a} name="name" required maxLength={50} value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="off" />}</Field>
        <button type="submit" class="primary" disabled={busy}>{t('invite')}</button>
      </form>
      <ErrorBox error={error} focusKey={tries} onRetry={() => submit({ preventDefault() {} })} />
    </section>
  );
}
