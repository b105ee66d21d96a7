// A tiny observable value; components subscribe through useSignal.
import { useEffect, useState } from 'preact/hooks';

export function signal(value) {
  const subs = new Set();
  return {
    get value() { return value; },
    set value(v) { value = v; subs.forEach((f) => f(v)); },
    subscribe(f) { subs.add(f); return () => subs.delete(f); },
  };
}

export function useSignal(s) {
  const [, set] = useState(0);
  useEffect(() => s.subscribe(() => set((n) => n + 1)), [s]);
  return s.value;
}
