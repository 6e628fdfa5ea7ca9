import { type GodotServer, type GodotServerOptions, startGodotServer } from '@godot/server';
import { type Config, type LogJobData, loadConfig, queueShards } from '@godot/shared';
import { DeweyEmulator, freePort, RedisCluster, RedisServer, withRedis } from '@godot/testkit';
import { type GodotWorker, type GodotWorkerOptions, startGodotWorker } from '@godot/worker';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { GODOT_MAINS, GodotProcess } from '../godot-process.js';
import { fetchJson, waitUntil } from '../http-probe.js';
import {
  type QueueCounts,
  readQueueCounts,
  readWaitingJobs,
  type WaitingJob,
} from './queue-probe.js';
import {
  type ResolvedTestStackOptions,
  resolveTestStackOptions,
  stackEnv,
  type TestStackOptions,
} from './test-stack-options.js';

/** Options of {@link TestStack.spawn}. */
export interface SpawnOptions {
  /** A label for logs and errors. @default the role */
  name?: string;
  /** Environment on top of the stack's (e.g. `ADMIN_TOKEN`). @default {} */
  env?: Record<string, string>;
  /** Script to run, relative to the repository root (e.g. a compiled `dist/main.js`). @default GODOT_MAINS[role] */
  main?: string;
  /** Extra `node` flags, e.g. `--cpu-prof`. @default [] */
  nodeArgs?: string[];
}

/** How often {@link TestStack.spawn} tries again when the port found free was taken meanwhile. */
const SPAWN_ATTEMPTS = 3;

/**
 * A private Godot deployment for one test: a redis-server (or a Redis Cluster)
 * and the Dewey emulator, one config and environment, and any number of
 * servers and workers, in this process (`startServer`, `startWorker`) or as
 * processes run from source (`spawn`). One `close()` stops everything.
 * Every fixture, end-to-end suite, fault suite and the bench starts here.
 */
export class TestStack {
  /** The redis-server; on a cluster, its first master (`redisNodes` lists them all). */
  readonly redis: RedisServer;
  readonly cluster: RedisCluster | undefined;
  /** The config of in-process parts: the private URLs, 127.0.0.1, ports 0, the options' overrides. */
  readonly config: Config;
  /** The environment of every process (ports aside); `config` was read from it. */
  readonly env: Readonly<Record<string, string>>;
  readonly servers: GodotServer[] = [];
  readonly workers: GodotWorker[] = [];
  readonly processes: GodotProcess[] = [];
  readonly #dewey: DeweyEmulator | undefined;
  readonly #options: ResolvedTestStackOptions;
  readonly #spawnedServers: GodotProcess[] = [];
  #raw: Redis | undefined;
  #queue: Queue<LogJobData> | undefined;

  private constructor(
    redis: RedisServer | RedisCluster,
    dewey: DeweyEmulator | undefined,
    options: ResolvedTestStackOptions,
  ) {
    this.cluster = redis instanceof RedisCluster ? redis : undefined;
    this.redis = redis instanceof RedisCluster ? (redis.nodes[0] as RedisServer) : redis;
    this.#dewey = dewey;
    this.#options = options;
    const url = redis instanceof RedisCluster ? redis.seeds : redis.url;
    this.env = stackEnv(options, { url, cluster: this.cluster !== undefined }, dewey?.url);
    this.config = { ...loadConfig(this.env), PORT: 0, WORKER_PORT: 0, ...options.config };
  }

  /** Starts Redis and the emulator (as the options say); no server or worker yet. */
  static async start(options: TestStackOptions = {}): Promise<TestStack> {
    const o = resolveTestStackOptions(options);
    const [redis, dewey] = await Promise.allSettled([
      o.redis === 'cluster'
        ? RedisCluster.start({ masters: o.masters, ...o.aof })
        : RedisServer.start(o.aof),
      o.dewey === false ? undefined : DeweyEmulator.start(withoutDown(o.dewey)),
    ]);
    if (redis.status === 'rejected' || dewey.status === 'rejected') {
      await Promise.allSettled([
        redis.status === 'fulfilled' && redis.value.close(),
        dewey.status === 'fulfilled' && dewey.value?.close(),
      ]);
      throw redis.status === 'rejected' ? redis.reason : (dewey as PromiseRejectedResult).reason;
    }
    let stack: TestStack;
    try {
      stack = new TestStack(redis.value, dewey.value, o); // loadConfig may refuse `env`
    } catch (error) {
      await Promise.allSettled([redis.value.close(), dewey.value?.close()]);
      throw error;
    }
    if (o.dewey !== false && o.dewey.down) await stack.dewey.stop();
    return stack;
  }

