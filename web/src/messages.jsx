// 消息 / Messages: what was sent to the account (which event, on which channel, when, whether
// it went), how the account wants to be reached, and its timetable for a calendar app: a
// file to import, or a secret address to subscribe to.
import { useState, useRef, useEffect } from 'preact/hooks';
import { get, api, download } from './api.js';
import { t, lang, fmtDateTime } from './i18n.js';
import { useSignal } from './signal.js';
import { PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText } from './ui.jsx';

export const CHANNELS = ['sms', 'email', 'wechat'];

// A word for a value the server may add later (a new event or channel): the value itself.
const word = (prefix, v) => { const k = prefix + v, s = t(k); return s === k ? v : s; };

const count = (s, c) => s.split(c).length - 1;
// A message's text is "中文 / English". The Chinese ends at the first " / " outside the
// offering's 「title」 (a title may hold " / " itself).
export function splitText(s) {
  for (let from = 0; ;) {
    const i = s.indexOf(' / ', from);
    if (i < 0) return { zh: s, en: '' };
    const zh = s.slice(0, i);
    if (count(zh, '「') === count(zh, '」')) return { zh, en: s.slice(i + 3) };
    from = i + 3;
  }
}

export function Messages() {
  useSignal(lang);
  return (
    <>
      <PageHeading>{t('msgTitle')}</PageHeading>
      <MessageList />
      <Preferences />
      <Calendar />
    </>
  );
}

function MessageList() {
  const [items, setItems] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // "Load more" goes away while it loads: the focus moves on to the first message it added.
  const more = useRef(-1);
  useEffect(() => {
    if (more.current >= 0 && items && items.length > more.current) {
      const h = document.querySelectorAll('main ul.messages > li h3')[more.current];
      more.current = -1;
      if (h) h.focus();
    }
  }, [items]);
  const fetchPage = async (c) => {
    setBusy(true); setError(null);
    try {
      const page = await get('/v1/me/messages?limit=20' + (c ? '&cursor=' + encodeURIComponent(c) : ''));
      setItems((was) => (c && was ? [...was, ...page.items] : page.items));
      setCursor(page.next_cursor || null);
    } catch (e) {
      more.current = -1;
      setError(e); announce(errorText(e));
    } finally { setBusy(false); }
  };
  useEffect(() => { fetchPage(null); }, []);
  return (
    <section aria-labelledby="msgs-h">
      <h2 id="msgs-h">{t('msgReceived')}</h2>
      <ErrorBox error={error} onRetry={() => fetchPage(items ? cursor : null)} />
      {items && items.length === 0 && <p class="empty" data-testid="no-messages">{t('msgEmpty')}</p>}
      {items && items.length > 0 && (
        <ul class="messages" aria-busy={busy ? 'true' : 'false'}>
          {items.map((m) => <MessageItem key={m.id} m={m} />)}
        </ul>
      )}
      {busy && <Loading />}
      {cursor && !busy && <button type="button" class="more" onClick={() => { more.current = items.length; fetchPage(cursor); }}>{t('loadMore')}</button>}
    </section>
  );
}

function MessageItem({ m }) {
  const l = lang.value;
  const { zh, en } = splitText(m.text || '');
  const failed = m.status === 'failed';
  // The page's language first; the other beside it, smaller.
  const texts = l === 'en' && en ? [['en', en], ['zh-CN', zh]] : [['zh-CN', zh], ['en', en]];
  return (
    <li class={'message' + (failed ? ' failed' : '')} data-message={m.id} data-event={m.event} data-status={m.status}>
      <h3 tabIndex={-1}>{word('ev_', m.event)}</h3>
      <p class="meta">
        <time dateTime={m.sent_at}>{fmtDateTime(m.sent_at)}</time>
        {' · '}<span data-testid="channel">{word('ch_', m.channel)}</span>
        {' · '}<span class={'badge ' + (failed ? 'badge-err' : 'badge-ok')} data-testid="message-status">{word('ms_', m.status)}</span>
      </p>
      {texts.filter(([, s]) => s).map(([tl, s], i) => <p key={tl} lang={tl} class={i ? 'other-lang' : 'text'}>{s}</p>)}
      {failed && <p class="warn" data-testid="failed-hint">{t('msgFailedHint')}</p>}
    </li>
  );
}

