/**
 * Remembers results of a pure function of strings, forgetting everything once `capacity` keys are
 * held. Records of one team sit together in a feed, so a small memo answers nearly every lookup
 * while memory stays bounded whatever the feed's size.
 */
export class BoundedMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly capacity = 5_000) {}

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  /** Stores and returns `value`. (No compute callback: a closure per lookup costs more than the lookup.) */
  remember(key: string, value: V): V {
    if (this.values.size >= this.capacity) this.values.clear();
    this.values.set(key, value);
    return value;
  }
}
