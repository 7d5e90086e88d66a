import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

/** State of one asynchronous load. */
export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again (e.g. after an action), keeping the current data on screen meanwhile. */
  reload(): void;
}

/**
 * Runs `load` when `deps` change (the previous load is aborted), and every `pollMs` while the page is
 * visible when given: polling keeps the old data on screen and never flashes a spinner.
 */
export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  pollMs?: number,
): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's, tick forces a reload
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(abort.signal).then(
      (data) => !abort.signal.aborted && setState({ data, loading: false }),
      (error: Error) =>
        !abort.signal.aborted && error.name !== "AbortError" && setState({ error, loading: false }),
    );
    return () => abort.abort();
  }, [...deps, tick]);
  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") setTick((t) => t + 1);
    }, pollMs);
    return () => clearInterval(timer);
  }, [pollMs]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
