/** Options of `Batcher`. */
export interface BatcherOptions {
  /** Most entries in a batch. @default 100 */
  maxEntries?: number;
  /** Most serialized bytes in a batch (a single larger item still goes, alone). @default 8388608 */
  maxBytes?: number;
  /** A batch is sealed this long after its first item arrived. @default 100 */
  maxWaitMs?: number;
}

/**
 * Groups items (each holding one or more entries) into batches of at most
 * `maxEntries` entries and `maxBytes` bytes, sealing a batch when full or
 * `maxWaitMs` after its first item was queued, whichever comes first
 * (docs/product.md#batches). An item is never split: one that does not fit seals the open
 * batch and starts the next. Sealed batches are handed to `onBatch` in
 * order; the batcher knows nothing about delivery.
 */
export class Batcher<T> {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxWaitMs: number;
  private items: T[] = [];
  private entries = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onBatch: (batch: T[]) => void,
    options: BatcherOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 100;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.maxWaitMs = options.maxWaitMs ?? 100;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1)
      throw new Error('maxEntries must be a positive integer');
    if (this.maxBytes < 1) throw new Error('maxBytes must be positive');
    if (this.maxWaitMs < 0) throw new Error('maxWaitMs must not be negative');
  }

  /** Items waiting in the open batch. */
  get pending(): number {
    return this.items.length;
  }

  /**
   * Adds one item of `entries` entries and `bytes` serialized bytes; `since`
   * (epoch ms) is when its first entry was queued, if it waited already.
   */
  add(item: T, bytes: number, entries = 1, since?: number): void {
    if (
      this.items.length > 0 &&
      (this.entries + entries > this.maxEntries || this.bytes + bytes > this.maxBytes)
    ) {
      this.seal();
    }
    this.items.push(item);
    this.entries += entries;
    this.bytes += bytes;
    if (this.entries >= this.maxEntries || this.bytes >= this.maxBytes) this.seal();
    else if (this.items.length === 1) {
      const wait = since === undefined ? this.maxWaitMs : since + this.maxWaitMs - Date.now();
      this.timer = setTimeout(() => this.seal(), Math.max(0, wait));
    }
  }

  /** Seals the open batch now, if it has anything (shutdown, tests). */
  seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.entries = 0;
    this.bytes = 0;
    this.onBatch(batch);
  }
}
