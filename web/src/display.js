// Large-text mode (older eyes): bigger type, stronger contrast, 48 px touch targets. Kept in
// localStorage like the language; index.html sets the class before the first paint.
import { signal } from './signal.js';

const KEY = 'enrol.large';
const stored = (() => { try { return localStorage.getItem(KEY) === '1'; } catch { return false; } })();
export const large = signal(stored);

export function setLarge(on) {
  large.value = on;
  try { if (on) localStorage.setItem(KEY, '1'); else localStorage.removeItem(KEY); } catch { /* private mode */ }
  document.documentElement.classList.toggle('large', on);
}
