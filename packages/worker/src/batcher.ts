/** Options of `Batcher`. */
export interface BatcherOptions {
  /** Most items in a batch. @default 100 */
  maxItems?: number;
  /** Most serialized bytes in a batch (a single larger item still goes, alone). @default 8388608 */
  maxBytes?: number;
  /** A batch is sealed this long after its first item arrived. @default 100 */
  maxWaitMs?: number;
}

/**
 * Groups items into batches of at most `maxItems` items and `maxBytes` bytes,
 * sealing a batch when full or `maxWaitMs` after its first item, whichever
 * comes first (godot.md, Batches). Sealed batches are handed to `onBatch` in
 * order; the batcher knows nothing about delivery.
 */
export class Batcher<T> {
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly maxWaitMs: number;
  private items: T[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onBatch: (batch: T[]) => void,
    options: BatcherOptions = {},
  ) {
    this.maxItems = options.maxItems ?? 100;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.maxWaitMs = options.maxWaitMs ?? 100;
    if (!Number.isInteger(this.maxItems) || this.maxItems < 1)
      throw new Error('maxItems must be a positive integer');
    if (this.maxBytes < 1) throw new Error('maxBytes must be positive');
    if (this.maxWaitMs < 0) throw new Error('maxWaitMs must not be negative');
  }

  /** Items waiting in the open batch. */
  get pending(): number {
    return this.items.length;
  }

  /** Adds one item of `bytes` serialized size. */
  add(item: T, bytes: number): void {
    if (this.items.length > 0 && this.bytes + bytes > this.maxBytes) this.seal();
    this.items.push(item);
    this.bytes += bytes;
    if (this.items.length >= this.maxItems || this.bytes >= this.maxBytes) this.seal();
    else if (this.items.length === 1) this.timer = setTimeout(() => this.seal(), this.maxWaitMs);
  }

  /** Seals the open batch now, if it has anything (shutdown, tests). */
  seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.bytes = 0;
    this.onBatch(batch);
  }
}
