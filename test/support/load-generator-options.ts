/** Options of {@link LoadGenerator}. */
export interface LoadGeneratorOptions {
  /** The server's WebSocket URL, e.g. `ws://127.0.0.1:9060/`. */
  url: string;
  /** Persistent sockets. @default 4 */
  connections?: number;
  /**
   * Target `logger_log` calls per second over all sockets. `Infinity` runs a
   * closed loop: every socket keeps `maxInFlight` calls outstanding.
   */
  rate: number;
  /** How long calls are issued: from the start, or (`'poisson'`) from when every socket is open. */
  durationMs: number;
  /**
   * How a finite `rate` is paced:
   * - `'tick'`: every 2 ms, the calls the rate asks for by then go out
   *   round-robin over the sockets, pipelined up to `maxInFlight` each;
   * - `'poisson'`: like a fleet, each socket sends one call at a time at
   *   exponential intervals of mean `connections / rate`, on its own timer;
   *   a call falling due while the socket's previous call is unanswered goes
   *   out when that reply arrives and counts as `late`.
   * @default 'tick'
   */
  pacing?: 'tick' | 'poisson';
  /** Calls outstanding per socket at most (`'tick'` and closed loop); a pacing tick finding no room skips (`notSent`). @default 64 */
  maxInFlight?: number;
  /** A call unanswered this long counts as a hang. @default 5000 */
  callTimeoutMs?: number;
  /** Stop after this many calls, even before `durationMs`. @default Infinity */
  maxCalls?: number;
  /** Messages are `${prefix}-${n}`, n = 0, 1, … in sending order; make it unique per run. @default 'load' */
  prefix?: string;
  /** `component` of every entry. @default 'load-generator' */
  component?: string;
  /** Send `initialize` first on each new socket. @default true */
  initialize?: boolean;
  /** Wait between attempts to (re)open a socket. @default 100 */
  reconnectDelayMs?: number;
  /** Keep each acknowledged call's round trip and ack time (ms since epoch). @default false */
  recordTimings?: boolean;
}

/** What a run did, call by call. */
export interface LoadResult {
  /** `logger_log` calls sent. */
  sent: number;
  /** Acknowledged (`queued: true`): message → job id. These must reach Dewey. */
  acknowledged: Map<string, string>;
  /** Calls answered with a tool error or JSON-RPC error, with the round trip in ms. */
  refused: Array<{ message: string; reason: string; ms: number }>;
  /** Calls answered `queued: false` (below the component's level). */
  filtered: string[];
  /** Calls whose socket closed before the reply: outcome unknown, may or may not be stored. */
  unanswered: string[];
  /** Calls with no reply within `callTimeoutMs`: hangs, which fail a test. */
  hung: string[];
  /** Pacing slots skipped because no socket was open with room (outage, backpressure). */
  notSent: number;
  /** `'poisson'`: calls that fell due while their socket's previous call was unanswered. */
  late: number;
  /** `'poisson'`: the longest a `late` call went out past its due time, ms. */
  maxLateMs: number;
  /** Sockets opened (reconnections included) and attempts that failed. */
  connects: number;
  connectFailures: number;
  /** Round trip of each acknowledged call in ms (when `recordTimings`). */
  latenciesMs: number[];
  /** Epoch ms at which each acknowledged message's ack arrived (when `recordTimings`). */
  ackedAt: Map<string, number>;
  /** From start until every call settled. */
  elapsedMs: number;
}
