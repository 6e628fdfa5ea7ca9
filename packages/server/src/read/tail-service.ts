import type { LogEntry, Logger, RecentCursor, RecentReader } from '@godot/shared';
import { TailsBusyError } from './read-errors.js';

/** Options of `TailService`. */
export interface TailServiceOptions {
  reader: RecentReader;
  logger: Logger;
  /** Most tails waiting at once on this server (MAX_TAILS). @default 64 */
  maxWaiting?: number;
  /** How often a waiting tail looks for new entries. @default 100 */
  pollMs?: number;
}

/** One tail call, its input already checked. */
export interface TailRequest {
  /** Where to continue; the caller turned `since`, or nothing, into a cursor. */
  cursor: RecentCursor;
  /** How long to wait for a first match, in ms (0: answer at once). */
  waitMs: number;
  limit: number;
  match: (entry: LogEntry) => boolean;
}

/** A tail's answer. */
export interface TailAnswer {
  logs: LogEntry[];
  cursor: RecentCursor;
  /** The cursor right after `logs[index]` (-1: before the first). */
  cursorAfter(index: number): RecentCursor;
  /** Entries that aged out of the window after the cursor (true: how many is unknown). */
  missed?: number | true;
}

/**
 * `logger_tail`'s long poll (docs/product.md#logger_tail): reads the recent
 * window after a cursor and, when nothing matches, looks again every
 * `pollMs` until something does or the wait ends. The window is in Redis, so
 * a tail sees the entries every server accepted.
 *
 * Polling, not a blocking read: a blocking XREAD takes a connection per
 * tail, and on a cluster cannot span the shards' slots. A poll costs one
 * XRANGE per shard that finds nothing, and the tails that wait are capped.
 */
export class TailService {
  private readonly reader: RecentReader;
  private readonly logger: Logger;
  private readonly maxWaiting: number;
  private readonly pollMs: number;
  private waiting = 0;
  private closed = false;
  /** Wakes every waiting tail at shutdown, so each answers with what it has. */
  private readonly wakers = new Set<() => void>();

  constructor(options: TailServiceOptions) {
    this.reader = options.reader;
    this.logger = options.logger;
    this.maxWaiting = options.maxWaiting ?? 64;
    this.pollMs = options.pollMs ?? 100;
  }

  /** Tails waiting now. */
  get inFlight(): number {
    return this.waiting;
  }

  async tail(request: TailRequest): Promise<TailAnswer> {
    const deadline = Date.now() + request.waitMs;
    let missed: number | true | undefined;
    let cursor = request.cursor;
    let cursorAfter: TailAnswer['cursorAfter'] = () => cursor;
    const read = async () => {
      const result = await this.reader.read(cursor, {
        limit: request.limit,
        match: request.match,
      });
      cursor = result.cursor;
      cursorAfter = result.cursorAfter;
      if (result.missed !== undefined) {
        missed = missed === true || result.missed === true ? true : (missed ?? 0) + result.missed;
      }
      return result.entries;
    };
    const answer = (logs: LogEntry[]): TailAnswer =>
      missed === undefined ? { logs, cursor, cursorAfter } : { logs, cursor, cursorAfter, missed };

    const first = await read();
    if (first.length > 0 || request.waitMs <= 0 || this.closed) return answer(first);
    if (this.waiting >= this.maxWaiting) throw new TailsBusyError(this.maxWaiting);
    this.waiting++;
    try {
      while (!this.closed && Date.now() < deadline) {
        await this.pause(Math.min(this.pollMs, deadline - Date.now()));
        const logs = await read();
        if (logs.length > 0) return answer(logs);
      }
      return answer([]);
    } finally {
      this.waiting--;
    }
  }

  /** Ends every waiting tail now (each answers with what it has) and refuses to wait from then on. */
  close(): void {
    this.closed = true;
    if (this.wakers.size > 0) this.logger.debug({ tails: this.wakers.size }, 'tail: ending waits');
    for (const wake of this.wakers) wake();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.wakers.add(wake);
    });
  }
}
