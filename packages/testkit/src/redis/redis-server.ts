import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../free-port.js';
import { withRedis } from './with-redis.js';

/** Options of {@link RedisServer.start}. */
export interface RedisServerOptions {
  /** Port on 127.0.0.1. @default a free port */
  port?: number;
  /** Data directory (AOF lives here). @default a fresh temp dir, removed by `cleanup()` */
  dir?: string;
  /** Turn the append-only file on. @default false */
  appendonly?: boolean;
  /** AOF fsync policy; `always` makes an acknowledged write survive SIGKILL. @default 'everysec' */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Eviction policy; BullMQ needs `noeviction`. @default 'noeviction' */
  maxmemoryPolicy?: string;
  /** Executable to run. @default 'redis-server' */
  binary?: string;
  /** How long to wait for the first PONG. @default 10_000 */
  startTimeoutMs?: number;
  /** More `--name value` arguments for redis-server. @default [] */
  extraArgs?: string[];
}

/** Thrown when the redis-server executable cannot be found. */
export const REDIS_NOT_FOUND_MESSAGE =
  'redis-server not found on PATH: install it with `apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis`';

// Children still running when the test process exits are killed with it, so a
// crashed or interrupted test run leaves no redis-server behind.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

const LOG_LINES_KEPT = 40;
const PORT_ATTEMPTS = 3;

/**
 * A private redis-server for one test file: its own port on 127.0.0.1 and its
 * own data directory, started in the foreground as a child process. Supports
 * graceful stop, SIGKILL, and restart on the same port and directory, so
 * tests can check what survives (AOF) a crash.
 */
export class RedisServer {
  readonly #options: Required<Omit<RedisServerOptions, 'port' | 'dir'>>;
  readonly #ownsDir: boolean;
  #port: number;
  #dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #log: string[] = [];

  private constructor(port: number, dir: string, ownsDir: boolean, options: RedisServerOptions) {
    this.#port = port;
    this.#dir = dir;
    this.#ownsDir = ownsDir;
    this.#options = {
      appendonly: false,
      appendfsync: 'everysec',
      maxmemoryPolicy: 'noeviction',
      binary: 'redis-server',
      startTimeoutMs: 10_000,
      extraArgs: [],
      ...options,
    };
  }

  /** Starts a redis-server and resolves once it answers PING. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'godot-redis-')));
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const server = new RedisServer(port, dir, ownsDir, options);
      try {
        await server.#launch();
        return server;
      } catch (error) {
        // Another process may have taken the free port in between: try another.
        const portTaken = String((error as Error).message).includes('Address already in use');
        if (options.port === undefined && portTaken && attempt < PORT_ATTEMPTS) continue;
        if (ownsDir) await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  /** The port on 127.0.0.1. */
  get port(): number {
    return this.#port;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }

  /** The data directory. */
  get dir(): string {
    return this.#dir;
  }

  /** Process id while running. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The last lines redis-server printed, for failure messages. */
  get log(): string {
    return this.#log.join('\n');
  }

  /** Graceful shutdown (SIGTERM: redis flushes the AOF and exits). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGTERM');
    const stopped = await Promise.race([this.#exited.then(() => true), sleep(10_000, false)]);
    if (!stopped) child.kill('SIGKILL');
    await this.#exited;
  }

  /** Crash: SIGKILL, no chance to flush anything. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** Starts again on the same port and directory (stopping gracefully first if running). */
  async restart(): Promise<void> {
    await this.stop();
    await this.#launch();
  }

  /** Stops and removes the data directory if `start()` created it. */
  async cleanup(): Promise<void> {
    await this.stop();
    if (this.#ownsDir) await rm(this.#dir, { recursive: true, force: true });
  }

  /** Same as `cleanup()`. */
  close(): Promise<void> {
    return this.cleanup();
  }

  #args(): string[] {
    const o = this.#options;
    return [
      ...['--port', String(this.#port), '--bind', '127.0.0.1', '--dir', this.#dir],
      // No RDB snapshots: only the AOF (when on) persists, as in production.
      ...['--save', '', '--appendonly', o.appendonly ? 'yes' : 'no'],
      ...['--appendfsync', o.appendfsync, '--maxmemory-policy', o.maxmemoryPolicy],
      ...['--daemonize', 'no'],
      ...o.extraArgs,
    ];
  }

  async #launch(): Promise<void> {
    const child = spawn(this.#options.binary, this.#args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#log = [];
    const keep = (chunk: Buffer) => {
      this.#log.push(...chunk.toString().split('\n').filter(Boolean));
      this.#log.splice(0, Math.max(0, this.#log.length - LOG_LINES_KEPT));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      child.once('close', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT' ? new Error(REDIS_NOT_FOUND_MESSAGE, { cause: error }) : error,
        );
      });
      child.once('exit', (code, signal) => {
        reject(
          new Error(`redis-server exited (${code ?? signal}) before answering PING:\n${this.log}`),
        );
      });
    });
    failed.catch(() => {}); // only observed through the race below
    if (child.pid !== undefined) track(child);
    const giveUp = new AbortController();
    try {
      await Promise.race([this.#waitForPong(giveUp.signal), failed]);
    } catch (error) {
      giveUp.abort();
      child.kill('SIGKILL');
      this.#child = undefined;
      throw error;
    }
  }

  async #waitForPong(signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.#options.startTimeoutMs;
    while (!signal.aborted) {
      // -LOADING while the AOF is replayed rejects too: keep asking.
      const pong = await withRedis(this.#port, (redis) => redis.ping(), { timeoutMs: 500 }).catch(
        () => null,
      );
      if (pong === 'PONG') return;
      if (Date.now() > deadline) {
        throw new Error(
          `redis-server gave no PONG within ${this.#options.startTimeoutMs} ms:\n${this.log}`,
        );
      }
      await sleep(20);
    }
  }
}
