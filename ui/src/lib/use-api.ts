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
 * visible when given. The first dep is the identity of what is loaded: while it stays the same, reloads and
 * polls keep the current data on screen (also when they fail); when it changes, the old data is dropped.
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
  const identity = useRef<unknown>(deps[0]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's, tick forces a reload
  useEffect(() => {
    const abort = new AbortController();
    // Another entity (first dep) must not show the previous one's data while it loads; a refresh keeps it.
    const same = Object.is(identity.current, deps[0]);
    identity.current = deps[0];
    setState((s) => (same ? { ...s, loading: true } : { loading: true }));
    loadRef.current(abort.signal).then(
      (data) => !abort.signal.aborted && setState({ data, loading: false }),
      (error: Error) =>
        !abort.signal.aborted &&
        error.name !== "AbortError" &&
        setState((s) => ({ data: same ? s.data : undefined, error, loading: false })),
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
