import { useCallback, useEffect, useRef, useState } from "react";
import { searchRuns } from "../../api/tracking.js";
import type { Run } from "../../api/types.js";

/** Runs of the first page: small, so the table is on screen fast; later pages are larger. */
const FIRST_PAGE = 200;
const NEXT_PAGE = 1000;

export interface RunsState {
  runs: Run[];
  error: Error | undefined;
  loading: boolean;
  /** True while more pages exist on the server. */
  more: boolean;
  /** Fetches the next page unless one is on its way or none is left. */
  loadMore(): void;
}

/**
 * Pages through the runs of a search as the table scrolls; a new search (or a new `nonce`: refresh) starts
 * over, and the old one is aborted.
 */
export function useRuns(experimentId: string, filter: string, orderBy: string[], nonce = 0): RunsState {
  const [state, setState] = useState<{ runs: Run[]; error?: Error; loading: boolean; token: string | null }>({
    runs: [],
    loading: true,
    token: null,
  });
  const busy = useRef(false);
  /** Page tokens already requested in this search: the table may ask again before the new token renders. */
  const requested = useRef(new Set<string>());
  const search = useRef({ experimentId, filter, orderBy, abort: new AbortController() });
  const key = `${experimentId}\n${filter}\n${orderBy.join(",")}\n${nonce}`;

  const fetchPage = useCallback(async (token: string | null, first: boolean) => {
    const s = search.current;
    busy.current = true;
    try {
      const page = await searchRuns(
        {
          experimentIds: [s.experimentId],
          filter: s.filter,
          orderBy: s.orderBy,
          maxResults: first ? FIRST_PAGE : NEXT_PAGE,
          pageToken: token,
        },
        s.abort.signal,
      );
      if (s.abort.signal.aborted) return;
      setState((prev) => ({
        runs: first ? page.items : prev.runs.concat(page.items),
        loading: false,
        token: page.nextPageToken,
      }));
    } catch (e) {
      if (s.abort.signal.aborted) return;
      setState((prev) => ({
        ...prev,
        runs: first ? [] : prev.runs,
        error: e as Error,
        loading: false,
        token: null,
      }));
    } finally {
      if (search.current === s) busy.current = false;
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for the search
  useEffect(() => {
    search.current.abort.abort();
    search.current = { experimentId, filter, orderBy, abort: new AbortController() };
    busy.current = false;
    requested.current = new Set();
    setState((prev) => ({ runs: prev.runs, loading: true, token: null }));
    void fetchPage(null, true);
    return () => search.current.abort.abort();
  }, [key, fetchPage]);

  const loadMore = useCallback(() => {
    if (busy.current || !state.token || requested.current.has(state.token)) return;
    requested.current.add(state.token);
    void fetchPage(state.token, false);
  }, [state.token, fetchPage]);

  return {
    runs: state.runs,
    error: state.error,
    loading: state.loading,
    more: state.token !== null,
    loadMore,
  };
}
