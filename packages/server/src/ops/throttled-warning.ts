import type { Logger } from '@godot/shared';

/**
 * One warning line per interval at most for an event that an attacker can
 * repeat thousands of times a second (a limit reached): the first occurrence is
 * logged at once, later ones are summed and logged when the interval is over.
 * The counters in /metrics have every occurrence; this is for humans.
 */
export class ThrottledWarning {
  private pending = 0;
  private lastReport = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    /** Fields added to every line (the limit's value, say). */
    private readonly fields: object,
    /** Least time between two lines. @default 10000 */
    private readonly intervalMs = 10_000,
    /** The field that carries the number of occurrences in a line. @default 'count' */
    private readonly countField = 'count',
  ) {}

  /** Records `count` occurrences. */
  add(count = 1): void {
    this.pending += count;
    if (this.timer !== undefined) return;
    const wait = this.lastReport + this.intervalMs - Date.now();
    if (wait <= 0) this.report();
    else {
      this.timer = setTimeout(() => this.report(), wait);
      this.timer.unref();
    }
  }

  /** Logs what is pending now, and stops the timer (server closing). */
  flush(): void {
    clearTimeout(this.timer);
    this.report();
  }

  private report(): void {
    this.timer = undefined;
    if (this.pending === 0) return;
    this.logger.warn({ ...this.fields, [this.countField]: this.pending }, this.message);
    this.pending = 0;
    this.lastReport = Date.now();
  }
}
