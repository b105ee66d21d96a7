// Shared pieces: routing, the live region, error messages, headings that take focus.
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { signal, useSignal } from './signal.js';
import { t, lang } from './i18n.js';

export const route = signal(parseHash());
export function parseHash() {
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = h.split('?');
  return { path, parts: path.split('/').filter(Boolean), query: new URLSearchParams(qs || '') };
}
window.addEventListener('hashchange', () => { route.value = parseHash(); });
export const go = (hash) => { location.hash = hash; };

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
  const key = 'e_' + code;
  const msg = t(key);
  if (msg !== key) return msg;
  return err.message || t('e_internal');
}

const RETRYABLE = new Set(['unavailable', 'too_many_requests', 'network', 'internal']);

export function ErrorBox({ error, onRetry }) {
  useSignal(lang);
  if (!error) return null;
  const fields = (error.errors || []).filter((e) => e.message);
  return (
    <div class="msg msg-error" role="alert" data-code={error.code}>
      <p>{errorText(error)}</p>
      {error.problem && error.problem.detail && error.problem.detail !== errorText(error) && <p class="detail">{error.problem.detail}</p>}
      {fields.length > 0 && <ul>{fields.map((f) => <li key={f.field}><code>{f.field}</code>: {f.message}</li>)}</ul>}
      {onRetry && RETRYABLE.has(error.code) && <button type="button" onClick={onRetry}>{t('retry')}</button>}
    </div>
  );
}

export function Ok({ children }) {
  if (!children) return null;
  return <div class="msg msg-ok" role="status">{children}</div>;
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