function Preferences() {
  const prefs = useLoad(() => get('/v1/me/message-preferences'), []);
  const [chosen, setChosen] = useState(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(null);
  const [error, setError] = useState(null);
  // None chosen: refused here as the server would (held places, promotions and deadlines
  // reach a resident only by message), said at the boxes.
  const [none, setNone] = useState(false);
  useEffect(() => { if (prefs.data) setChosen(prefs.data.channels || []); }, [prefs.data]);
  const toggle = (c) => (e) => {
    const on = e.currentTarget.checked;
    setChosen((was) => (on ? [...was.filter((x) => x !== c), c] : was.filter((x) => x !== c)));
    setSaved(null);
    if (on) setNone(false);
  };
  const save = async (e) => {
    e.preventDefault();
    if (!chosen) return;
    setSaved(null);
    if (chosen.length === 0) { setError(null); setNone(true); announce(t('prefsNone')); return; }
    setSaving(true); setError(null); setNone(false);
    try {
      const channels = CHANNELS.filter((c) => chosen.includes(c));
      const r = await api('PUT', '/v1/me/message-preferences', { body: { channels } });
      setChosen((r && r.channels) || channels);
      setSaved({}); announce(t('prefsSaved'));
    } catch (err) { setError(err); announce(errorText(err)); } finally { setSaving(false); }
  };
  return (
    <section aria-labelledby="prefs-h">
      <h2 id="prefs-h">{t('prefsTitle')}</h2>
      <p id="prefs-intro">{t('prefsIntro')}</p>
      {prefs.loading && <Loading />}
      <ErrorBox error={prefs.error} onRetry={prefs.reload} />
      {chosen && (
        <form onSubmit={save} data-testid="preferences">
          <fieldset class={none ? 'has-error' : undefined} aria-describedby={'prefs-intro' + (none ? ' prefs-none' : '')}>
            <legend>{t('prefsLegend')}</legend>
            {CHANNELS.map((c) => (
              <div class="field check channel" key={c}>
                <input type="checkbox" id={'ch-' + c} name="channels" value={c} checked={chosen.includes(c)} onChange={toggle(c)}
                  aria-describedby={'ch-' + c + '-hint'} aria-invalid={none ? 'true' : undefined} />
                <div><label for={'ch-' + c}>{t('ch_' + c)}</label><p class="hint" id={'ch-' + c + '-hint'}>{t('chHint_' + c)}</p></div>
              </div>
            ))}
            {none && <p class="field-error" id="prefs-none" role="alert">{t('prefsNone')}</p>}
          </fieldset>
          <button type="submit" class="primary" disabled={saving}>{t('prefsSave')}</button>
        </form>
      )}
      <ErrorBox error={error} focusKey={error} onRetry={() => save({ preventDefault() {} })} />
      <Ok focusKey={saved}>{saved && t('prefsSaved')}</Ok>
    </section>
  );
}

// Saves the calendar at path (the whole timetable, or one booking's) under the server's file
// name; returns {busy, error, saved, run}.
export function useCalendarDownload(path) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState('');
  const run = async () => {
    setBusy(true); setError(null); setSaved('');
    try {
      const name = await download(path);
      setSaved(name); announce(t('downloaded', name));
    } catch (e) { setError(e); announce(errorText(e)); } finally { setBusy(false); }
  };
  return { busy, error, saved, run };
}

function Calendar() {
  const file = useCalendarDownload('/v1/me/calendar.ics');
  return (
    <section aria-labelledby="cal-h">
      <h2 id="cal-h">{t('calTitle')}</h2>
      <p id="cal-intro">{t('calIntro')}</p>
      <button type="button" aria-describedby="cal-intro" disabled={file.busy} onClick={file.run}>{t('calDownload')}</button>
      <ErrorBox error={file.error} focusKey={file.error} onRetry={file.run} />
      <Ok>{file.saved && t('downloaded', file.saved)}</Ok>
      <Feed />
    </section>
  );
}

