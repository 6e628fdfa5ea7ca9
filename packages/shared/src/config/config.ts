import { z } from 'zod';
import { LEVELS, type Level, parseLevel } from '../queue/levels.js';
import { parseDuration } from '../util/duration.js';
import { GodotError } from '../util/godot-error.js';

/** The local code of a `ConfigError`. */
export type ConfigErrorCode = 'CONFIG_INVALID';

/** A configuration value that failed validation; `variable` names the environment variable. */
export class ConfigError extends GodotError<ConfigErrorCode> {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('CONFIG_INVALID', `${variable}: ${message}`);
  }
}

const int = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

/** A duration such as `15m` (parseDuration), read as milliseconds. */
const duration = (minMs: number, maxMs: number, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, context) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms < minMs || ms > maxMs) {
        context.addIssue({
          code: 'custom',
          message: `must be a duration from ${minMs / 1000}s to ${maxMs / 3_600_000}h, such as 15m, 900s or 1h`,
        });
        return z.NEVER;
      }
      return ms;
    });

const url = (protocols: string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
      error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    });

const optionalSecret = z.string().optional();

const PINO_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The URLs of REDIS_URL: one, or a cluster's seed nodes separated by commas. */
export function redisSeeds(redisUrl: string): string[] {
  return redisUrl
    .split(',')
    .map((seed) => seed.trim())
    .filter((seed) => seed.length > 0);
}

function isRedisUrl(text: string): boolean {
  return URL.canParse(text) && ['redis:', 'rediss:'].includes(new URL(text).protocol);
}

/** `0,2,4` or `0-2,5` as sorted distinct shard numbers; undefined when malformed. */
function parseShardList(text: string): number[] | undefined {
  const shards = new Set<number>();
  for (const part of text.split(',').map((item) => item.trim())) {
    const match = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!match) return undefined;
    const first = Number(match[1]);
    const last = Number(match[2] ?? match[1]);
    if (last < first) return undefined;
    for (let shard = first; shard <= last; shard += 1) shards.add(shard);
  }
  return [...shards].sort((a, b) => a - b);
}

/** `scheme://host[:port]` and nothing more, as a browser sends it in `Origin`. */
function isOrigin(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (
    url.host !== '' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    ['', '/'].includes(url.pathname)
  );
}

