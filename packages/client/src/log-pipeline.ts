import type { JsonRpcReply } from '@godot/wire';
import { EntryBuffer, type LogEntry } from './entry-buffer.js';
import { GodotConnection } from './godot-connection.js';
import type { GodotRefusal, ResolvedLoggerOptions } from './godot-logger-options.js';
import { classifyReply, logCallFrame } from './log-call.js';
import { type GodotToolError, readToolError } from './tool-error.js';

/** Counters of one logger (shared by its `withTrace` children). */
export interface GodotLoggerStats {
  /** `logger_log` calls written to the socket (a call resent after a disconnect counts again). */
  sent: number;
  /** Entries Godot acknowledged. */
  acked: number;
  /**
   * Entries Godot refused: a JSON-RPC error or a tool error Godot marks not
   * retryable (bad input), both at once; or a retryable tool error on each
   * of 5 tries.
   */
  refused: number;
  /** Tool errors after which the entry was sent again: Godot marked them retryable, or gave no reason. */
  retried: number;
  /** Entries lost here: buffer overflow, or still unsent at `close()`. */
  dropped: number;
  /** Entries below `level`, never sent. */
  filtered: number;
  /** Entries waiting in the buffer. */
  buffered: number;
  /** Calls sent and not yet answered. */
  inFlight: number;
  /** True while a connection is open and initialized. */
  connected: boolean;
}

/** An entry and how many tool errors it already got. */
interface Queued {
  entry: LogEntry;
  toolErrors: number;
}

interface Pending extends Queued {
  sentAt: number;
}

/**
 * Tool errors an entry may get before it counts as refused. Godot says in
 * each tool error whether the entry is wrong (bad trace id, too large: refused
 * at once) or Godot is (Redis down, server shutting down: `retryable`,
 * tool-error.ts); an older Godot says neither, and its tool errors count as
 * retryable. A retryable one gives the entry a few more tries, each after the
 * rest of the buffer and after a pause that doubles with every tool error in
 * a row (`toolErrorPause`): a Godot that restarts within a few seconds loses
 * nothing, and no entry is retried for ever.
 */
const MAX_TOOL_ERRORS = 5;

/** Pause before sending again after the `streak`-th tool error in a row: 100 ms, doubling, ≤ 2 s. */
function toolErrorPause(streak: number): number {
  return Math.min(2000, 100 * 2 ** Math.max(0, streak - 1));
}

// After -32005, wait this long before sending again (Godot's cap is per connection).
const BUSY_PAUSE_MS = 20;

/**
 * The data path from the buffer to Godot and back: takes entries, keeps up
 * to `maxInFlight` calls unanswered on one connection, settles each reply,
 * and puts unanswered calls back in the buffer when the connection goes
 * (at-least-once: Godot may have queued some of them, so duplicates are
 * possible after a disconnect).
 */
export class LogPipeline {
  readonly #buffer: EntryBuffer<Queued>;
  readonly #pending = new Map<number, Pending>();
  readonly #connection: GodotConnection;
  readonly #counts = { sent: 0, acked: 0, refused: 0, retried: 0, dropped: 0, filtered: 0 };
  #toolErrorStreak = 0;
  readonly #idleWaiters = new Set<() => void>();
  readonly #watchdog: NodeJS.Timeout;
  #nextId = 1;
  #scheduled = false;
  #pausedUntil = 0;
  #closed = false;

