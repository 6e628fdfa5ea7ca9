import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadGeneratorOptions, LoadResult } from './load-generator-options.js';
import { McpWsClient, readLogReply } from './mcp-ws-client.js';
import { PoissonPacer } from './poisson-pacer.js';

export type { LoadGeneratorOptions, LoadResult } from './load-generator-options.js';

interface Slot {
  client: McpWsClient | undefined;
  connecting: boolean;
}

/**
 * Drives `logger_log` over persistent raw WebSockets at a target rate
 * (paced by one tick, or like a fleet by a Poisson timer per socket: see
 * `pacing`) or as fast as allowed, with unique messages, and records each
 * call's fate:
 * acknowledged, refused, unanswered (socket lost), or hung. Sockets that close
 * are reopened until the run ends, so the load carries on across server
 * restarts. Bounded in time: issuing stops after `durationMs`, and every call
 * settles within `callTimeoutMs` after that.
 */
export class LoadGenerator {
  readonly #o: Required<LoadGeneratorOptions>;
  readonly #slots: Slot[];
  readonly #result: LoadResult;
  #issued = 0;
  #running = false;
  #next = 0;
  #started = 0;
  #deadline = 0;
  readonly #inFlight = new Set<Promise<void>>();
  #done: Promise<LoadResult> | undefined;

