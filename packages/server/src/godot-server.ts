import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Config,
  createRedisConnection,
  DEFAULT_MAX_FRAME_BYTES,
  DeweyClient,
  deweyClientOptions,
  duplicateConnection,
  JobAppender,
  LOG_QUEUE_STREAMS,
  type Logger,
  type LogJobData,
  QueueBound,
  queueShards,
  RecentReader,
  type RedisConnection,
  recentAccountKey,
  recentWindowKey,
  shardShare,
} from '@godot/shared';
import { Queue } from 'bullmq';
import { createHttpApp } from './http/app.js';
import { createHttpServer, HTTP_CONNECTION_HEADROOM } from './http/http-server.js';
import { readApiRouter } from './http/read-api.js';
import { Ingest } from './ingest/ingest.js';
import { LevelStore } from './ingest/level-store.js';
import { createGodotMcpServer } from './mcp/godot-mcp-server.js';
import { HealthCheck } from './ops/health.js';
import { registerRecentWindowView } from './ops/recent-window-view.js';
import { createServerMetrics, type ServerMetrics } from './ops/server-metrics.js';
import { addCounts, readShardCounts } from './ops/shard-counts.js';
import { ThrottledWarning } from './ops/throttled-warning.js';
import { registerWorkerMetricsView } from './ops/worker-metrics-view.js';
import { TailService } from './read/tail-service.js';
import { WebSocketEndpoint } from './ws/websocket-endpoint.js';

/** The configuration the server reads (a subset of `Config`). */
export type GodotServerConfig = Pick<
  Config,
  | 'PORT'
  | 'HOST'
  | 'REDIS_URL'
  | 'REDIS_CLUSTER'
  | 'DEWEY_URL'
  | 'QUEUE_NAME'
  | 'QUEUE_SHARDS'
  | 'MAX_QUEUE_SIZE'
  | 'MAX_QUEUE_BYTES'
  | 'MAX_ENTRY_BYTES'
  | 'MAX_REPLY_BYTES'
  | 'BATCH_SIZE'
  | 'BATCH_MAX_BYTES'
  | 'BATCH_TIMEOUT_MS'
  | 'DEWEY_TIMEOUT_MS'
  | 'RETRY_INITIAL_DELAY_MS'
  | 'RETRY_MAX_DELAY_MS'
  | 'DEFAULT_LOG_LEVEL'
  | 'AUTH_TOKEN'
  | 'ADMIN_TOKEN'
  | 'MAX_HTTP_SESSIONS'
  | 'MAX_CALLS_IN_FLIGHT'
  | 'HEADERS_TIMEOUT_MS'
  | 'MAX_CONNECTIONS'
  | 'MAX_UNREAD_REPLY_BYTES'
  | 'ALLOWED_ORIGINS'
  | 'RECENT_WINDOW'
  | 'RECENT_MAX_BYTES'
  | 'MAX_TAILS'
>;

/** A running server. */
export interface GodotServer {
  /** The port actually bound (useful with `PORT=0`). */
  port: number;
  url: string;
  metrics: ServerMetrics;
  /** Stops accepting, answers in-flight `logger_log` calls, closes everything. */
  close(): Promise<void>;
}

/** Options of `startGodotServer` beyond the configuration. */
export interface GodotServerOptions {
  logger: Logger;
  /** WebSocket ping interval (dead-peer detection). @default 30000 */
  pingIntervalMs?: number;
}

/**
 * Starts the server process's whole surface on one port: MCP over WebSocket,
 * Streamable HTTP MCP at `/mcp`, `/health`, `/metrics` and the dashboard.
 */
