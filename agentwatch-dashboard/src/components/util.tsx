import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

/** Re-renders every `ms` and answers the current time. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export interface Fetched<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `key` changes; `reload` runs it again keeping the old data on screen. */
export function useFetch<T>(key: string, load: () => Promise<T>): Fetched<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>(
    { data: null, error: null, loading: true });
  const loader = useRef(load);
  loader.current = load;
  const seq = useRef(0);
  const run = useCallback((keep: boolean) => {
    const mine = ++seq.current;
    setState((s) => ({ data: keep ? s.data : null, error: null, loading: true }));
    loader.current().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (e: Error) => mine === seq.current && setState((s) => ({ data: keep ? s.data : null, error: e.message, loading: false })),
    );
  }, []);
  useEffect(() => run(false), [key, run]);
  return { ...state, reload: useCallback(() => run(true), [run]) };
}

export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
}

// Built once: toLocaleTimeString and toLocaleString build a new formatter on every call, which in
// the live event list (fifty rows rendered per frame under load) took most of the render time.
// These options are the ones toLocaleTimeString([], { hour12: false }) uses, so the text is the same.
const timeFormat = new Intl.DateTimeFormat([], { hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false });
const intFormat = new Intl.NumberFormat();

export const time = (iso: string | null | undefined) => {
  const at = iso ? new Date(iso) : null;
  return at && Number.isFinite(at.getTime()) ? timeFormat.format(at) : '—';
};
const dayFormat = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric' });

/** A time of today as its clock time, an earlier one with its day too. */
export function when(iso: string | null | undefined, now: number): string {
  const at = iso ? new Date(iso) : null;
  if (!at || !Number.isFinite(at.getTime())) return '—';
  return new Date(now).toDateString() === at.toDateString() ? timeFormat.format(at)
    : `${dayFormat.format(at)} ${timeFormat.format(at)}`;
}

/** A span of time in its two largest units: 850 ms, 42 s, 3m 05s, 2h 10m. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const money = (usd: number | null | undefined) => `$${(usd ?? 0).toFixed(4)}`;
export const int = (n: number | null | undefined) => intFormat.format(n ?? 0);

export function Loading({ what }: { what: string }) {
  return <div className="state loading">Loading {what}…</div>;
}

export function Problem({ error, retry, hint }: { error: string; retry?: () => void; hint?: string }) {
  return (
    <div className="state problem">
      <strong>Could not load: {error}</strong>
      <p>{hint ?? 'Check that the server is running and that your key has the read scope.'}</p>
      {retry && <button onClick={retry}>Try again</button>}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

export function href(path: string) {
  return `#${path}`;
}