  constructor(options: LoadGeneratorOptions) {
    this.#o = {
      connections: 4,
      maxInFlight: 64,
      callTimeoutMs: 5000,
      maxCalls: Number.POSITIVE_INFINITY,
      prefix: 'load',
      component: 'load-generator',
      initialize: true,
      reconnectDelayMs: 100,
      recordTimings: false,
      pacing: 'tick',
      ...options,
    };
    if (!(this.#o.rate > 0)) throw new RangeError('rate must be > 0');
    if (!(this.#o.connections >= 1)) throw new RangeError('connections must be >= 1');
    this.#slots = Array.from({ length: this.#o.connections }, () => ({
      client: undefined,
      connecting: false,
    }));
    this.#result = {
      sent: 0,
      acknowledged: new Map(),
      refused: [],
      filtered: [],
      unanswered: [],
      hung: [],
      notSent: 0,
      late: 0,
      maxLateMs: 0,
      connects: 0,
      connectFailures: 0,
      latenciesMs: [],
      ackedAt: new Map(),
      elapsedMs: 0,
    };
  }

  /** Runs to the end and returns the result. */
  static run(options: LoadGeneratorOptions): Promise<LoadResult> {
    return new LoadGenerator(options).start();
  }

  /** The result so far (live). */
  get progress(): Readonly<LoadResult> {
    return this.#result;
  }

  /** Starts issuing; resolves with the result once the run is over and every call settled. */
  start(): Promise<LoadResult> {
    this.#done ??= this.#run();
    return this.#done;
  }

  /** Ends issuing early; `start()`'s promise then resolves as usual. */
  stop(): void {
    this.#running = false;
  }

  async #run(): Promise<LoadResult> {
    this.#running = true;
    this.#started = performance.now();
    this.#deadline = this.#started + this.#o.durationMs;
    await Promise.all(this.#slots.map((slot) => this.#open(slot)));
    const paced = Number.isFinite(this.#o.rate);
    const pacingStart = performance.now();
    const poisson = paced && this.#o.pacing === 'poisson';
    // A fleet's schedule runs its whole length however long its many sockets took to open.
    if (poisson) this.#deadline = pacingStart + this.#o.durationMs;
    const deadline = this.#deadline;
    const pacers = poisson ? this.#startPacers(pacingStart) : [];
    const ticking = paced && pacers.length === 0;
    while (this.#running && performance.now() < deadline && this.#issued < this.#o.maxCalls) {
      if (ticking) this.#pace(pacingStart);
      else if (!paced) for (const slot of this.#slots) this.#fill(slot);
      await sleep(ticking ? 2 : 20);
    }
    this.#running = false;
    for (const pacer of pacers) pacer.stop();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
    await Promise.all(this.#slots.map((slot) => slot.client?.close()));
    this.#result.elapsedMs = performance.now() - this.#started;
    return this.#result;
  }

  /** Issues what the target rate asks for by now; what finds no room is skipped. */
  #pace(since: number): void {
    const target = Math.min(
      this.#o.maxCalls,
      Math.floor(((performance.now() - since) * this.#o.rate) / 1000),
    );
    let due = target - this.#issued;
    for (let tried = 0; due > 0 && tried < this.#slots.length; ) {
      const slot = this.#slots[this.#next];
      this.#next = (this.#next + 1) % this.#slots.length;
      if (slot && this.#send(slot)) {
        due -= 1;
        tried = 0;
      } else tried += 1;
    }
    if (due > 0) {
      this.#result.notSent += due;
      this.#issued += due;
    }
  }

  /** One {@link PoissonPacer} per socket, each at its share of the rate. */
  #startPacers(from: number): PoissonPacer[] {
    return this.#slots.map((slot) => {
      const pacer = new PoissonPacer({
        ratePerSecond: this.#o.rate / this.#slots.length,
        until: this.#deadline,
        send: (lateMs) => {
          if (!this.#running || this.#issued >= this.#o.maxCalls) return undefined;
          // One at a time: the pacer sends only once the previous call settled.
          const call = this.#send(slot);
          if (call && lateMs !== undefined) {
            this.#result.late += 1;
            this.#result.maxLateMs = Math.max(this.#result.maxLateMs, lateMs);
          }
          return call;
        },
        onSkipped: () => {
          // Past `maxCalls` a due call is not wanted, so not missed either.
          if (this.#issued >= this.#o.maxCalls) return;
          this.#result.notSent += 1;
          this.#issued += 1;
        },
      });
      pacer.start(from);
      return pacer;
    });
  }

  /** Closed loop: tops a socket up to `maxInFlight`. */
  #fill(slot: Slot): void {
    while (this.#running && this.#issued < this.#o.maxCalls && this.#send(slot)) {
      // keep sending
    }
  }

  /** Sends one call on `slot`'s socket if it is open with room; returns its settlement. */
  #send(slot: Slot): Promise<void> | undefined {
    const client = slot.client;
    if (!client?.open || client.inFlight >= this.#o.maxInFlight) return undefined;
    // Numbered by calls sent (skipped pacing slots take no number): `${prefix}-0` … `-${sent - 1}`.
    const message = `${this.#o.prefix}-${this.#result.sent}`;
    this.#issued += 1;
    this.#result.sent += 1;
    const call = client
      .callTool('logger_log', {
        component: this.#o.component,
        level: 'INFO',
        message,
        trace_id: null,
        data: null,
      })
      .then((outcome) => {
        if (outcome.kind === 'closed') this.#result.unanswered.push(message);
        else if (outcome.kind === 'timeout') this.#result.hung.push(message);
        else {
          const read = readLogReply(outcome.reply);
          if (read.kind === 'acknowledged') {
            this.#result.acknowledged.set(message, read.id);
            if (this.#o.recordTimings) {
              this.#result.latenciesMs.push(outcome.ms);
              this.#result.ackedAt.set(message, Date.now());
            }
          } else if (read.kind === 'refused')
            this.#result.refused.push({ message, reason: read.reason, ms: outcome.ms });
          else this.#result.filtered.push(message);
        }
        if (!Number.isFinite(this.#o.rate) && this.#running) this.#fill(slot);
      });
    this.#track(call);
    return call;
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  /** Opens (or reopens) a slot's socket, retrying while the run lasts. */
  async #open(slot: Slot): Promise<void> {
    if (slot.connecting) return;
    slot.connecting = true;
    try {
      while (this.#running && performance.now() < this.#deadline) {
        try {
          const client = await McpWsClient.connect(this.#o.url, {
            connectTimeoutMs: 2000,
            requestTimeoutMs: this.#o.callTimeoutMs,
          });
          this.#result.connects += 1;
          if (this.#o.initialize) await client.initialize();
          if (!client.open) continue;
          slot.client = client;
          void client.closed.then(() => {
            if (slot.client === client) slot.client = undefined;
            if (this.#running)
              this.#track(sleep(this.#o.reconnectDelayMs).then(() => this.#open(slot)));
          });
          if (!Number.isFinite(this.#o.rate)) this.#fill(slot);
          return;
        } catch {
          this.#result.connectFailures += 1;
          await sleep(this.#o.reconnectDelayMs);
        }
      }
    } finally {
      slot.connecting = false;
    }
  }
}
