/** Live data without reloads: poll an API path and re-render on change. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, messageOf } from './api.ts';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  /** Fetch again now (after an action). */
  refresh: () => void;
}

/**
 * Calls `load` now and every `intervalMs` while the component is mounted (and the tab visible),
 * keeping the last good data when a poll fails; `deps` restart it. `stop(data)` ends polling
 * (e.g. once a job is finished).
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[] = [], stop?: (data: T) => boolean): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const d = await loadRef.current();
        if (!alive) return;
        setData(d);
        setError(null);
        setLoading(false);
        if (stop?.(d)) return;
      } catch (e) {
        if (!alive) return;
        setError(messageOf(e));
        setLoading(false);
        // What does not exist will not appear by asking again every second.
        if (e instanceof ApiError && e.status === 404) return;
      }
      if (alive) timer = setTimeout(run, document.hidden ? intervalMs * 4 : intervalMs);
    };
    void run();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, loading, refresh: () => setTick((t) => t + 1) };
}
