import { randomUUID } from 'node:crypto';
import {
  type Logger,
  mcpSessionsKey,
  type RedisConnection,
  withDefaults,
  withTimeout,
} from '@godot/shared';
import { Gauge } from 'prom-client';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { ThrottledWarning } from '../ops/throttled-warning.js';

/** Options of `HttpSessionRegistry`. */
export interface HttpSessionRegistryOptions {
  /** The server's connection; it should fail fast while Redis is away (no offline queue). */
  redis: RedisConnection;
  /** Servers of one queue (QUEUE_NAME) share their sessions. */
  queueName: string;
  metrics: ServerMetrics;
  logger: Logger;
  /** Most sessions of all servers together (MAX_HTTP_SESSIONS); one more forgets the least recently seen. @default 1000 */
  maxSessions?: number;
  /** A session not seen for this long is forgotten. @default 1800000 (30 min) */
  idleMs?: number;
  /** A session check waits this long for Redis, then lets the request through. @default 500 */
  timeoutMs?: number;
  /**
   * The clock scores are written with. Servers' clocks need only agree to
   * well within `idleMs`; a skew only blurs which session is least recent.
   * @default Date.now
   */
  now?: () => number;
}

/** What Redis said about a session id: `unavailable` when it did not answer. */
export type SessionLookup = 'known' | 'unknown' | 'unavailable';

const GAUGE_NAME = 'godot_http_sessions';

/** Ids are our UUIDs: a longer one cannot be known, and is not sent to Redis. */
const MAX_ID_LENGTH = 128;

const DEFAULTS = {
  maxSessions: 1000,
  idleMs: 30 * 60_000,
  timeoutMs: 500,
  now: Date.now,
};

/**
 * Each change is one Lua script on the set's one key (atomic, and one slot
 * on a cluster), rather than a MULTI: an ioredis MULTI of three commands
 * cost the server ~45 µs of CPU per /mcp request, a script ~12 µs (one
 * command object, one reply). Every script first forgets the sessions not
 * seen since ARGV[1] (exclusive) and returns how many as its first reply.
 */
const FORGET_IDLE = "local idle = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])";
const SCRIPTS = {
  /** ARGV: idle cutoff, maxSessions, now, id. Returns {idle, evicted for room}. */
  godotSessionOpen: `${FORGET_IDLE}
local limit = redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
return {idle, limit}`,
  /** ARGV: idle cutoff, now, id. Returns {idle, 1 if the session is live (and now seen) else 0}. */
  godotSessionTouch: `${FORGET_IDLE}
local score = redis.call('ZSCORE', KEYS[1], ARGV[3])
if score then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3]) end
return {idle, score and 1 or 0}`,
  /** ARGV: idle cutoff, id. Returns {idle, 1 if it was live else 0}. */
  godotSessionForget: `${FORGET_IDLE}
return {idle, redis.call('ZREM', KEYS[1], ARGV[2])}`,
};

type SessionScript = (key: string, ...args: (string | number)[]) => Promise<[number, number]>;

/**
 * The /mcp sessions of every server sharing one Redis, so that any server
 * can serve any session and a load balancer needs no sticky sessions
 * (docs/product.md#several-servers-and-workers). A session is only an id
 * and when it was last seen: each request is served statelessly, so no
 * server holds anything for it between requests. The set is capped
 * (sessions are created by clients; docs/product.md#resource-limits) and
 * each change is one script on one key: one round trip, atomic across servers.
 */
export class HttpSessionRegistry {
  private readonly options: Required<HttpSessionRegistryOptions>;
  private readonly key: string;
  private readonly evictions: ThrottledWarning;
  private readonly unrecorded: ThrottledWarning;
  private readonly scripts: Record<keyof typeof SCRIPTS, SessionScript>;

