import type { ChangeFeed } from './change-feed';

/**
 * Values loaded from the database, kept while the change feed is live and dropped with `forget`.
 * A load that was under way when something was forgotten is not kept: it may have read the row
 * before the change committed.
 */
export class ReadThroughCache<K, V> {
  private readonly entries = new Map<K, V>();
  private epoch = 0;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly maxEntries: number,
  ) {}

  async get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (this.feed.live) {
      const hit = this.entries.get(key);
      if (hit !== undefined) return hit;
    }
    const epoch = this.epoch;
    const value = await load();
    if (value !== undefined && this.feed.live && epoch === this.epoch) this.keep(key, value);
    return value;
  }

  /** The value kept for `key`, without loading it; undefined when none is (or may be) kept. */
  peek(key: K): V | undefined {
    return this.feed.live ? this.entries.get(key) : undefined;
  }

  /** One key, or everything. */
  forget(key?: K): void {
    this.epoch += 1;
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }

  private keep(key: K, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }
}
