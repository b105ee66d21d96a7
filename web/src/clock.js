// The time the UI decides by (is booking open? has the sign-in expired?): the device's
// clock, read in this one place. The browser tests move it with Playwright's clock.
import { useEffect, useState } from 'preact/hooks';

export const now = () => Date.now();

// The longest a timer may wait (setTimeout's limit, about 24.8 days).
const MAX_WAIT = 2 ** 31 - 1;

// Calls fn at instant at (ms), or now if that has passed; returns a cancel function.
export function at(instant, fn) {
  let id = 0;
  const arm = () => {
    const wait = instant - now();
    if (wait <= 0) { fn(); return; }
    id = setTimeout(arm, Math.min(wait + 20, MAX_WAIT));
  };
  arm();
  return () => clearTimeout(id);
}

// The current time, for a component whose look changes at given instants (ms): it renders
// again as the next of them passes, so a page left open changes when booking opens.
export function useNow(instants) {
  const [, tick] = useState(0);
  const t = now();
  const next = instants.filter((x) => x > t).sort((a, b) => a - b)[0];
  useEffect(() => (next ? at(next, () => tick((n) => n + 1)) : undefined), [next]);
  return t;
}
