// Shared pieces: routing, the live region, error messages, headings that take focus.
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { signal, useSignal } from './signal.js';
import { t, lang, fmtDateTime } from './i18n.js';
import { now } from './clock.js';

export const route = signal(parseHash());
export function parseHash() {
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = h.split('?');
  return { path, parts: path.split('/').filter(Boolean), query: new URLSearchParams(qs || '') };
}
window.addEventListener('hashchange', () => { route.value = parseHash(); });
export const go = (hash) => { remember(); location.hash = hash; };

// Back and Forward return to where the reader was, as a browser does for ordinary pages:
// each history entry keeps its scroll position and the link followed from it, and the
// page is put back once its content is in (the app, not the browser, restores the scroll,
// since the content arrives after the page does).
if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
let restoring = false;
export function remember(link) {
  if (restoring) return;
  const st = history.state || {};
  try { history.replaceState({ ...st, scroll: Math.round(window.scrollY), link: link ?? st.link ?? null }, ''); } catch { /* rate-limited */ }
}
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href^="#"]');
  if (a) remember(a.getAttribute('href'));
}, true);
let saving = 0;
window.addEventListener('scroll', () => {
  clearTimeout(saving);
  const at = location.href;
  saving = setTimeout(() => { if (location.href === at) remember(); }, 150);
}, { passive: true });
window.addEventListener('hashchange', () => clearTimeout(saving));

// What the current history entry remembers, if the reader has been here before.
export const returning = () => (history.state && history.state.scroll != null ? history.state : null);

// Puts the page back as the entry remembers it once its content is in (nothing loading,
// tall enough), and, when focus moves, on the link followed from here (else the heading).
// A restore still waiting for its page's content stops when the reader moves on.
let restores = 0;
export function restore(st, moveFocus) {
  const mine = ++restores, at = location.href;
  restoring = true;
  let tries = 0;
  const step = () => {
    if (mine !== restores || location.href !== at) { if (mine === restores) restoring = false; return; }
    const busy = document.querySelector('main .loading, main [aria-busy="true"]');
    const room = document.documentElement.scrollHeight - window.innerHeight;
    if ((busy || room < st.scroll) && tries++ < 80) { setTimeout(step, 50); return; }
    window.scrollTo(0, st.scroll);
    if (moveFocus) {
      const link = st.link && [...document.querySelectorAll('main a[href]')].find((a) => a.getAttribute('href') === st.link);
      const el = link || document.querySelector('main h1');
      if (el) el.focus({ preventScroll: true });
    }
    restoring = false;
  };
  step();
}

export const liveMessage = signal('');
export function announce(msg) {
  liveMessage.value = '';
  setTimeout(() => { liveMessage.value = msg; }, 30);
}
export function LiveRegion() {
  const m = useSignal(liveMessage);
  return <div class="sr-only" aria-live="polite" aria-atomic="true" data-testid="live">{m}</div>;
}

export function PageHeading({ children }) {
  return <h1 tabIndex={-1} class="page-heading">{children}</h1>;
}

export function errorText(err) {
  if (!err) return '';
  const code = err.code || 'internal';
  if (code === 'no_show_blocked') return t('e_no_show_blocked', err.problem && err.problem.blocked_until);
  // Asked to wait (Retry-After): until when, by the device's clock.
  if (code === 'too_many_requests' && err.retryAfter > 0) return t('e_too_many_requests_until', fmtDateTime(new Date(now() + err.retryAfter * 1000).toISOString()));
  const key = 'e_' + code;
  const msg = t(key);
  if (msg !== key) return msg;
  return err.message || t('e_internal');
}

const RETRYABLE = new Set(['unavailable', 'too_many_requests', 'network', 'internal', 'gave_up']);

// The answer to something the user just did takes the focus when focusKey changes (the
// new result or error), so keyboard and screen-reader users are told what happened.
function useFocusOn(focusKey) {
  const ref = useRef(null);
  useEffect(() => { if (focusKey && ref.current) ref.current.focus(); }, [focusKey]);
  return ref;
}

export function ErrorBox({ error, onRetry, focusKey }) {
  useSignal(lang);
  const ref = useFocusOn(focusKey);
  // An ended sign-in is said once, by the app (main.jsx), with the way to sign in again.
  if (!error || error.code === 'unauthorized') return null;
  const fields = (error.errors || []).filter((e) => e.message);
  return (
    <div class="msg msg-error" role="alert" data-code={error.code} ref={ref} tabIndex={focusKey ? -1 : undefined}>
      <p>{errorText(error)}</p>
      {error.problem && error.problem.detail && error.problem.detail !== errorText(error) && <p class="detail">{error.problem.detail}</p>}
      {fields.length > 0 && <ul>{fields.map((f) => <li key={f.field}><code>{f.field}</code>: {f.message}</li>)}</ul>}
      {onRetry && RETRYABLE.has(error.code) && !(error.retryAfter > 60) && <button type="button" onClick={onRetry}>{t('retry')}</button>}
    </div>
  );
}

export function Ok({ children, focusKey }) {
  const ref = useFocusOn(focusKey);
  if (!children) return null;
  return <div class="msg msg-ok" role="status" ref={ref} tabIndex={focusKey ? -1 : undefined}>{children}</div>;
}

// Load something when deps change; returns {data, error, loading, reload}.
export function useLoad(fn, deps) {
  const [state, set] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    set((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve().then(fn).then(
      (data) => { if (n === seq.current) set({ data, error: null, loading: false }); },
      (error) => { if (n === seq.current) { set({ data: null, error, loading: false }); announce(errorText(error)); } },
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function Loading() {
  return <p class="loading" role="status">{t('loading')}</p>;
}

export function fieldError(error, field) {
  if (!error || !error.errors) return null;
  const e = error.errors.find((x) => x.field === field || x.field.endsWith('.' + field));
  return e ? e.message : null;
}

// A labelled input with its own error message, linked by aria-describedby.
export function Field({ id, label, hint, error, children }) {
  const ids = [hint && id + '-hint', error && id + '-err'].filter(Boolean).join(' ') || undefined;
  return (
    <div class={'field' + (error ? ' has-error' : '')}>
      <label for={id}>{label}</label>
      {children({ id, 'aria-describedby': ids, 'aria-invalid': error ? 'true' : undefined })}
      {hint && <p class="hint" id={id + '-hint'}>{hint}</p>}
      {error && <p class="field-error" id={id + '-err'}>{error}</p>}
    </div>
  );
}
