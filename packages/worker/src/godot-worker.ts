import { hostname } from 'node:os';
import {
  type Config,
  createRedisConnection,
  DeweyClient,
  deweyClientOptions,
  LOG_QUEUE_STREAMS,
  type Logger,
  type LogJobData,
  queueShards,
  REDIS_KEYS,
} from '@godot/shared';
import { Queue } from 'bullmq';
import { LogWorker } from './delivery/log-worker.js';
import { migrateLegacyQueue } from './legacy/legacy-migration.js';
import { createWorkerHealth, startWorkerHttp } from './ops/worker-http.js';
import { createWorkerMetrics, type WorkerMetrics } from './ops/worker-metrics.js';
import { WorkerPresence } from './presence/worker-presence.js';

/** The configuration the worker reads (a subset of `Config`). */
export type GodotWorkerConfig = Pick<
  Config,
  | 'REDIS_URL'
  | 'REDIS_CLUSTER'
  | 'DEWEY_URL'
  | 'QUEUE_NAME'
  | 'QUEUE_SHARDS'
  | 'WORKER_SHARDS'
  | 'BATCH_SIZE'
  | 'BATCH_TIMEOUT_MS'
  | 'BATCH_MAX_BYTES'
  | 'DEWEY_TIMEOUT_MS'
  | 'RETRY_INITIAL_DELAY_MS'
  | 'RETRY_MAX_DELAY_MS'
  | 'WORKER_PORT'
  | 'WORKER_HOST'
>;

/** Options of `startGodotWorker` beyond the configuration. */
export interface GodotWorkerOptions {
  logger: Logger;
  /** Job lock; tests shorten it so a killed worker's jobs return sooner. @default 30000 */
  lockDurationMs?: number;
  /** @default 30000 */
  stalledIntervalMs?: number;
  /** @default `${hostname()}-${process.pid}` */
  workerId?: string;
}

/** A running worker. */
export interface GodotWorker {
  /** Port of `/health` and `/metrics`. */
  port: number;
  metrics: WorkerMetrics;
  close(): Promise<void>;
}

/** Starts the worker process: legacy migration, delivery, presence, HTTP. */
export async function startGodotWorker(
  config: GodotWorkerConfig,
  options: GodotWorkerOptions,
): Promise<GodotWorker> {
  const { logger } = options;
  const metrics = createWorkerMetrics();
  // BullMQ workers block on Redis and must retry for ever: no per-request limit.
  const redis = createRedisConnection(config, { redis: { maxRetriesPerRequest: null } });
  redis.on('error', (error: Error) =>
    logger.debug({ err: error.message }, 'redis: connection error'),
  );
  const dewey = new DeweyClient({
    ...deweyClientOptions(config),
    onStatusChange: (up) => metrics.deweyUp.set(up ? 1 : 0),
    logger,
  });
  // The shards this worker consumes: WORKER_SHARDS, or all of them.
  const shards = queueShards(config).filter(
    (shard) => config.WORKER_SHARDS?.includes(shard.index) ?? true,
  );
  const queues = shards.map(
    ({ name, prefix }) =>
      new Queue<LogJobData>(name, { connection: redis, prefix, streams: LOG_QUEUE_STREAMS }),
  );
  const first = queues[0];
  // The Python Godot's list lives on a single Redis only; its keys (and the
  // migration's multi-key commands) would span slots on a cluster. It goes to
  // shard 0, by the worker that consumes it.
  if (!config.REDIS_CLUSTER && shards[0]?.index === 0 && first !== undefined) {
    await migrateLegacyQueue({
      redis,
      queue: first,
      logger,
      onMigrated: (count) => metrics.migrated.inc(count),
    });
  } else if (config.REDIS_CLUSTER) {
    // Never silent: entries left there are not delivered from a cluster.
    const left = await redis.llen(REDIS_KEYS.legacyQueue);
    if (left > 0) {
      logger.warn(
        { key: REDIS_KEYS.legacyQueue, entries: left },
        "the Python Godot's logs:queue is not migrated on a Redis Cluster: migrate it on a single Redis first (README, Scaling out)",
      );
    }
  }

  // One BullMQ worker per shard; they share the Dewey connection and metrics.
  const workers = queues.map(
    (queue) =>
      new LogWorker({
        connection: redis,
        queue,
        dewey,
        metrics,
        logger,
        batchSize: config.BATCH_SIZE,
        batchTimeoutMs: config.BATCH_TIMEOUT_MS,
        batchMaxBytes: config.BATCH_MAX_BYTES,
        retryInitialDelayMs: config.RETRY_INITIAL_DELAY_MS,
        retryMaxDelayMs: config.RETRY_MAX_DELAY_MS,
        lockDurationMs: options.lockDurationMs,
        stalledIntervalMs: options.stalledIntervalMs,
      }),
  );
  const started = Promise.all(workers.map((worker) => worker.start()));
  const presence = new WorkerPresence({
    redis,
    queueName: config.QUEUE_NAME,
    workerId: options.workerId ?? `${hostname()}-${process.pid}`,
    registry: metrics.delivery,
    logger,
  });
  presence.start();
  const http = await startWorkerHttp({
    host: config.WORKER_HOST,
    port: config.WORKER_PORT,
    registry: metrics.registry,
    health: createWorkerHealth({ redis, deweyUp: () => dewey.isUp }),
  });
  logger.info(
    { port: http.port, queue: config.QUEUE_NAME, shards: shards.map((shard) => shard.index) },
    'worker listening',
  );

  let closing: Promise<void> | undefined;
  return {
    port: http.port,
    metrics,
    close: () => {
      closing ??= (async () => {
        await Promise.all(workers.map((worker) => worker.close()));
        await started;
        await presence.stop();
        await new Promise<void>((resolve) => http.server.close(() => resolve()));
        await Promise.allSettled([dewey.close(), ...queues.map((queue) => queue.close())]);
        redis.disconnect();
        logger.info({}, 'worker stopped');
      })();
      return closing;
    },
  };
}