// The secret feed address: made on request and shown once (the server keeps only its hash),
// copied from a read-only field; revoked after a question.
function Feed() {
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [copied, setCopied] = useState(null); // {ok} after a copy
  const [asking, setAsking] = useState(false);
  const [revoked, setRevoked] = useState(null);
  const field = useRef(null), ask = useRef(null), revokeBtn = useRef(null), asked = useRef(false);
  useEffect(() => {
    if (asking) { asked.current = true; ask.current && ask.current.focus(); }
    else if (asked.current && revokeBtn.current && !revoked) { asked.current = false; revokeBtn.current.focus(); }
  }, [asking]);
  useEffect(() => { if (url && field.current) field.current.focus(); }, [url]);

  const create = async () => {
    setBusy(true); setError(null); setRevoked(null); setCopied(null);
    try {
      const r = await api('POST', '/v1/me/calendar-feed');
      setUrl(new URL(r.url, location.href).href); announce(t('feedMade'));
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const copy = async () => {
    let ok = false;
    try { await navigator.clipboard.writeText(url); ok = true; } catch {
      // No clipboard (an old browser, or not allowed): the address is selected for the reader.
      const el = field.current;
      if (el) { el.focus(); el.select(); try { ok = document.execCommand('copy'); } catch { ok = false; } }
    }
    setCopied({ ok }); announce(t(ok ? 'feedCopied' : 'feedCopyFailed'));
  };
  const revoke = async () => {
    setBusy(true); setError(null);
    try {
      await api('DELETE', '/v1/me/calendar-feed');
    } catch (err) {
      // Nothing to revoke is what was asked for.
      if (err.status !== 404) { setError(err); announce(errorText(err)); setBusy(false); return; }
    }
    setBusy(false); setUrl(''); setCopied(null); setAsking(false);
    setRevoked({}); announce(t('feedRevoked'));
  };
  return (
    <div class="feed" role="group" aria-labelledby="feed-h">
      <h3 id="feed-h">{t('feedTitle')}</h3>
      <p id="feed-intro">{t('feedIntro')}</p>
      <p class="msg msg-warn" id="feed-warn">{t('feedWarn')}</p>
      {!url && <button type="button" aria-describedby="feed-warn" disabled={busy} onClick={create}>{t('feedCreate')}</button>}
      {url && (
        <div class="feed-url">
          <label for="feed-url">{t('feedAddress')}</label>
          <input id="feed-url" ref={field} type="url" readOnly value={url} aria-describedby="feed-once feed-warn" onFocus={(e) => e.currentTarget.select()} />
          <p class="hint" id="feed-once">{t('feedOnce')}</p>
          <p class="actions">
            <button type="button" class="primary" onClick={copy}>{t('feedCopy')}</button>
            <a class="button-link" href={url.replace(/^https?:/, 'webcal:')}>{t('feedOpen')}</a>
          </p>
          {copied && (copied.ok ? <Ok>{t('feedCopied')}</Ok> : <p class="warn" role="status">{t('feedCopyFailed')}</p>)}
        </div>
      )}
      {!asking && <p><button type="button" ref={revokeBtn} disabled={busy} onClick={() => { setError(null); setRevoked(null); setAsking(true); }}>{t('feedRevoke')}</button></p>}
      {asking && (
        <div class="confirm stern" role="group" aria-labelledby="feed-q">
          <p id="feed-q">{t('feedRevokeConfirm')}</p>
          <button type="button" class="danger" ref={ask} disabled={busy} onClick={revoke}>{t('feedRevokeBtn')}</button>{' '}
          <button type="button" onClick={() => setAsking(false)}>{t('close')}</button>
        </div>
      )}
      <ErrorBox error={error} focusKey={error} onRetry={asking ? revoke : create} />
      <Ok focusKey={revoked}>{revoked && t('feedRevoked')}</Ok>
    </div>
  );
}