  constructor(options: HttpSessionRegistryOptions) {
    this.options = withDefaults(DEFAULTS, options);
    const { maxSessions, idleMs, timeoutMs, logger, metrics, redis } = this.options;
    if (!(Number.isInteger(maxSessions) && maxSessions >= 1 && idleMs > 0 && timeoutMs > 0))
      throw new RangeError('HttpSessionRegistry: limits must be positive');
    this.key = mcpSessionsKey(options.queueName);
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: 1, lua });
    }
    // defineCommand adds methods that ioredis's types cannot know of.
    const defined = redis as unknown as Record<keyof typeof SCRIPTS, SessionScript>;
    this.scripts = {
      godotSessionOpen: defined.godotSessionOpen.bind(redis),
      godotSessionTouch: defined.godotSessionTouch.bind(redis),
      godotSessionForget: defined.godotSessionForget.bind(redis),
    };
    this.evictions = new ThrottledWarning(
      logger,
      'http: MAX_HTTP_SESSIONS reached, least recently seen sessions forgotten',
      { max_http_sessions: maxSessions },
    );
    this.unrecorded = new ThrottledWarning(
      logger,
      'http: Redis unavailable, new /mcp sessions not recorded; their clients will be asked to initialize again',
      {},
    );
    const count = () => this.count();
    // Read at scrape time: the set is shared, and other servers change it.
    new Gauge({
      name: GAUGE_NAME,
      help: '/mcp sessions of this queue, shared by every server on its Redis (at most MAX_HTTP_SESSIONS), read at scrape time',
      registers: [metrics.registry],
      async collect() {
        // A gauge without labels cannot be hidden: while Redis does not
        // answer, it keeps its last reading.
        const live = await count().catch(() => undefined);
        if (live !== undefined) this.set(live);
      },
    });
  }

  /**
   * Records a new session and returns its id, first forgetting idle sessions
   * and, when the set is full, the least recently seen ones (never the new one).
   * If Redis cannot record it, the id is returned all the same: initialize
   * still succeeds, and the client can query Dewey while Redis is away
   * (logger_log fails then anyway, with its own clear error). Its next request
   * after Redis returns gets 404, and the client initializes again, as the
   * MCP spec tells it to. Refusing initialize instead would buy nothing:
   * sessions are not an authentication mechanism (AUTH_TOKEN is).
   */
  async open(): Promise<string> {
    const id = randomUUID();
    const now = this.options.now();
    try {
      // Keeps the maxSessions - 1 most recent, to make room for this one.
      const [idle, limit] = await this.run(
        this.scripts.godotSessionOpen(
          this.key,
          this.cutoff(now),
          this.options.maxSessions,
          now,
          id,
        ),
      );
      this.evicted('idle', idle);
      this.evicted('limit', limit);
      if (limit > 0) this.evictions.add(limit);
    } catch (error) {
      this.options.logger.debug({ err: String(error) }, 'http: session not recorded');
      this.unrecorded.add();
    }
    return id;
  }

  /**
   * Whether `id` is a live session, seen now if so. Sessions gone idle, this
   * one or others, are forgotten on the way (and counted).
   */
  async touch(id: string): Promise<SessionLookup> {
    if (id.length > MAX_ID_LENGTH) return 'unknown';
    const now = this.options.now();
    try {
      const [idle, known] = await this.run(
        this.scripts.godotSessionTouch(this.key, this.cutoff(now), now, id),
      );
      this.evicted('idle', idle);
      return known === 1 ? 'known' : 'unknown';
    } catch (error) {
      this.options.logger.debug({ err: String(error) }, 'http: session not checked');
      return 'unavailable';
    }
  }

  /** Ends session `id` for every server (DELETE /mcp): `known` if it was live. */
  async forget(id: string): Promise<SessionLookup> {
    if (id.length > MAX_ID_LENGTH) return 'unknown';
    try {
      const [idle, removed] = await this.run(
        this.scripts.godotSessionForget(this.key, this.cutoff(this.options.now()), id),
      );
      this.evicted('idle', idle);
      return removed === 1 ? 'known' : 'unknown';
    } catch (error) {
      this.options.logger.debug({ err: String(error) }, 'http: session not ended');
      return 'unavailable';
    }
  }

  /** Live sessions of all servers (those gone idle but not yet forgotten excluded). */
  count(): Promise<number> {
    const cutoff = this.options.now() - this.options.idleMs;
    return withTimeout(this.options.redis.zcount(this.key, cutoff, '+inf'), this.options.timeoutMs);
  }

  /** Logs what is pending (server closing). The Redis connection is the caller's. */
  close(): void {
    this.options.metrics.registry.removeSingleMetric(GAUGE_NAME);
    this.evictions.flush();
    this.unrecorded.flush();
  }

  private evicted(reason: 'idle' | 'limit', count: number): void {
    if (count > 0) this.options.metrics.httpSessionsEvicted.inc({ reason }, count);
  }

  /** Sessions last seen before this score are idle. */
  private cutoff(now: number): number {
    return now - this.options.idleMs;
  }

  /** A script's two counts, or a throw if Redis failed or did not answer in time. */
  private async run(script: Promise<[number, number]>): Promise<[number, number]> {
    const [first, second] = await withTimeout(script, this.options.timeoutMs);
    return [Number(first), Number(second)];
  }
}