/** Every variable Godot reads (docs/product.md, "Configuration"), with its default. */
const configSchema = z.object({
  PORT: int(0, 65_535, 9060),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** One URL; with REDIS_CLUSTER, one or more seed nodes separated by commas. */
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((value) => redisSeeds(value).length > 0 && redisSeeds(value).every(isRedisUrl), {
      error:
        'must be a URL starting with redis:// or rediss:// (with REDIS_CLUSTER, several separated by commas)',
    }),
  /** Connect through ioredis `Cluster` (Redis Cluster); REDIS_URL lists seed nodes. */
  REDIS_CLUSTER: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  /** BullMQ queues the entries are spread over (docs/product.md#shards-and-redis-cluster). */
  QUEUE_SHARDS: int(1, 1024, 1),
  /** The shards this worker consumes, e.g. `0,2,4` or `0-2`; all of them when unset. */
  WORKER_SHARDS: z
    .string()
    .optional()
    .refine((value) => value === undefined || parseShardList(value) !== undefined, {
      error: 'must be shard numbers or ranges separated by commas, such as 0,2,4 or 0-2',
    })
    .transform((value) => (value === undefined ? undefined : parseShardList(value))),
  DEWEY_URL: url(['ws:', 'wss:'], 'ws://dewey-mcp:9020'),
  QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'must be letters, digits, - or _' })
    .default('godot-logs'),
  BATCH_SIZE: int(1, 1000, 100),
  BATCH_TIMEOUT_MS: int(0, 60_000, 100),
  MAX_QUEUE_SIZE: int(1, 100_000_000, 100_000),
  /** Serialized bytes of the entries waiting; the oldest are dropped beyond it. */
  MAX_QUEUE_BYTES: int(1024 * 1024, 64 * 1024 * 1024 * 1024, 256 * 1024 * 1024),
  MAX_ENTRY_BYTES: int(1024, 64 * 1024 * 1024, 1024 * 1024),
  /** How far back the recent window reaches (docs/product.md#recent-window), in ms once read. */
  RECENT_WINDOW: duration(1000, 24 * 3_600_000, '15m'),
  /** Most serialized bytes the recent window holds, over every shard; 0 turns it off. */
  RECENT_MAX_BYTES: int(0, 64 * 1024 * 1024 * 1024, 256 * 1024 * 1024),
  BATCH_MAX_BYTES: int(1024, 256 * 1024 * 1024, 8 * 1024 * 1024),
  DEWEY_TIMEOUT_MS: int(100, 600_000, 10_000),
  RETRY_INITIAL_DELAY_MS: int(1, 3_600_000, 1000),
  RETRY_MAX_DELAY_MS: int(1, 3_600_000, 30_000),
  DEFAULT_LOG_LEVEL: z
    .string()
    .default('TRACE')
    .refine((value) => parseLevel(value) !== undefined, {
      error: `must be one of ${LEVELS.join(', ')}`,
    })
    .transform((value) => parseLevel(value) as Level),
  LOG_LEVEL: z
    .enum(PINO_LEVELS, { error: `must be one of ${PINO_LEVELS.join(', ')}` })
    .default('info'),
  AUTH_TOKEN: optionalSecret,
  ADMIN_TOKEN: optionalSecret,
  WORKER_PORT: int(0, 65_535, 9061),
  WORKER_HOST: z.string().min(1).default('127.0.0.1'),
  /** BullMQ job lock: how soon a dead worker's jobs return to the queue. */
  WORKER_LOCK_MS: int(1000, 600_000, 30_000),
  // Limits on what clients may hold (docs/product.md, "Resource limits").
  /** Open WebSocket connections; beyond it, the idlest is closed first or the upgrade refused. */
  MAX_CONNECTIONS: int(1, 1_000_000, 1000),
  /** Streamable HTTP (/mcp) sessions of all servers of a queue (kept in Redis); beyond it, the least recently seen is forgotten. */
  MAX_HTTP_SESSIONS: int(1, 1_000_000, 1000),
  /** Requests one connection, or one /mcp session on one server, may have unanswered at once. */
  MAX_CALLS_IN_FLIGHT: int(1, 1_000_000, 1000),
  /** `logger_tail` calls that may wait at once on one server; more get a retryable error. */
  MAX_TAILS: int(1, 10_000, 64),
  /** Reply bytes a WebSocket client may leave unread before it gets backpressure, then is closed. */
  MAX_UNREAD_REPLY_BYTES: int(64 * 1024, 1024 * 1024 * 1024, 16 * 1024 * 1024),
  /** Largest logger_query reply; beyond it the rows' data is truncated, with a marker. */
  MAX_REPLY_BYTES: int(64 * 1024, 1024 * 1024 * 1024, 8 * 1024 * 1024),
  /** A TCP connection that sends no complete request headers within this is closed. */
  HEADERS_TIMEOUT_MS: int(100, 600_000, 10_000),
  /** Browser origins allowed to open a WebSocket (comma-separated); none by default. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0),
    )
    .refine((origins) => origins.every(isOrigin), {
      error: 'must be a comma-separated list of origins such as https://app.example.com',
    }),
});

/** Godot's validated, frozen configuration. */
export type Config = Readonly<z.output<typeof configSchema>>;

/**
 * Reads and validates the environment once. Only each package's `main.ts`
 * calls it; every other module takes options, and so stays testable without
 * changing the environment. Empty strings count as unset, as in most
 * container tooling. Throws `ConfigError` naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  // DEWEY_MCP_URL is the Python Godot's name for the same setting.
  if (input.DEWEY_URL === undefined && env.DEWEY_MCP_URL) input.DEWEY_URL = env.DEWEY_MCP_URL;
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const shown =
      variable === 'DEWEY_URL' && env.DEWEY_URL === undefined ? 'DEWEY_MCP_URL' : variable;
    throw new ConfigError(shown, issue?.message ?? 'invalid');
  }
  const config = result.data;
  if (!config.REDIS_CLUSTER && redisSeeds(config.REDIS_URL).length > 1) {
    throw new ConfigError('REDIS_URL', 'lists several URLs: set REDIS_CLUSTER=true for a cluster');
  }
  const beyond = config.WORKER_SHARDS?.find((shard) => shard >= config.QUEUE_SHARDS);
  if (beyond !== undefined) {
    throw new ConfigError(
      'WORKER_SHARDS',
      `shard ${beyond} does not exist: shards are numbered 0 to QUEUE_SHARDS - 1 (${config.QUEUE_SHARDS - 1})`,
    );
  }
  if (config.RETRY_MAX_DELAY_MS < config.RETRY_INITIAL_DELAY_MS) {
    throw new ConfigError('RETRY_MAX_DELAY_MS', 'must not be below RETRY_INITIAL_DELAY_MS');
  }
  return Object.freeze(config);
}
