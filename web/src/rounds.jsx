// Allocation rounds (issue 14): the rounds open to residents, a round's offerings and
// window, and applying once per child with up to max_choices offerings in order of
// preference, siblings and claimed priority tiers.
import { useState, useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { get } from './api.js';
import { t, tIn, lang, KINDS, fmtDateTime } from './i18n.js';
import { useSignal } from './signal.js';
import { PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText } from './ui.jsx';
import { isResident } from './auth.js';
import { useNow } from './clock.js';
import { applicationWindow, lotteryEdges, allPages, ApplicationCard, SignInToApply, unitBody, sendApplication } from './lottery.jsx';
import { Both, usePolicy, SiblingsField, ClaimsField, fieldErrorOf } from './explain.jsx';
import './i18n-rounds.js';
import { useAdmission, QueueNote } from './queue.jsx';

const enc = encodeURIComponent;
export const roundHref = (id) => '#/rounds/' + enc(id);
const RoundTitle = ({ r }) => <Both zh={r.title_zh} en={r.title_en} />;
export const roundTitle = (r) => (lang.value === 'en' ? r.title_en || r.title_zh : r.title_zh || r.title_en);

// Where applying to round r stands at instant now (ms), as for a lottery offering; a round
// the server says is drawn is drawn whatever the device's clock says.
const roundWindow = (r, now) => (r.status === 'drawn' ? 'drawn' : applicationWindow(r, now));

function windowNote(r, w) {
  return w === 'soon' ? t('applyOpensAt', fmtDateTime(r.applications_open_at))
    : w === 'closed' ? t('applyClosed', fmtDateTime(r.draw_at)) : w === 'drawn' ? t('roundDrawn') : null;
}

// 申请轮次: every round (of a kind), newest first as the API gives them.
export function RoundsList() {
  useSignal(lang);
  const [kind, setKind] = useState('');
  const list = useLoad(() => get('/v1/rounds' + (kind ? '?kind=' + enc(kind) : ''), { auth: false }), [kind]);
  const items = (list.data && list.data.items) || [];
  return (
    <>
      <p><a href="#/" class="back">← {t('back')}</a></p>
      <PageHeading>{t('roundsTitle')}</PageHeading>
      <p class="intro">{t('roundsIntro')}</p>
      <div class="field">
        <label for="r-kind">{t('fKind')}</label>
        <select id="r-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          <option value="">{t('all')}</option>
          {KINDS.map((k) => <option key={k} value={k}>{t('kind_' + k)}</option>)}
        </select>
      </div>
      {list.loading && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data && items.length === 0 && <p>{t('noRounds')}</p>}
      <ul class="cards">
        {items.map((r) => <RoundCard key={r.id} r={r} />)}
      </ul>
    </>
  );
}

function RoundCard({ r }) {
  const w = roundWindow(r, useNow(lotteryEdges(r)));
  return (
    <li class="card" data-round={r.id}>
      <h2 class="h3"><a href={roundHref(r.id)}>{roundTitle(r)}</a></h2>
      <p class="meta"><span class={'tag tag-' + r.kind}>{t('kind_' + r.kind)}</span> {t('term')} {r.term}</p>
      <dl class="facts">
        <div><dt>{t('offerings')}</dt><dd>{(r.offering_ids || r.offerings || []).length}</dd></div>
        <div><dt>{t('maxChoicesL')}</dt><dd>{r.max_choices}</dd></div>
        <div class="span"><dt>{t('applyWindow')}</dt><dd>{fmtDateTime(r.applications_open_at)} – {fmtDateTime(r.applications_close_at)}</dd></div>
        <div class="span"><dt>{t('status')}</dt><dd data-testid="round-window">{windowNote(r, w) || t('roundOpenNow')}</dd></div>
      </dl>
    </li>
  );
}

// A round's page: its offerings, its window and draw, applying, and the account's
// applications to it.
export function RoundPage({ id, session, onSignIn }) {
  useSignal(lang);
  const round = useLoad(() => get('/v1/rounds/' + enc(id), { auth: false }), [id]);
  const r = round.data;
  return (
    <>
      <p><a href="#/rounds" class="back">← {t('roundsTitle')}</a></p>
      {round.loading && !r && <Loading />}
      <ErrorBox error={round.error} onRetry={round.reload} />
      {r && <RoundBody r={r} session={session} onSignIn={onSignIn} />}
    </>
  );
}

function RoundBody({ r, session, onSignIn }) {
  const members = r.offerings || (r.offering_ids || []).map((x) => ({ id: x, title: x, centre: {}, capacity: 0 }));
  return (
    <article data-round={r.id}>
      <PageHeading><RoundTitle r={r} /></PageHeading>
      <p class="meta"><span class={'tag tag-' + r.kind}>{t('kind_' + r.kind)}</span> {t('term')} {r.term}</p>
      <p class="intro">{t('roundHow', r.max_choices)}</p>
      <dl class="facts wide">
        <div><dt>{t('applyWindow')}</dt><dd data-testid="apply-window">{fmtDateTime(r.applications_open_at)} – {fmtDateTime(r.applications_close_at)}</dd></div>
        <div><dt>{t('drawAt')}</dt><dd data-testid="draw-at">{fmtDateTime(r.draw_at)} · <a href={'#/rounds/' + enc(r.id) + '/draw'}>{t('drawLink')}</a></dd></div>
        <div><dt>{t('maxChoicesL')}</dt><dd>{r.max_choices}</dd></div>
        <div><dt>{t('lotteryL')}</dt><dd>{t('roundLottery')}</dd></div>
      </dl>
      <section aria-labelledby="members-h">
        <h2 id="members-h">{t('roundOfferings')}</h2>
        <div class="table-wrap" role="region" aria-labelledby="members-h" tabIndex={0}>
          <table class="data" data-testid="members">
            <thead><tr><th scope="col">{t('title')}</th><th scope="col">{t('centre')}</th><th scope="col">{t('capacity')}</th><th scope="col">{t('drawLink')}</th></tr></thead>
            <tbody>
              {members.map((o) => (
                <tr key={o.id} data-offering={o.id}>
                  <th scope="row"><a href={'#/offerings/' + enc(o.id)}>{o.title}</a></th>
                  <td>{o.centre && o.centre.name}</td>
                  <td class="num">{o.capacity}</td>
                  <td><a href={'#/draws/' + enc(o.id)} aria-label={t('drawLinkOf', o.title)}>{t('verifyShort')}</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <RoundApply r={r} members={members} session={session} onSignIn={onSignIn} />
    </article>
  );
}

// Errors that belong to one field rather than the whole form.
const FIELD_OF = { not_eligible: 'choices', already_applied: 'participant_id' };

function RoundApply({ r, members, session, onSignIn }) {
  const w = roundWindow(r, useNow(lotteryEdges(r)));
  const resident = isResident(session);
  const parts = useLoad(() => (resident ? get('/v1/me/participants?limit=200') : { items: [] }), [resident, session && session.sub]);
  const mine = useLoad(() => (resident ? allPages('/v1/me/applications') : []), [resident, session && session.sub]);
  const policy = usePolicy(r.kind);
  const [pid, setPid] = useState('');
  const [sibs, setSibs] = useState([]);
  const [choices, setChoices] = useState([]);
  const [claims, setClaims] = useState([]);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const [changed, setChanged] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(null);
  const queue = useAdmission();
  const here = (mine.data || []).filter((a) => a.round_id === r.id);
  const taken = new Set(here.filter((a) => a.status !== 'withdrawn').flatMap((a) => [a.participant_id, ...(a.siblings || []).map((s) => s.participant_id)]));
  const all = (parts.data && parts.data.items) || [];
  const list = all.filter((p) => !taken.has(p.id));
  useEffect(() => { if ((!pid || taken.has(pid)) && list.length) setPid(list[0].id); }, [list.length]);
  // Any change makes a new request (a new Idempotency-Key) and clears the last refusal.
  const reset = () => { key.current = null; setError(null); };

  const note = windowNote(r, w);
  const noteEl = note && <p class="warn" id="apply-when">{note}</p>;
  if (!session) return <SignInToApply title={t('roundApplyTitle')} note={noteEl} w={w} onSignIn={onSignIn} />;
  if (!resident) return null;
  const submit = async (e) => {
    e.preventDefault();
    if (!pid || w !== 'open') return;
    if (!choices.length) {
      const err = { code: 'validation_failed', errors: [{ field: 'choices', message: t('chooseOne') }] };
      setError(err); announce(t('chooseOne'));
      return;
    }
    setBusy(true); setError(null); setResult(null);
    try {
      const a = await sendApplication('/v1/rounds/' + enc(r.id) + '/applications', { ...unitBody(pid, sibs, claims, list), choices }, key, queue);
      setResult(a); setPid(''); setSibs([]); setChoices([]); setClaims([]); setChanged(null);
      announce(t('applied', fmtDateTime(r.draw_at)));
      mine.reload();
    } catch (err) {
      setError(err); announce(errorText(err));
    } finally { setBusy(false); }
  };
  const fieldErr = (f) => fieldErrorOf(error, f) || (error && FIELD_OF[error.code] === f ? errorText(error) + (error.problem && error.problem.detail && error.problem.detail !== errorText(error) ? ' ' + error.problem.detail : '') : null);
  const inline = error && (FIELD_OF[error.code] || (error.code === 'validation_failed' && ['participant_id', 'siblings', 'choices', 'claims'].some((f) => fieldErrorOf(error, f))));
  const pidErr = fieldErr('participant_id'), sibErr = fieldErr('siblings'), chErr = fieldErr('choices'), clErr = fieldErr('claims');
  const others = list.filter((p) => p.id !== pid);
  const titles = Object.fromEntries(members.map((o) => [o.id, o.title]));
  return (
    <section class="book" aria-labelledby="apply-h" data-testid="round-apply">
      <h2 id="apply-h">{t('roundApplyTitle')}</h2>
      {(parts.loading || mine.loading) && <Loading />}
      <ErrorBox error={parts.error || mine.error || policy.error} onRetry={() => { parts.reload(); mine.reload(); policy.reload(); }} />
      {here.length > 0 && (
        <>
          <h3>{t('myApplicationsHere')}</h3>
          <ul class="cards">
            {here.map((a) => <ApplicationCard key={a.id} a={a} o={r} titles={titles} policy={policy.data} onChanged={(text) => { setResult(null); setChanged({ text }); mine.reload(); }} compact />)}
          </ul>
          <Ok focusKey={changed}>{changed && changed.text}</Ok>
        </>
      )}
      {w === 'open' && !parts.loading && all.length === 0 && <p>{t('noParticipants')} <a href={'#/me/participants?return=' + enc(roundHref(r.id))}>{t('addParticipant')}</a></p>}
      {list.length > 0 && (
        <form onSubmit={submit} noValidate>
          <fieldset class={pidErr ? 'has-error' : ''} aria-describedby={pidErr ? 'rp-err' : undefined}>
            <legend>{t('applyFor')}</legend>
            {list.map((p) => (
              <div class="radio" key={p.id}>
                <input type="radio" id={'rp-' + p.id} name="participant" value={p.id} checked={pid === p.id} onChange={() => { setPid(p.id); setSibs(sibs.filter((x) => x !== p.id)); reset(); }} />
                <label for={'rp-' + p.id}>{p.name} · {p.birth_date} · {t('idLast4')} {p.id_number_last4}</label>
              </div>
            ))}
            {pidErr && <p class="field-error" id="rp-err">{pidErr}</p>}
          </fieldset>
          <SiblingsField list={others} value={sibs} error={sibErr} onChange={(v) => { setSibs(v); reset(); }} />
          <ChoicePicker r={r} members={members} choices={choices} error={chErr} onChange={(c) => { setChoices(c); reset(); }} />
          <ClaimsField policy={policy.data} kind={r.kind} value={claims} error={clErr} onChange={(v) => { setClaims(v); reset(); }} />
          {noteEl}
          <button type="submit" class="primary big" disabled={busy || !pid || w !== 'open'} aria-describedby={note ? 'apply-when' : undefined}>{t('roundApply')}</button>
        </form>
      )}
      {!list.length && noteEl}
      <QueueNote wait={queue.wait} onGiveUp={queue.giveUp} />
      <ErrorBox error={error && !inline ? error : null} focusKey={error} onRetry={() => submit({ preventDefault() {} })} />
      {error && inline && <div class="msg msg-error" role="alert" data-code={error.code}><p>{t('fixFields')}</p></div>}
      {result && (
        <Ok focusKey={result}>
          <p data-status={result.status}>{t('applied', fmtDateTime(r.draw_at))}</p>
          <p><a href="#/me/applications">{t('viewApplications')}</a></p>
        </Ok>
      )}
    </section>
  );
}

// Up to max_choices of the round's offerings, in order: each chosen one can move up or down
// or be taken out with buttons; the focus stays on the moved offering's buttons.
function ChoicePicker({ r, members, choices, error, onChange }) {
  const max = r.max_choices || 3;
  const byId = Object.fromEntries(members.map((o) => [o.id, o]));
  const focusNext = useRef(null);
  // After a change the focus goes to the first of the wanted controls that is there and
  // enabled, as soon as the list is redrawn (before the next key press is handled).
  useLayoutEffect(() => {
    const want = focusNext.current;
    if (!want) return;
    focusNext.current = null;
    for (const f of want) {
      const el = document.getElementById(f);
      if (el && !el.disabled) { el.focus(); return; }
    }
  });
  const name = (id) => (byId[id] ? byId[id].title : id);
  const move = (i, d) => {
    const c = [...choices];
    [c[i], c[i + d]] = [c[i + d], c[i]];
    focusNext.current = [(d < 0 ? 'up-' : 'down-') + c[i + d], (d < 0 ? 'down-' : 'up-') + c[i + d]];
    onChange(c);
    announce(t('movedTo', name(c[i + d]), i + d + 1));
  };
  const remove = (i) => {
    const id = choices[i];
    const c = choices.filter((_, j) => j !== i);
    focusNext.current = ['add-' + id, ...c.map((x) => 'rm-' + x)];
    onChange(c);
    announce(t('choiceRemoved', name(id)));
  };
  const add = (id) => {
    const c = [...choices, id];
    focusNext.current = [...rest.filter((o) => o.id !== id).map((o) => 'add-' + o.id), 'up-' + id, 'rm-' + id];
    onChange(c);
    announce(t('choiceAdded', name(id), c.length));
  };
  const rest = members.filter((o) => !choices.includes(o.id));
  return (
    <fieldset class={'choice-pick' + (error ? ' has-error' : '')} aria-describedby={'ch-hint' + (error ? ' ch-err' : '')} data-testid="choices-pick">
      <legend>{t('choicesLegend', max)}</legend>
      <p class="hint" id="ch-hint">{t('choicesHint')}</p>
      {choices.length === 0 ? <p class="muted">{t('noChoicesYet')}</p> : (
        <ol class="choices picked">
          {choices.map((id, i) => (
            <li key={id} data-offering={id}>
              <span class="choice-name"><strong>{t('prefN', i + 1)}</strong>{t('colon')}{name(id)}{byId[id] && byId[id].centre && byId[id].centre.name ? <span class="muted"> · {byId[id].centre.name}</span> : null}</span>
              <span class="choice-btns">
                <button type="button" id={'up-' + id} disabled={i === 0} aria-label={t('moveUpOf', name(id))} onClick={() => move(i, -1)}>{t('choiceUp')}</button>
                <button type="button" id={'down-' + id} disabled={i === choices.length - 1} aria-label={t('moveDownOf', name(id))} onClick={() => move(i, 1)}>{t('choiceDown')}</button>
                <button type="button" id={'rm-' + id} aria-label={t('removeOf', name(id))} onClick={() => remove(i)}>{t('remove')}</button>
              </span>
            </li>
          ))}
        </ol>
      )}
      {rest.length > 0 && (
        <ul class="choice-add plain">
          {rest.map((o) => (
            <li key={o.id}>
              <button type="button" id={'add-' + o.id} disabled={choices.length >= max} aria-label={t('addChoiceOf', o.title)} onClick={() => add(o.id)}>{t('addChoice')}</button>{' '}
              {o.title}{o.centre && o.centre.name ? <span class="muted"> · {o.centre.name}</span> : null}
            </li>
          ))}
        </ul>
      )}
      {choices.length >= max && rest.length > 0 && <p class="hint">{t('choicesFull', max)}</p>}
      {error && <p class="field-error" id="ch-err">{error}</p>}
    </fieldset>
  );
}