  constructor(private readonly options: ResolvedLoggerOptions) {
    this.#buffer = new EntryBuffer(options.maxBuffered);
    this.#connection = new GodotConnection(options, {
      ready: () => this.#schedule(),
      reply: (reply) => this.#settle(reply),
      down: () => this.#requeuePending(),
    });
    this.#watchdog = setInterval(() => this.#checkStalled(), options.requestTimeoutMs / 2);
    this.#watchdog.unref();
    this.#connection.start();
  }

  /** Takes one entry (already filtered and redacted); O(1), never sends in the caller's time. */
  push(entry: LogEntry): void {
    if (this.#closed) {
      this.#counts.dropped += 1;
      return;
    }
    this.#counts.dropped += this.#buffer.push({ entry, toolErrors: 0 });
    this.#schedule();
  }

  countFiltered(): void {
    this.#counts.filtered += 1;
  }

  countDropped(): void {
    this.#counts.dropped += 1;
  }

  stats(): GodotLoggerStats {
    return {
      ...this.#counts,
      buffered: this.#buffer.size,
      inFlight: this.#pending.size,
      connected: this.#connection.ready,
    };
  }

  /** Resolves true once nothing is buffered or in flight, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.#idle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (drained: boolean) => {
        clearTimeout(timer);
        this.#idleWaiters.delete(onIdle);
        resolve(drained);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#idleWaiters.add(onIdle);
    });
  }

  /** Flushes (bounded by `flushTimeoutMs`), then closes; what is left is counted as dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush(this.options.flushTimeoutMs);
    this.#closed = true;
    clearInterval(this.#watchdog);
    await this.#connection.close();
    this.#counts.dropped += this.#buffer.clear() + this.#pending.size;
    this.#pending.clear();
  }

  #idle(): boolean {
    return this.#buffer.size === 0 && this.#pending.size === 0;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#pausedUntil - Date.now();
    if (wait > 0) setTimeout(() => this.#pump(), wait).unref();
    else setImmediate(() => this.#pump());
  }

  #pump(): void {
    this.#scheduled = false;
    const now = Date.now();
    while (this.#pending.size < this.options.maxInFlight && this.#buffer.size > 0) {
      if (!this.#connection.ready || now < this.#pausedUntil) break;
      const queued = this.#buffer.shift() as Queued;
      const id = this.#nextId;
      this.#nextId += 1;
      if (!this.#connection.send(logCallFrame(id, queued.entry))) {
        this.#counts.dropped += this.#buffer.unshift([queued]);
        break;
      }
      this.#pending.set(id, { ...queued, sentAt: now });
      this.#counts.sent += 1;
    }
    if (now < this.#pausedUntil && this.#buffer.size > 0) this.#schedule();
    if (this.#idle()) for (const waiter of [...this.#idleWaiters]) waiter();
  }

  #settle(reply: JsonRpcReply): void {
    if (typeof reply.id !== 'number') return;
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    const outcome = classifyReply(reply);
    if (outcome.kind === 'acked') {
      this.#counts.acked += 1;
      this.#toolErrorStreak = 0;
    } else if (outcome.kind === 'busy') {
      this.#counts.dropped += this.#buffer.unshift([pending]);
      this.#pausedUntil = Date.now() + BUSY_PAUSE_MS;
    } else if (outcome.code !== undefined) {
      this.#refuse(pending, outcome);
    } else {
      // A tool error: tried again only when Godot says it may pass later, or says nothing.
      const toolError = readToolError(reply.result);
      if ((toolError?.retryable ?? true) && pending.toolErrors + 1 < MAX_TOOL_ERRORS) {
        this.#retry(pending);
      } else {
        this.#refuse(pending, outcome, toolError);
      }
    }
    this.#schedule();
  }

  /** Sends an entry again after the rest of the buffer, pausing first (`toolErrorPause`). */
  #retry(pending: Pending): void {
    this.#counts.retried += 1;
    this.#counts.dropped += this.#buffer.push({
      entry: pending.entry,
      toolErrors: pending.toolErrors + 1,
    });
    this.#toolErrorStreak += 1;
    this.#pausedUntil = Math.max(
      this.#pausedUntil,
      Date.now() + toolErrorPause(this.#toolErrorStreak),
    );
  }

  #refuse(
    pending: Pending,
    outcome: { reason: string; code?: number },
    toolError?: GodotToolError,
  ): void {
    this.#counts.refused += 1;
    const { component, level, message } = pending.entry;
    const refusal: GodotRefusal = { component, level, message, ...outcome };
    if (toolError) {
      refusal.reasonCode = toolError.reason;
      refusal.retryable = toolError.retryable;
    }
    try {
      this.options.onRefused(refusal);
    } catch {
      // A throwing hook must not break delivery.
    }
  }

  #requeuePending(): void {
    const entries: Queued[] = [...this.#pending.values()];
    this.#pending.clear();
    this.#counts.dropped += this.#buffer.unshift(entries);
  }

  #checkStalled(): void {
    const oldest = this.#pending.values().next().value;
    if (oldest && Date.now() - oldest.sentAt > this.options.requestTimeoutMs) {
      this.#connection.drop();
    }
  }
}
