/** One entry as `logger_log` takes it. */
export interface LogEntry {
  component: string;
  level: string;
  message: string;
  trace_id: string | null;
  data: Record<string, unknown> | null;
}

/**
 * Entries waiting for the wire, at most `capacity`; adding to a full buffer
 * drops the oldest, as the server's queue bound does (docs/product.md#queue-bound). A ring
 * so that both ends are O(1): entries taken back after a disconnect go to the
 * front, in their original order.
 */
export class EntryBuffer<T = LogEntry> {
  readonly #slots: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#slots = new Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends; returns how many old entries were dropped to make room (0 or 1). */
  push(entry: T): number {
    let dropped = 0;
    if (this.#size === this.capacity) {
      this.shift();
      dropped = 1;
    }
    this.#slots[(this.#head + this.#size) % this.capacity] = entry;
    this.#size += 1;
    return dropped;
  }

  /**
   * Puts entries back at the front, oldest first, as if they had never left.
   * They are older than anything buffered, so when it overflows they are the
   * ones dropped; returns how many.
   */
  unshift(entries: readonly T[]): number {
    const room = this.capacity - this.#size;
    const kept = entries.length > room ? entries.slice(entries.length - room) : entries;
    for (let i = kept.length - 1; i >= 0; i -= 1) {
      this.#head = (this.#head - 1 + this.capacity) % this.capacity;
      this.#slots[this.#head] = kept[i];
      this.#size += 1;
    }
    return entries.length - kept.length;
  }

  /** Removes and returns the oldest entry. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const entry = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size -= 1;
    return entry;
  }

  /** Empties the buffer; returns how many entries were in it. */
  clear(): number {
    const n = this.#size;
    while (this.#size > 0) this.shift();
    return n;
  }
}