  /** The emulator in this process: stoppable and restartable on its port; assertions read it directly. */
  get dewey(): DeweyEmulator {
    if (!this.#dewey) throw new Error('this stack runs no Dewey emulator (dewey: false)');
    return this.#dewey;
  }

  /** Every redis-server: the one, or the cluster's masters. */
  get redisNodes(): readonly RedisServer[] {
    return this.cluster?.nodes ?? [this.redis];
  }

  /** A plain connection for assertions (made on first use); fails a command after one retry. */
  get raw(): Redis {
    if (this.cluster) throw new Error('raw: this stack runs a Redis Cluster');
    this.#raw ??= new Redis(this.redis.url, { maxRetriesPerRequest: 1 });
    return this.#raw;
  }

  /** Shard 0's BullMQ queue on `raw`, to read or add jobs as Godot does. */
  get queue(): Queue<LogJobData> {
    this.#queue ??= new Queue<LogJobData>(this.config.QUEUE_NAME, { connection: this.raw });
    return this.#queue;
  }

  /** Starts a server in this process on a free port; `config` and `options` win over the stack's. */
  async startServer(
    config: Partial<Config> = {},
    options: Partial<GodotServerOptions> = {},
  ): Promise<GodotServer> {
    const server = await startGodotServer(
      { ...this.config, ...config },
      { logger: this.#options.logger, ...options },
    );
    this.servers.push(server);
    return server;
  }

  /** Starts a worker in this process; its job lock is `WORKER_LOCK_MS`, as `main.ts` sets it. */
  async startWorker(
    config: Partial<Config> = {},
    options: Partial<GodotWorkerOptions> = {},
  ): Promise<GodotWorker> {
    const merged = { ...this.config, ...config };
    const worker = await startGodotWorker(merged, {
      logger: this.#options.logger,
      lockDurationMs: merged.WORKER_LOCK_MS,
      // Checked twice per lock time, so a lost worker's jobs return within about one.
      stalledIntervalMs: merged.WORKER_LOCK_MS / 2,
      ...options,
    });
    this.workers.push(worker);
    return worker;
  }

  /**
   * Starts a server or worker as its own process with the stack's environment
   * on a free port, and resolves once it answers `/metrics`. Its `origin` is
   * its HTTP base URL; a server's WebSocket is `ws://<host:port>/`.
   */
  async spawn(role: 'server' | 'worker', options: SpawnOptions = {}): Promise<GodotProcess> {
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      try {
        const child = await GodotProcess.start({
          name: options.name ?? role,
          main: options.main ?? GODOT_MAINS[role],
          env: {
            ...this.env,
            [role === 'server' ? 'PORT' : 'WORKER_PORT']: String(port),
            ...options.env,
          },
          nodeArgs: options.nodeArgs ?? [],
          readyUrl: `http://127.0.0.1:${port}/metrics`,
        });
        this.processes.push(child);
        if (role === 'server') this.#spawnedServers.push(child);
        return child;
      } catch (error) {
        // A port found free can be taken before the child binds it (another
        // test, or an outgoing connection's ephemeral port): try a fresh one.
        if (attempt >= SPAWN_ATTEMPTS || !String(error).includes('EADDRINUSE')) throw error;
      }
    }
  }

  /**
   * Waits until a server's `/health` is 200 (Redis up and a worker's
   * heartbeat seen) and returns its last body. @param origin the server's
   * HTTP base URL; by default the first server spawned, else started.
   */
  async waitForHealth(origin = this.#firstServerOrigin(), timeoutMs = 20_000): Promise<unknown> {
    let last: unknown;
    await waitUntil(
      async () => {
        const health = await fetchJson(`${origin}/health`, 2000).catch((error: unknown) => ({
          status: 0,
          body: String(error),
        }));
        last = health.body;
        return health.status === 200;
      },
      timeoutMs,
      () => `${origin}/health 200; last: ${JSON.stringify(last)}`,
    );
    return last;
  }

  /** The depth of a shard (0 unless given), read straight from Redis on a connection of its own. */
  queueCounts(shard = 0): Promise<QueueCounts> {
    return withRedis(this.#redisPort(), (redis) => readQueueCounts(redis, this.#shard(shard)));
  }

  /** The jobs in a shard's wait list, oldest first, read straight from Redis. */
  waitingJobs(shard = 0): Promise<WaitingJob[]> {
    return withRedis(this.#redisPort(), (redis) => readWaitingJobs(redis, this.#shard(shard)));
  }

  /** Every process's recent output and every redis-server's log, for failure reports. */
  logs(): string {
    return [
      ...this.processes.map((child) => child.log()),
      ...this.redisNodes.map((node) => `[redis ${node.port}] ${node.log}`),
    ].join('\n');
  }

  /** SIGKILLs the processes still running, closes every in-process part, Dewey and Redis. */
  async close(): Promise<void> {
    await Promise.allSettled(this.processes.map((child) => child.kill()));
    await Promise.allSettled([
      ...this.servers.map((server) => server.close()),
      ...this.workers.map((worker) => worker.close()),
    ]);
    await this.#queue?.close().catch(() => undefined);
    this.#raw?.disconnect();
    await Promise.allSettled([this.#dewey?.close(), (this.cluster ?? this.redis).close()]);
  }

  #firstServerOrigin(): string {
    const spawned = this.#spawnedServers[0];
    if (spawned) return spawned.origin;
    const server = this.servers[0];
    if (!server) throw new Error('waitForHealth: no server in this stack');
    return `http://127.0.0.1:${server.port}`;
  }

  #redisPort(): number {
    if (this.cluster) throw new Error('queue probes read one redis-server, not a cluster');
    return this.redis.port;
  }

  #shard(index: number) {
    const shard = queueShards(this.config)[index];
    if (!shard)
      throw new RangeError(`no shard ${index} (QUEUE_SHARDS ${this.config.QUEUE_SHARDS})`);
    return shard;
  }
}

/** The emulator's own options, without the stack's `down`. */
function withoutDown<T extends { down?: boolean }>({ down: _, ...rest }: T): Omit<T, 'down'> {
  return rest;
}
