/**
 * Shares one database read among the collect callbacks of one scrape: they all start together,
 * so the first starts the read and the others wait for it; the next scrape reads again.
 */
export type ReadOnce = <T>(key: string, read: () => Promise<T>) => Promise<T>;

export function createReadOnce(): ReadOnce {
  const inflight = new Map<string, Promise<unknown>>();
  return <T>(key: string, read: () => Promise<T>) => {
    let pending = inflight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read().finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  };
}
