import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@godot/shared';
import { freePort, type RedisServer } from '@godot/testkit';
import { GODOT_MAINS, GodotProcess, REPO_ROOT } from '../test/support/godot-process.js';
import { fetchJson } from '../test/support/http-probe.js';
import { TestStack } from '../test/support/stack/test-stack.js';
import type { LoadJob, LoadOutput } from './load-main.js';
import { jobsAdded } from './redis-stats.js';

/** Rows the bench emulator recorded, one entry per row. */
export interface TakenRows {
  messages: string[];
  storedAt: number[];
  createdAt: number[];
}

/** The bench's deployment: every part its own process. */
export interface BenchStack {
  /** The Redis (on a cluster, its first master: `redisNodes` lists them all). */
  redis: RedisServer;
  /** Every redis-server process: the one Redis, or the cluster's masters. */
  redisNodes: readonly RedisServer[];
  emulator: GodotProcess;
  server: GodotProcess;
  worker: GodotProcess;
  serverUrl: string;
  /** The configuration server and worker run with: queue name, shards, the window's bounds. */
  config: Config;
  /** Rows stored so far and the epoch ms of the last store. */
  emulatorStats(): Promise<{ rows: number; lastStoredAt: number }>;
  /** Every row recorded since the last take; the emulator forgets them. */
  take(): Promise<TakenRows>;
  /** BullMQ jobs added so far, over every queue shard. */
  jobsAdded(): Promise<number>;
  /** Runs a load process to completion and returns what it wrote. */
  runLoad(job: Omit<LoadJob, 'out'>): Promise<LoadOutput>;
  logs(): string;
  /** SIGTERM everything (so `--cpu-prof` profiles get written), then clean up. */
  close(): Promise<void>;
}

/** Options of {@link startBenchStack}. */
export interface BenchStackOptions {
  /** Profile server and worker with `--cpu-prof` into `<dir>/server` and `<dir>/worker`. @default undefined */
  profileDir?: string;
  /**
   * Run server and worker from `dist/` (built by `pnpm build`) as production
   * does, rather than from source through tsx, whose loader costs memory.
   * @default true
   */
  compiled?: boolean;
  /**
   * Run on a private 3-master Redis Cluster (AOF everysec on each) with
   * `QUEUE_SHARDS=shards`, instead of one redis-server. @default undefined
   */
  cluster?: { shards: number };
}

/** The compiled entry points, as deploy/supervisord.conf runs them. */
const COMPILED_MAINS = {
  server: 'packages/server/dist/main.js',
  worker: 'packages/worker/dist/main.js',
};

/**
 * Starts a {@link TestStack} with production's persistence (AOF,
 * `appendfsync everysec`) and production's timings, the bench emulator, and
 * Godot's server and worker with their default settings, each as its own
 * process on 127.0.0.1.
 */
export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), 'godot-bench-'));
  const [deweyPort, controlPort] = await Promise.all([freePort(), freePort()]);
  const control = `http://127.0.0.1:${controlPort}`;
  // The emulator runs apart from this process, so that its CPU is not the load's.
  const [stack, emulator] = await Promise.all([
    TestStack.start({
      redis: options.cluster ? 'cluster' : 'single',
      aof: { appendonly: true, appendfsync: 'everysec' },
      dewey: false,
      queuePrefix: 'bench',
      fastTimings: false,
      env: {
        DEWEY_URL: `ws://127.0.0.1:${deweyPort}`,
        LOG_LEVEL: 'warn',
        ...(options.cluster ? { QUEUE_SHARDS: String(options.cluster.shards) } : {}),
      },
    }),
    GodotProcess.start({
      name: 'emulator',
      main: 'bench/emulator-main.ts',
      env: { DEWEY_EMULATOR_PORT: String(deweyPort), BENCH_CONTROL_PORT: String(controlPort) },
      readyUrl: `${control}/stats`,
    }),
  ]);
  const spawnOptions = (role: 'server' | 'worker') => ({
    main: options.compiled === false ? GODOT_MAINS[role] : COMPILED_MAINS[role],
    nodeArgs: [
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ...(options.profileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, role)}`]
        : []),
    ],
  });
  const [server, worker] = await Promise.all([
    stack.spawn('server', spawnOptions('server')),
    stack.spawn('worker', spawnOptions('worker')),
  ]);
  await stack.waitForHealth(server.origin);
  let loads = 0;
  return {
    redis: stack.redis,
    redisNodes: stack.redisNodes,
    emulator,
    server,
    worker,
    serverUrl: `${server.origin.replace('http:', 'ws:')}/`,
    config: stack.config,
    async emulatorStats() {
      const { body } = await fetchJson(`${control}/stats`);
      return body as { rows: number; lastStoredAt: number };
    },
    async take() {
      const response = await fetch(`${control}/take`, { method: 'POST' });
      return (await response.json()) as TakenRows;
    },
    jobsAdded: () =>
      jobsAdded(
        stack.redisNodes.map((node) => node.port),
        stack.config,
      ),
    async runLoad(job) {
      const out = join(dir, `load-${++loads}.json`);
      const child = spawn(
        process.execPath,
        [
          '--conditions=godot-source',
          '--import',
          'tsx',
          'bench/load-main.ts',
          JSON.stringify({ ...job, out }),
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'pipe'] },
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk;
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      if (code !== 0) throw new Error(`load process exited ${code}: ${stderr}`);
      return JSON.parse(await readFile(out, 'utf8')) as LoadOutput;
    },
    logs: () => [stack.logs(), emulator.log()].join('\n'),
    async close() {
      await Promise.all([server.terminate(), worker.terminate()]);
      await emulator.terminate();
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
