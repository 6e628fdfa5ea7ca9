import { type Logger, withDefaults } from '@godot/shared';
import { ThrottledWarning } from '../ops/throttled-warning.js';

/** What the keeper needs of a queue's bound (`QueueBound` from @godot/shared). */
export interface KeptBound {
  /** Drops the oldest waiting entries beyond the bound; resolves with how many. */
  trim(): Promise<number>;
  /** Most entries waiting in this queue (its share of MAX_QUEUE_SIZE). */
  readonly max: number;
  readonly queue: { readonly qualifiedName: string };
}

/** Options of `BoundKeeper`. */
export interface BoundKeeperOptions {
  /** Every shard's bound: the drop report names the first one's `max` and their number. */
  bounds: readonly KeptBound[];
  /** Counts every entry dropped (`godot_logs_dropped_total`). */
  dropped: { inc(count: number): void };
  logger: Logger;
  /** Least time between two checks; one always follows the last write. @default 100 */
  trimIntervalMs?: number;
  /** Least time between two "dropped" lines in the log. @default 10000 */
  dropReportIntervalMs?: number;
}

/**
 * Enforces the queue bound off the reply path: the ingest tells it which
 * shard it wrote to ({@link written}), and it checks the shards written
 * since the last check, one check at a time, at most one per
 * `trimIntervalMs`, and always one after the last write. The bound's script
 * is atomic, so checks from several servers cannot drop twice; if Redis
 * fails a check, the shard is checked again after its next write.
 */
export class BoundKeeper {
  private readonly options: Required<BoundKeeperOptions>;
  private readonly drops: ThrottledWarning;
  /** Shards written since their last check. */
  private readonly untrimmed = new Set<KeptBound>();
  private trimming: Promise<void> | undefined;
  private trimAgain = false;
  private trimTimer: NodeJS.Timeout | undefined;
  private lastTrim = 0;

  constructor(options: BoundKeeperOptions) {
    this.options = withDefaults({ trimIntervalMs: 100, dropReportIntervalMs: 10_000 }, options);
    this.drops = new ThrottledWarning(
      options.logger,
      'queue full: oldest waiting entries dropped',
      {
        max_queue_size_per_shard: options.bounds[0]?.max,
        shards: options.bounds.length,
      },
      this.options.dropReportIntervalMs,
      'dropped',
    );
  }

  /** Notes that `bound`'s queue took entries, and schedules a check. */
  written(bound: KeptBound): void {
    this.untrimmed.add(bound);
    this.schedule();
  }

  /** Runs the check that would have followed the last write now, and reports what is left. */
  async close(): Promise<void> {
    for (;;) {
      if (this.trimTimer) {
        clearTimeout(this.trimTimer);
        this.trimTimer = undefined;
        this.lastTrim = 0;
        this.schedule();
      }
      if (!this.trimming) break;
      await this.trimming;
    }
    this.drops.flush();
  }

  private schedule(): void {
    if (this.trimming || this.trimTimer) {
      this.trimAgain = true;
      return;
    }
    const wait = this.lastTrim + this.options.trimIntervalMs - Date.now();
    if (wait > 0) {
      this.trimTimer = setTimeout(() => {
        this.trimTimer = undefined;
        this.schedule();
      }, wait);
      return;
    }
    this.lastTrim = Date.now();
    this.trimAgain = false;
    const bounds = [...this.untrimmed];
    this.untrimmed.clear();
    this.trimming = Promise.allSettled(bounds.map((bound) => bound.trim()))
      .then((results) => {
        let removed = 0;
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') removed += result.value;
          else {
            const bound = bounds[index] as KeptBound;
            this.untrimmed.add(bound);
            this.options.logger.warn(
              { err: String(result.reason), queue: bound.queue.qualifiedName },
              'ingest: bound check failed, retried on next flush',
            );
          }
        });
        if (removed > 0) {
          this.options.dropped.inc(removed);
          this.drops.add(removed);
        }
      })
      .finally(() => {
        this.trimming = undefined;
        if (this.trimAgain) this.schedule();
      });
  }
}
