import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { type ApiError, live, request } from './api.ts';

export interface QueryState<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** A query run on mount and whenever `key` changes; `reload` runs it again in place. */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, key = ''): QueryState<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const vars = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    request<T>(query, JSON.parse(vars) as Record<string, unknown>).then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: ApiError) => current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [query, vars, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

interface LiveHookOptions<T> {
  variables?: () => Record<string, unknown>;
  next: (data: T) => void;
  complete?: () => void;
  /** Subscribe only while true (a run's progress only while it runs). */
  enabled?: boolean;
}

/** A live subscription for the lifetime of the component; returns whether the stream is open. */
export function useLive<T>(query: string, options: LiveHookOptions<T>, key = ''): boolean {
  const [isLive, setLive] = useState(false);
  const latest = useRef(options);
  latest.current = options;
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return;
    const subscription = live<T>(query, {
      variables: () => latest.current.variables?.() ?? {},
      next: (data) => latest.current.next(data),
      complete: latest.current.complete ? () => latest.current.complete?.() : undefined,
      status: setLive,
    });
    return () => subscription.close();
  }, [query, key, enabled]);
  return isLive && enabled;
}

/** Runs a mutation-like action, keeping its pending state and error for the form that started it. */
export function useAction<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
): { run: (...args: A) => Promise<R | undefined>; pending: boolean; error: ApiError | null } {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (...args: A) => {
    setPending(true);
    setError(null);
    try {
      return await action(...args);
    } catch (err) {
      setError(err as ApiError);
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error };
}