export async function startGodotServer(
  config: GodotServerConfig,
  options: GodotServerOptions,
): Promise<GodotServer> {
  const { logger } = options;
  // Fail fast rather than buffer while Redis is away: logger_log must answer
  // within 1 s with an error, never hang (docs/product.md#redis-outage).
  const redis = createRedisConnection(config, {
    enableOfflineQueue: false,
    redis: {
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    },
  });
  redis.on('error', (error: Error) =>
    logger.debug({ err: error.message }, 'redis: connection error'),
  );
  await waitForRedis(redis, logger);
  // One BullMQ queue per shard, all on the one connection (queue-shards.ts).
  const queues = queueShards(config).map(({ name, prefix }) => {
    const queue = new Queue<LogJobData>(name, {
      connection: redis,
      prefix,
      streams: LOG_QUEUE_STREAMS,
    });
    queue.on('error', (error) => logger.debug({ err: error.message }, 'queue: error'));
    return queue;
  });
  const depthStates = ['waiting', 'active', 'delayed', 'failed'] as const;
  const metrics = createServerMetrics(async () =>
    addCounts(depthStates, await readShardCounts(queues, depthStates)),
  );
  registerWorkerMetricsView({
    registry: metrics.registry,
    redis,
    queueName: config.QUEUE_NAME,
    logger,
  });
  // A connection of its own for SUBSCRIBE, which takes a connection over.
  const subscriber = duplicateConnection(redis, {
    enableOfflineQueue: true,
    autoResubscribe: false,
  });
  subscriber.on('error', (error) =>
    logger.debug({ err: error.message }, 'redis: subscriber connection error'),
  );
  const levels = new LevelStore({
    redis,
    subscriber,
    defaultLevel: config.DEFAULT_LOG_LEVEL,
    logger,
  });
  await levels.start();
  // The bound is split evenly over the shards (docs/product.md#shards-and-redis-cluster).
  const maxEntries = shardShare(config.MAX_QUEUE_SIZE, queues.length);
  const maxBytes = shardShare(config.MAX_QUEUE_BYTES, queues.length);
  // So is the recent window (docs/product.md#recent-window).
  const recentBounds = {
    windowMs: config.RECENT_WINDOW,
    maxBytes:
      config.RECENT_MAX_BYTES === 0 ? 0 : shardShare(config.RECENT_MAX_BYTES, queues.length),
  };
  // Entries that went in without their window record are counted and
  // logged: the write path goes on, since they are safely queued.
  const windowFailures = new ThrottledWarning(
    logger,
    'recent window: entries queued but not written to the window (tails and recent reads miss them)',
    {},
  );
  const onRecentFailure = (error: string) => {
    metrics.recentWindowFailures.inc();
    windowFailures.add();
    logger.debug({ err: error }, 'recent window: write failed');
  };
  const ingest = new Ingest({
    shards: queues.map((queue) => ({
      queue,
      bound: new QueueBound(redis, queue, maxEntries, maxBytes),
      appender: new JobAppender(redis, queue, recentBounds, onRecentFailure),
    })),
    levels,
    connected: () => redis.status === 'ready',
    metrics,
    logger,
    maxEntryBytes: config.MAX_ENTRY_BYTES,
    maxJobEntries: config.BATCH_SIZE,
    maxJobBytes: config.BATCH_MAX_BYTES,
    gatherMs: config.BATCH_TIMEOUT_MS,
  });
  const dewey = new DeweyClient({
    ...deweyClientOptions(config),
    onStatusChange: (up) => metrics.deweyUp.set(up ? 1 : 0),
    logger,
  });
  dewey
    .connect()
    .catch((error: Error) => logger.warn({ err: error.message }, 'dewey: not reachable yet'));

  // Reads of the recent window get a connection of their own: a long scan
  // must not hold up the writes that acknowledge entries.
  const reader =
    recentBounds.maxBytes > 0
      ? duplicateConnection(redis, { enableOfflineQueue: false, autoResubscribe: false })
      : undefined;
  reader?.on('error', (error: Error) =>
    logger.debug({ err: error.message }, 'redis: reader connection error'),
  );
  const recent = reader
    ? new RecentReader(
        reader,
        queues.map((queue) => ({
          stream: recentWindowKey(queue),
          account: recentAccountKey(queue),
        })),
      )
    : undefined;
  if (reader && redis.status === 'ready') await waitForRedis(reader, logger, 2000);
  await recent?.markStarted().catch((error: Error) => {
    logger.warn({ err: error.message }, 'recent window: start not recorded');
  });
  const tails = recent
    ? new TailService({ reader: recent, logger, maxWaiting: config.MAX_TAILS })
    : undefined;

  const maxReplyBytes = config.MAX_REPLY_BYTES;
  const queueDepth = async () => addCounts(depthStates, await readShardCounts(queues, depthStates));
  const toolDeps = {
    ingest,
    levels,
    dewey,
    metrics,
    logger,
    maxReplyBytes,
    recent,
    tails,
    queueDepth,
  };
  const createMcpServer = (context?: { remoteAddress?: string }) =>
    createGodotMcpServer(toolDeps, context);
  // Room for an entry of MAX_ENTRY_BYTES whose every character JSON escapes, plus framing.
  const maxFrameBytes = Math.max(DEFAULT_MAX_FRAME_BYTES, config.MAX_ENTRY_BYTES * 2 + 64 * 1024);
  const health = new HealthCheck({
    redis,
    queues,
    queueName: config.QUEUE_NAME,
    deweyUp: () => dewey.isUp,
    lastOutOfMemory: () => ingest.lastOutOfMemory,
    recent: recent && {
      span: () => recent.span(),
      settings: { windowMs: config.RECENT_WINDOW, maxBytes: config.RECENT_MAX_BYTES },
    },
    queueMaxBytes: config.MAX_QUEUE_BYTES,
    drops: async () =>
      (await metrics.dropped.get()).values.reduce((sum, sample) => sum + sample.value, 0),
  });
  if (recent && tails) {
    registerRecentWindowView({
      registry: metrics.registry,
      span: () => recent.span(),
      tailsWaiting: () => tails.inFlight,
    });
  }
  const http = createHttpApp({
    createMcpServer,
    readApi: readApiRouter({
      deps: toolDeps,
      logger,
      tokens: [config.AUTH_TOKEN, config.ADMIN_TOKEN].filter(
        (token): token is string => token !== undefined,
      ),
    }),
    health: () => health.check(),
    metrics,
    queues,
    logger,
    redis,
    queueName: config.QUEUE_NAME,
    authToken: config.AUTH_TOKEN,
    adminToken: config.ADMIN_TOKEN,
    maxBodyBytes: maxFrameBytes,
    maxSessions: config.MAX_HTTP_SESSIONS,
    maxCallsInFlight: config.MAX_CALLS_IN_FLIGHT,
  });

  const server: Server = createHttpServer(http.app, {
    metrics,
    logger,
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    maxConnections: config.MAX_CONNECTIONS + HTTP_CONNECTION_HEADROOM,
  });
  const websocket = new WebSocketEndpoint(server, {
    createMcpServer,
    metrics,
    logger,
    authToken: config.AUTH_TOKEN,
    maxFrameBytes,
    pingIntervalMs: options.pingIntervalMs,
    maxConnections: config.MAX_CONNECTIONS,
    maxCallsInFlight: config.MAX_CALLS_IN_FLIGHT,
    maxUnreadReplyBytes: config.MAX_UNREAD_REPLY_BYTES,
    allowedOrigins: config.ALLOWED_ORIGINS,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: config.HOST, queue: config.QUEUE_NAME }, 'server listening');
  if (config.AUTH_TOKEN === undefined) {
    // Still open to everyone: today's clients send no token (docs/product.md#authentication).
    logger.warn(
      { port, host: config.HOST },
      'AUTH_TOKEN is unset: any client that reaches this port can log, query, clear logs and set levels; set AUTH_TOKEN unless only trusted clients can reach it',
    );
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    metrics,
    close: () => {
      closing ??= (async () => {
        // Stop accepting connections, answer every call already taken (later
        // ones get a clear error), then close the connections.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        tails?.close();
        await ingest.close();
        await websocket.close();
        await http.closeSessions();
        server.closeAllConnections();
        await stopped;
        await Promise.allSettled([dewey.close(), ...queues.map((queue) => queue.close())]);
        levels.close();
        subscriber.disconnect();
        reader?.disconnect();
        redis.disconnect();
        logger.info({}, 'server stopped');
      })();
      return closing;
    },
  };
}

/**
 * Without an offline queue, calls made before the first connection would fail;
 * give Redis a few seconds at start. If it is still away, start anyway:
 * `/health` says so and logging begins as soon as Redis answers.
 */
async function waitForRedis(
  redis: RedisConnection,
  logger: Logger,
  timeoutMs = 5000,
): Promise<void> {
  if (redis.status === 'ready') return;
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ready) logger.warn({ timeout_ms: timeoutMs }, 'redis: not reachable yet, starting anyway');
}
