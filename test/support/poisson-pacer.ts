/**
 * A wait drawn from the exponential distribution of mean `1000 / ratePerSecond`
 * ms: the gaps between the events of a Poisson process of that rate, as
 * calls arrive from components that each log on their own schedule.
 */
export function exponentialDelayMs(
  ratePerSecond: number,
  random: () => number = Math.random,
): number {
  // 1 - random() lies in (0, 1]: its log is finite (log1p keeps precision near 0).
  return (-Math.log1p(-random()) * 1000) / ratePerSecond;
}

/** Options of {@link PoissonPacer}. */
export interface PoissonPacerOptions {
  /** Mean calls per second of this one sender. */
  ratePerSecond: number;
  /** `performance.now()` after which no call is due any more. */
  until: number;
  /**
   * Sends one call now and returns its settlement, or `undefined` when it
   * cannot be sent (no open socket, call limit reached): that call is skipped.
   * `lateMs` is set when the call fell due while the previous one was
   * still unanswered: how long past its due time it goes out.
   */
  send(lateMs: number | undefined): Promise<unknown> | undefined;
  /** Called once per due call that was not sent. */
  onSkipped(): void;
  /** Uniform [0, 1) source. @default Math.random */
  random?: () => number;
}

/**
 * One sender of a fleet: issues calls at exponential intervals on its own
 * timer, one at a time. A call falling due while the previous one is still
 * unanswered goes out as soon as that reply arrives, and is reported late,
 * so that the schedule (and so the mean rate) is kept without ever putting
 * two calls on the wire at once. Due times are drawn from the schedule, not
 * from when calls went out: a slow reply delays calls, it does not thin them.
 */
export class PoissonPacer {
  readonly #o: Required<PoissonPacerOptions>;
  /** Due times (performance.now()) of calls waiting for the previous reply. */
  readonly #due: number[] = [];
  #busy = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PoissonPacerOptions) {
    this.#o = { random: Math.random, ...options };
    if (!(this.#o.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
  }

  /** Starts the schedule: the first call falls due one random interval after `from`. */
  start(from: number = performance.now()): void {
    this.#schedule(from + exponentialDelayMs(this.#o.ratePerSecond, this.#o.random));
  }

  /** Stops issuing: the timer is cleared and calls still waiting to go out are skipped. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const _ of this.#due.splice(0)) this.#o.onSkipped();
  }

  #schedule(due: number): void {
    if (this.#stopped || due >= this.#o.until) return;
    this.#timer = setTimeout(
      () => {
        this.#due.push(due);
        this.#pump(false);
        this.#schedule(due + exponentialDelayMs(this.#o.ratePerSecond, this.#o.random));
      },
      Math.max(0, due - performance.now()),
    );
  }

  /** Sends the oldest due call unless one is outstanding; `afterReply` marks it late. */
  #pump(afterReply: boolean): void {
    while (!this.#busy && !this.#stopped) {
      const due = this.#due.shift();
      if (due === undefined) return;
      const call = this.#o.send(afterReply ? Math.max(0, performance.now() - due) : undefined);
      if (!call) {
        this.#o.onSkipped();
        continue;
      }
      this.#busy = true;
      const next = () => {
        this.#busy = false;
        this.#pump(true);
      };
      call.then(next, next);
    }
  }
}
