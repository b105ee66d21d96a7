// Admission under load (README, "Throttles and reserved concurrency"): a booking or an
// application the API does not admit now — 429 from API Gateway's throttle (no Retry-After)
// or from us, 503 when the store is busy (Retry-After), or API Gateway's bare 500 when
// Lambda throttled the function — is sent again by itself with the same Idempotency-Key,
// after jittered, growing waits, for up to PATIENCE_MS. The page says 排队中 / In the
// queue meanwhile, with the attempt and the time waited, and lets the resident give up.
// The same key on every try means a try that did land is answered with that booking,
// never a second one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tIn, lang, addTexts } from './i18n.js';
import { useSignal } from './signal.js';
import { now } from './clock.js';

addTexts({
  queued: '排队中',
  queuedNote: (n, s) => `报名的人较多，正在为您自动重试：第 ${n} 次，已等待 ${s} 秒。请勿关闭页面；重试不会重复报名。`,
  giveUp: '放弃排队',
  e_gave_up: '已放弃排队。再次提交不会重复报名。',
}, {
  queued: 'In the queue',
  queuedNote: (n, s) => `Many people are booking; retrying for you: attempt ${n}, waited ${s} s. Keep this page open; a retry never books twice.`,
  giveUp: 'Leave the queue',
  e_gave_up: 'You left the queue. Submitting again will not book twice.',
});

// How long a resident is kept in the queue, and the waits between tries: doubling from
// BASE_MS up to CAP_MS, each drawn between half and all of its step (so clients turned
// away together do not come back together), never shorter than a Retry-After.
export const PATIENCE_MS = 150_000;
const BASE_MS = 1000;
const CAP_MS = 20_000;

// Whether err says "not admitted now" rather than "no": the same request may be sent again.
export function notAdmitted(err) {
  if (!err || !err.status) return false;
  if (err.status === 429 || err.status === 503) return true;
  // API Gateway's own 500 ({"message": …}, no problem code): Lambda refused the invoke, so
  // the function never ran. A function's own 500 carries the code "internal".
  return err.status === 500 && !(err.problem && err.problem.code);
}

// The wait before try attempt+1, in ms (attempt counts from 1).
export function backoff(attempt, retryAfterSec, rand = Math.random) {
  const step = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(attempt - 1, 16));
  let wait = step / 2 + rand() * step / 2;
  if (retryAfterSec > 0) wait = Math.max(wait, retryAfterSec * 1000 * (1 + rand() / 2));
  return Math.round(wait);
}

class GaveUp extends Error {
  constructor(last) {
    super('gave up');
    this.code = 'gave_up';
    this.last = last;
  }
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const id = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(id); resolve(); }, { once: true });
});

// Runs send until it is admitted, it answers anything but "not now", patience runs out,
// or signal aborts (then a GaveUp, code gave_up). onWait({ attempt, since, until }) is
// told before each wait. A try already sent when the resident gives up still counts if it
// succeeds.
export async function untilAdmitted(send, { signal, onWait = () => {} }) {
  const since = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!notAdmitted(err)) throw err;
      if (signal.aborted) throw new GaveUp(err);
      const wait = backoff(attempt, err.retryAfter || 0);
      // Asked to wait longer than the patience left: say so now (the error box tells until when).
      if (now() - since + wait > PATIENCE_MS) throw err;
      onWait({ attempt, since, until: now() + wait });
      await sleep(wait, signal);
      if (signal.aborted) throw new GaveUp(err);
    }
  }
}

// A form's queue: run(send) sends through untilAdmitted; wait is the queue's state while
// waiting (null otherwise); giveUp stops it. Leaving the page gives up too.
export function useAdmission() {
  const [wait, setWait] = useState(null);
  const ctl = useRef(null);
  useEffect(() => () => ctl.current && ctl.current.abort(), []);
  const run = async (send) => {
    const c = new AbortController();
    ctl.current = c;
    try {
      return await untilAdmitted(send, { signal: c.signal, onWait: setWait });
    } finally {
      if (ctl.current === c) ctl.current = null;
      setWait(null);
    }
  };
  const giveUp = () => ctl.current && ctl.current.abort();
  return { wait, run, giveUp };
}

// 排队中 / In the queue: the attempt, the seconds waited (ticking), and 放弃排队.
export function QueueNote({ wait, onGiveUp }) {
  useSignal(lang);
  const [, tick] = useState(0);
  useEffect(() => {
    if (!wait) return undefined;
    const id = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, [wait && wait.since]);
  if (!wait) return null;
  const other = lang.value === 'en' ? 'zh-CN' : 'en';
  const secs = Math.max(0, Math.round((now() - wait.since) / 1000));
  return (
    <div class="msg msg-warn msg-queue" role="status" data-testid="queue" data-attempt={wait.attempt}>
      <p><strong>{t('queued')}</strong> <span lang={other} class="other-lang">{tIn(other, 'queued')}</span></p>
      {/* Ticks every second: read when reached, not announced each time. */}
      <p aria-live="off">{t('queuedNote', wait.attempt, secs)}</p>
      <p class="actions"><button type="button" onClick={onGiveUp}>{t('giveUp')}</button></p>
    </div>
  );
}
