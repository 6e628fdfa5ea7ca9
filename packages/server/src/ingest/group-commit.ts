import { TimeoutError, withDefaults, withTimeout } from '@godot/shared';

/** One call waiting in a {@link GroupCommit}, from its arrival to its answer. */
export interface PendingCall<T, R> {
  readonly item: T;
  /** The write that carries it reached the connection: a late failure may still have stored it. */
  sent: boolean;
  /** Answered (or expired): later outcomes are ignored. */
  settled: boolean;
  readonly resolve: (value: R) => void;
  readonly reject: (error: Error) => void;
  /** Fails the call at its deadline, whatever writes are ahead of it. */
  timer: NodeJS.Timeout | undefined;
}

/** Answers `call` with `value`, unless it was answered already. */
export function resolveCall<R>(call: PendingCall<unknown, R>, value: R): void {
  if (call.settled) return;
  call.settled = true;
  clearTimeout(call.timer);
  call.resolve(value);
}

/** Fails `call` with `error`, unless it was answered already. */
export function rejectCall<R>(call: PendingCall<unknown, R>, error: Error): void {
  if (call.settled) return;
  call.settled = true;
  clearTimeout(call.timer);
  call.reject(error);
}

/** Options of `GroupCommit`. */
export interface GroupCommitOptions<T, R> {
  /**
   * Writes one batch and answers its calls with {@link resolveCall} (or
   * {@link rejectCall}); a call may have expired meanwhile (`settled`).
   */
  write: (batch: PendingCall<T, R>[]) => Promise<void>;
  /** Answers the calls of a batch whose `write` rejected. */
  writeFailed: (batch: PendingCall<T, R>[], cause: unknown) => void;
  /** The error a call fails with when its deadline passes before its answer. */
  expired: (call: PendingCall<T, R>) => Error;
  /** Time from a call's arrival to its answer, whatever writes are ahead of it. @default 1000 */
  deadlineMs?: number;
  /** Most calls per write. @default 1000 */
  maxBatch?: number;
  /** A lingering write starts at once when this many calls wait. @default 100 */
  fullBatch?: number;
  /**
   * How long a write waits for more calls while calls keep coming (the last
   * write started less than `busyWindowMs` ago): they then share a write
   * instead of each paying for one. A call that arrives after a quiet spell
   * never waits. 0 turns it off. @default 2
   */
  lingerMs?: number;
  /** See `lingerMs`. @default 10 */
  busyWindowMs?: number;
}

/**
 * Group commit with a deadline per call. A write starts once the event loop
 * has read everything that arrived together (`setImmediate`), or `lingerMs`
 * later while calls keep coming; calls that arrive while it is in flight go
 * together in the next one. Each call fails at its own deadline, counted
 * from its arrival; a stuck write holds up the ones behind it no longer
 * than that.
 *
 * Per call, it costs one promise and one timer, and no closure of its own:
 * it is on the hot path of every entry.
 */
export class GroupCommit<T, R> {
  private readonly options: Required<GroupCommitOptions<T, R>>;
  private pending: PendingCall<T, R>[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(options: GroupCommitOptions<T, R>) {
    this.options = withDefaults(
      { deadlineMs: 1000, maxBatch: 1000, fullBatch: 100, lingerMs: 2, busyWindowMs: 10 },
      options,
    );
  }

  /** Queues `item` for the next write; settles as the write (or the deadline) decides. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall<T, R> = {
        item,
        sent: false,
        settled: false,
        resolve,
        reject,
        timer: undefined,
      };
      call.timer = setTimeout(this.expire, this.options.deadlineMs, call);
      this.pending.push(call);
      this.schedule();
    });
  }

  /** Resolves once every call submitted so far has been written (or has expired). */
  async drained(): Promise<void> {
    while (this.flushing || this.scheduled || this.pending.length > 0) {
      if (this.flushing) await this.flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Starts a write after the calls read in this turn of the event loop,
   * unless one runs; while calls keep coming, `lingerMs` later (or as soon
   * as `fullBatch` calls wait).
   */
  private schedule(): void {
    const { lingerMs, busyWindowMs, fullBatch } = this.options;
    if (this.lingerTimer && this.pending.length >= fullBatch) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.scheduled = false;
    }
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    const busy = performance.now() - this.lastFlush < busyWindowMs;
    if (lingerMs > 0 && busy && this.pending.length < fullBatch) {
      this.lingerTimer = setTimeout(this.start, lingerMs);
    } else setImmediate(this.start);
  }

  private readonly start = (): void => {
    this.scheduled = false;
    this.lingerTimer = undefined;
    this.lastFlush = performance.now();
    this.flushing ??= this.drain();
  };

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        await this.flush(this.pending.splice(0, this.options.maxBatch));
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async flush(batch: PendingCall<T, R>[]): Promise<void> {
    try {
      // The calls fail at their own deadlines, which all fall before this
      // one: it only keeps a stuck write from holding up the next.
      await withTimeout(this.options.write(batch), this.options.deadlineMs);
    } catch (cause) {
      if (!(cause instanceof TimeoutError)) this.options.writeFailed(batch, cause);
    }
  }

  private readonly expire = (call: PendingCall<T, R>): void => {
    const waiting = this.pending.indexOf(call);
    if (waiting >= 0) this.pending.splice(waiting, 1);
    rejectCall(call, this.options.expired(call));
  };
}
