import { DeweyErrorCode, DeweyRpcError } from './dewey-rpc-error.js';
import type { DeweyStore, StoredLog } from './store/dewey-store.js';

/** Options of `hold()`. */
export interface HoldOptions {
  /**
   * Store the batch before holding its reply (Dewey committed, the ack is lost:
   * a retry makes duplicates) instead of holding the request unprocessed.
   * @default false
   */
  storeFirst?: boolean;
}

/** The JSON-RPC error `rejectNext()` answers with. */
export interface RejectionOptions {
  /** @default -32603 */
  code?: number;
  /** @default 'Internal error: injected failure' */
  message?: string;
}

/** Counters of what clients asked; every `tools/call` counts, rejected or failed ones too. */
export interface DeweyCallCounts {
  /** Frames received, valid or not. */
  requests: number;
  /** `tools/call` requests, any tool. */
  toolCalls: number;
  /** `dewey_store_logs_batch` calls. */
  store: number;
  /** `dewey_query_logs` calls. */
  query: number;
  /** `dewey_clear_logs` calls. */
  clear: number;
  /** `dewey_get_log_stats` calls. */
  stats: number;
  /** `logs.length` of each store call (when `logs` was an array), in arrival order. */
  storeBatchSizes: number[];
  /** Calls answered by `rejectNext()`. */
  rejected: number;
}

const TOOL_COUNTERS: Record<string, 'store' | 'query' | 'clear' | 'stats'> = {
  dewey_store_logs_batch: 'store',
  dewey_query_logs: 'query',
  dewey_clear_logs: 'clear',
  dewey_get_log_stats: 'stats',
};

// Timeout of the `waitFor…` helpers unless given.
const DEFAULT_WAIT_MS = 10_000;

/**
 * The test controls of a `DeweyEmulator`: reply delay, held store calls,
 * injected rejections, call counters, and waiting for stored rows. The
 * emulator owns one, offers its test-facing methods as its own, and calls the
 * rest while it answers requests. Kept apart from the wire code so each file
 * reads on its own.
 */
export class DeweyFaults {
  readonly #store: Pick<DeweyStore, 'size' | 'snapshot'>;
  #replyDelayMs = 0;
  #hold: HoldOptions | undefined;
  #held: Array<(released: boolean) => void> = [];
  #rejections: DeweyRpcError[] = [];
  #calls: DeweyCallCounts = emptyCounts();
  #storeListeners = new Set<(rows: StoredLog[]) => void>();
  #waiters = new Set<() => void>();

  /** @param store The rows `waitForRows` waits for. */
  constructor(store: Pick<DeweyStore, 'size' | 'snapshot'>) {
    this.#store = store;
  }

  /** Delays every reply by `ms` (0 turns it off); requests stay answered in order. */
  setReplyDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`invalid reply delay: ${ms}`);
    this.#replyDelayMs = ms;
  }

  /** The current reply delay in milliseconds. */
  get replyDelayMs(): number {
    return this.#replyDelayMs;
  }

  /**
   * Holds every `dewey_store_logs_batch` from now on unanswered until
   * `release()` — e.g. to kill a worker while its batch is in flight. A held
   * request also holds the requests behind it on the same connection.
   */
  hold(options: HoldOptions = {}): void {
    this.#hold = { storeFirst: options.storeFirst ?? false };
  }

  /** Stops holding and lets every held store call proceed; returns how many were held. */
  release(): number {
    this.#hold = undefined;
    const held = this.#held;
    this.#held = [];
    for (const resume of held) resume(true);
    this.#changed();
    return held.length;
  }

  /** Store calls waiting for `release()` right now. */
  get heldCount(): number {
    return this.#held.length;
  }

  /** Answers the next `count` `tools/call` requests (any tool) with a JSON-RPC error instead. */
  rejectNext(count = 1, error: RejectionOptions = {}): void {
    const code = error.code ?? DeweyErrorCode.InternalError;
    const message = error.message ?? 'Internal error: injected failure';
    for (let i = 0; i < count; i++) this.#rejections.push(new DeweyRpcError(code, message));
  }

  /** A snapshot of the call counters. */
  get calls(): DeweyCallCounts {
    return { ...this.#calls, storeBatchSizes: [...this.#calls.storeBatchSizes] };
  }

  /** Zeroes the call counters. */
  resetCalls(): void {
    this.#calls = emptyCounts();
  }

  /** Calls `listener` with the rows of every stored batch; returns an unsubscribe function. */
  onStore(listener: (rows: StoredLog[]) => void): () => void {
    this.#storeListeners.add(listener);
    return () => this.#storeListeners.delete(listener);
  }

  /** Resolves with a copy of the stored rows once at least `count` are stored. */
  async waitForRows(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<StoredLog[]> {
    await this.#waitFor(
      () => this.#store.size >= count,
      timeoutMs,
      () => `${count} stored rows (have ${this.#store.size})`,
    );
    return this.#store.snapshot();
  }

  /** Resolves once at least `count` store calls have arrived in total. */
  waitForStoreCalls(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.#waitFor(
      () => this.#calls.store >= count,
      timeoutMs,
      () => `${count} store calls (have ${this.#calls.store})`,
    );
  }

  /** Resolves once at least `count` store calls are being held. */
  waitForHeld(count = 1, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.#waitFor(
      () => this.#held.length >= count,
      timeoutMs,
      () => `${count} held store calls (have ${this.#held.length})`,
    );
  }

  /** Counts one received frame. */
  countRequest(): void {
    this.#calls.requests++;
  }

  /** Counts one `tools/call`, by tool, with its batch size for store calls. */
  countToolCall(name: unknown, args: unknown): void {
    this.#calls.toolCalls++;
    const counter = typeof name === 'string' ? TOOL_COUNTERS[name] : undefined;
    if (counter) this.#calls[counter]++;
    if (counter === 'store' && typeof args === 'object' && args !== null && 'logs' in args) {
      if (Array.isArray(args.logs)) this.#calls.storeBatchSizes.push(args.logs.length);
    }
    this.#changed();
  }

  /** The injected error for this call, if one is pending. */
  takeRejection(): DeweyRpcError | undefined {
    const rejection = this.#rejections.shift();
    if (rejection) this.#calls.rejected++;
    return rejection;
  }

  /** The hold in force for store calls, if any. */
  get holding(): HoldOptions | undefined {
    return this.#hold;
  }

  /** Waits for `release()` (true) or `abandonHeld()` (false). */
  waitForRelease(): Promise<boolean> {
    const released = new Promise<boolean>((resolve) => this.#held.push(resolve));
    this.#changed();
    return released;
  }

  /** Drops held requests unanswered, as a dying Dewey would; holding stays on. */
  abandonHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const resume of held) resume(false);
  }

  /** Tells `onStore` listeners and waiters about a stored batch. */
  notifyStored(rows: StoredLog[]): void {
    for (const listener of this.#storeListeners) listener(rows);
    this.#changed();
  }

  #changed(): void {
    for (const check of [...this.#waiters]) check();
  }

  #waitFor(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }
}

function emptyCounts(): DeweyCallCounts {
  return {
    requests: 0,
    toolCalls: 0,
    store: 0,
    query: 0,
    clear: 0,
    stats: 0,
    storeBatchSizes: [],
    rejected: 0,
  };
}
