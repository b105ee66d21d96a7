// Claimed priority tiers checked by people (issue 14): centre staff confirm or reject each
// claim on the offering's page before the close; staff and city officers look up why any
// application got its rank.
import { useState, useEffect } from 'preact/hooks';
import { get, api } from './api.js';
import { t, lang, fmtDateTime } from './i18n.js';
import { useSignal } from './signal.js';
import { route, PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText, go } from './ui.jsx';
import { useNow } from './clock.js';
import { allPages } from './lottery.jsx';
import { usePolicy, tierOf, TierName, ClaimStatus, ApplicationExtras, Explanation } from './explain.jsx';
import './i18n-rounds.js';

const enc = encodeURIComponent;
export const explainHref = (offeringId, applicationId) => '#/city/explain?offering=' + enc(offeringId) + '&application=' + enc(applicationId);

// 优先级核验: the offering's applications with claims, pending first (or all), each claim
// confirmed or rejected with a note; the answer replaces the application in place.
export function ClaimsReview({ o }) {
  useSignal(lang);
  const [filter, setFilter] = useState('pending');
  const list = useLoad(() => allPages('/v1/offerings/' + enc(o.id) + '/applications?claims=' + filter), [o.id, filter]);
  const policy = usePolicy(o.kind);
  const [updated, setUpdated] = useState({});
  const [said, setSaid] = useState(null);
  useEffect(() => setUpdated({}), [list.data]);
  const closed = useNow([Date.parse(o.applications_close_at)]) >= Date.parse(o.applications_close_at);
  const items = (list.data || []).map((a) => updated[a.id] || a).filter((a) => (a.claims || []).length > 0);
  const decided = (a, text) => { setUpdated((u) => ({ ...u, [a.id]: a })); setSaid({ text }); announce(text); };
  return (
    <section aria-labelledby="claims-h" class="panel" data-testid="claims-review">
      <h2 id="claims-h">{t('claimsReview')}</h2>
      <p class="hint">{closed ? t('claimsClosed') : t('claimsReviewIntro', fmtDateTime(o.applications_close_at))}</p>
      <div role="group" aria-label={t('claimsFilter')} class="actions tabs">
        {['pending', 'all'].map((f) => (
          <button type="button" key={f} aria-pressed={filter === f ? 'true' : 'false'} class={filter === f ? 'primary' : ''} onClick={() => setFilter(f)} data-filter={f}>{t('claimsShow_' + f)}</button>
        ))}
      </div>
      {list.loading && <Loading />}
      <ErrorBox error={list.error || policy.error} onRetry={() => { list.reload(); policy.reload(); }} />
      <Ok focusKey={said}>{said && said.text}</Ok>
      {list.data && items.length === 0 && <p data-testid="no-claims">{filter === 'pending' ? t('noPendingClaims') : t('noClaims')}</p>}
      <ul class="cards">
        {items.map((a) => (
          <li key={a.id} class="card" data-application={a.id}>
            <h3 class="h4">{a.participant && a.participant.name}{(a.siblings || []).length > 0 && <span class="muted"> · {t('withSiblings', a.siblings.map((s) => s.name).join('、'))}</span>}</h3>
            <p class="meta">{t('appliedAt')} {fmtDateTime(a.created_at)} · {t('applicationId')} <code>{a.id}</code>{a.preference ? ' · ' + t('prefN', a.preference) : ''}</p>
            <ul class="claim-rows plain">
              {a.claims.filter((c) => !c.offering_id || c.offering_id === o.id).map((c) => (
                <ClaimRow key={c.code} o={o} a={a} c={c} policy={policy.data} closed={closed} onDecided={decided} />
              ))}
            </ul>
            {a.status !== 'applied' && a.status !== 'withdrawn' && <p class="actions"><a href={explainHref(o.id, a.id)}>{t('seeExplanation')}</a></p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ClaimRow({ o, a, c, policy, closed, onDecided }) {
  const [note, setNote] = useState('');
  const [noteErr, setNoteErr] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const x = tierOf(policy, c.code);
  const id = 'cl-' + a.id + '-' + c.code;
  const who = a.participant ? a.participant.name : a.id;
  const tname = x ? (lang.value === 'en' ? x.en : x.zh) : c.code;
  const decide = async (decision) => {
    setError(null); setNoteErr('');
    if (decision === 'rejected' && !note.trim()) {
      setNoteErr(t('noteRequired'));
      announce(t('noteRequired'));
      document.getElementById(id + '-note')?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = { code: c.code, decision, note: note.trim() };
      const got = await api('POST', '/v1/offerings/' + enc(o.id) + '/applications/' + enc(a.id) + '/claims', { body });
      setNote('');
      onDecided(got, t(decision === 'confirmed' ? 'claimConfirmedOf' : 'claimRejectedOf', who, tname));
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const open = !closed && a.status === 'applied';
  return (
    <li class="claim-row" data-code={c.code}>
      <p><strong><TierName policy={policy} code={c.code} /></strong>{t('colon')}<ClaimStatus c={c} /></p>
      {x && x.evidence && <p class="hint" id={id + '-ev'}>{t('claimEvidence')}{t('colon')}{x.evidence}</p>}
      {c.status !== 'pending' && (
        <p class="meta" data-testid="decided">{c.note ? t('noteL') + t('colon') + c.note : ''}{c.decided_at ? (c.note ? ' · ' : '') + fmtDateTime(c.decided_at) : ''}</p>
      )}
      {open && (
        <div class="claim-decide" role="group" aria-label={t('decideOf', who, tname)}>
          <div class={'field' + (noteErr ? ' has-error' : '')}>
            <label for={id + '-note'}>{t('noteLabel')}</label>
            <textarea id={id + '-note'} rows={2} maxLength={200} value={note} onInput={(e) => { setNote(e.currentTarget.value); setNoteErr(''); }}
              aria-describedby={(x && x.evidence ? id + '-ev' : '') + (noteErr ? ' ' + id + '-err' : '') || undefined} aria-invalid={noteErr ? 'true' : undefined} />
            {noteErr && <p class="field-error" id={id + '-err'}>{noteErr}</p>}
          </div>
          <p class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => decide('confirmed')} aria-label={t('confirmClaimOf', who, tname)}>{c.status === 'confirmed' ? t('confirmAgain') : t('confirmClaim')}</button>{' '}
            <button type="button" class="danger" disabled={busy} onClick={() => decide('rejected')} aria-label={t('rejectClaimOf', who, tname)}>{t('rejectClaim')}</button>
          </p>
        </div>
      )}
      <ErrorBox error={error} focusKey={error} onRetry={() => {}} />
    </li>
  );
}

// The two ids an officer (or staff) looks an application up by.
export function ExplainForm({ offering = '', application = '' }) {
  const [f, setF] = useState({ offering, application });
  const submit = (e) => {
    e.preventDefault();
    if (!f.offering.trim() || !f.application.trim()) return;
    go(explainHref(f.offering.trim(), f.application.trim()));
  };
  return (
    <form onSubmit={submit} class="explain-form" aria-label={t('explainLookup')}>
      <div class="field">
        <label for="ex-app">{t('applicationIdBoth')}</label>
        <input id="ex-app" value={f.application} required autoComplete="off" onInput={(e) => setF({ ...f, application: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for="ex-off">{t('offeringIdBoth')}</label>
        <input id="ex-off" value={f.offering} required autoComplete="off" aria-describedby="ex-off-hint" onInput={(e) => setF({ ...f, offering: e.currentTarget.value })} />
        <p class="hint" id="ex-off-hint">{t('offeringIdHint')}</p>
      </div>
      <button type="submit" class="primary">{t('explainShow')}</button>
    </form>
  );
}

// 申请排名说明: any application as staff and officers see it, with its explanation.
export function ExplainLookup() {
  useSignal(lang);
  const q = route.value.query;
  const offering = q.get('offering') || '', application = q.get('application') || '';
  const app = useLoad(() => (offering && application ? get('/v1/offerings/' + enc(offering) + '/applications/' + enc(application)) : null), [offering, application, lang.value]);
  const a = app.data;
  const policy = usePolicy(a && a.offering && a.offering.kind);
  return (
    <>
      <p><a href="#/city" class="back">← {t('cityTitle')}</a></p>
      <PageHeading>{t('explainLookup')}</PageHeading>
      <ExplainForm offering={offering} application={application} />
      {app.loading && offering && <Loading />}
      <ErrorBox error={app.error} onRetry={app.reload} />
      {a && (
        <article class="card" data-application={a.id} data-testid="explained-application">
          <h2 class="h3">{a.participant && a.participant.name}</h2>
          <dl class="facts">
            <div><dt>{t('status')}</dt><dd class={'ast ast-' + a.status} data-testid="application-status">{t('ast_' + a.status)}</dd></div>
            <div><dt>{t('appliedAt')}</dt><dd>{fmtDateTime(a.created_at)}</dd></div>
            {a.round_id && <div><dt>{t('roundL')}</dt><dd><a href={'#/rounds/' + enc(a.round_id)}><code class="sub">{a.round_id}</code></a></dd></div>}
          </dl>
          <ApplicationExtras a={a} policy={policy.data} />
          {a.explanation ? <Explanation a={a} id="ex-lookup" /> : <p class="muted" data-testid="no-explanation">{t('notDrawnYet')}</p>}
        </article>
      )}
    </>
  );
}
