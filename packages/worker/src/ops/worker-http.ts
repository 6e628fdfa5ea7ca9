import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RedisConnection, withDefaults } from '@godot/shared';
import type { Registry } from 'prom-client';

/** Options of `startWorkerHttp`. */
export interface WorkerHttpOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Current health: HTTP code and JSON body. */
  health: () => Promise<{ code: number; body: object }>;
}

/** `GET /health` and `GET /metrics` on the worker's own port (127.0.0.1:9061 by default). */
export async function startWorkerHttp(
  options: WorkerHttpOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const respond = async () => {
      if (req.method === 'GET' && req.url === '/health') {
        const { code, body } = await options.health();
        res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } else if (req.method === 'GET' && req.url === '/metrics') {
        res
          .writeHead(200, { 'content-type': options.registry.contentType })
          .end(await options.registry.metrics());
      } else {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('not found: try /health or /metrics');
      }
    };
    respond().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Options of `createWorkerHealth`. */
export interface WorkerHealthOptions {
  /** The worker's connection (BullMQ's: no per-request limit, offline queue on). */
  redis: RedisConnection;
  deweyUp: () => boolean;
  /** A PING unanswered for this long reports Redis down. @default 1000 */
  timeoutMs?: number;
}

/**
 * The worker's `GET /health`: 200 while Redis answers, 503 otherwise, always
 * within `timeoutMs`. The worker's connection has `maxRetriesPerRequest: null`
 * (BullMQ needs it), so a PING sent while Redis is away would wait in ioredis's
 * offline queue until Redis returns: a connection that is not ready is down
 * without asking, and a ready one that does not answer (frozen) is down after
 * `timeoutMs`. Callers share the PING in flight, so a frozen Redis collects
 * one of them, not one per request.
 */
export function createWorkerHealth(
  options: WorkerHealthOptions,
): () => Promise<{ code: number; body: object }> {
  const { redis, deweyUp, timeoutMs } = withDefaults({ timeoutMs: 1000 }, options);
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
  let ping: Promise<boolean> | undefined;
  const redisAnswers = (): Promise<boolean> => {
    if (redis.status !== 'ready') return Promise.resolve(false);
    ping ??= redis
      .ping()
      .then(
        () => true,
        () => false,
      )
      .finally(() => {
        ping = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return Promise.race([ping, late]).finally(() => clearTimeout(timer));
  };
  return async () => {
    const up = await redisAnswers();
    const body = { status: up ? 'ok' : 'unhealthy', redis: { up }, dewey: { up: deweyUp() } };
    return { code: up ? 200 : 503, body };
  };
}
