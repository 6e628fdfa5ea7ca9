/**
 * The container's process tree without a container
 * (docs/deploy.md#how-it-is-tested-without-docker):
 * `supervisord -c deploy/supervisord.conf` runs natively, with every path the
 * file expands pointed at this checkout and a temp dir. Redis runs from
 * deploy/redis.conf on a free port; the server and the worker run from source
 * through tsx (`node --conditions=godot-source --import tsx …/src/main.ts`),
 * so no build is needed and nothing here races other suites writing dist/.
 * The Dewey emulator runs in-process. Needs `supervisord` (Debian package
 * `supervisor`) and `redis-server` on the PATH.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeweyEmulator, freePort, RawWsClient, toolPayload, withRedis } from '@godot/testkit';
import { afterAll, beforeAll, describe, expect, it, type OnTestFailedHandler } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const confPath = join(root, 'deploy/supervisord.conf');
const COMPONENT = 'deploy-test';
const LOG_LINES_SHOWN = 300;

/** A program's line in `supervisorctl status`. */
interface ProgramStatus {
  state: string;
  pid: number | undefined;
}

function requireOnPath(binary: string, install: string): void {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error) throw new Error(`${binary} not found on PATH: install it with \`${install}\``);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
      return;
    } catch {
      // not a group leader, or gone already
    }
  }
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe('deploy/supervisord.conf', () => {
  let dir: string;
  let emulator: DeweyEmulator;
  let supervisord: ChildProcess | undefined;
  let exited: Promise<number | null>;
  let env: NodeJS.ProcessEnv;
  let redisPort: number;
  let serverPort: number;
  let outputPath: string;
  const stopOnExit = () => supervisord?.kill('SIGTERM');

  /** supervisord's and its programs' output so far. */
  const output = () => (outputPath ? readFileSync(outputPath, 'utf8') : '');
  const dumpOutput: OnTestFailedHandler = () => {
    const tail = output().split('\n').slice(-LOG_LINES_SHOWN).join('\n');
    console.error(`supervisord output (last ${LOG_LINES_SHOWN} lines):\n${tail}`);
  };

  /** Runs supervisorctl with the same environment; its exit code is not an error. */
  function ctl(...args: string[]): Promise<string> {
    return new Promise((resolvePromise) => {
      execFile(
        'supervisorctl',
        ['-c', confPath, ...args],
        { env, timeout: 10_000 },
        (_error, stdout, stderr) => resolvePromise(`${stdout}${stderr}`),
      );
    });
  }

  async function status(): Promise<Map<string, ProgramStatus>> {
    const programs = new Map<string, ProgramStatus>();
    for (const line of (await ctl('status')).split('\n')) {
      const match = /^(\S+)\s+([A-Z]+)\s*(?:pid (\d+))?/.exec(line);
      if (!match?.[1] || !match[2]) continue;
      const pid = match[3] === undefined ? undefined : Number(match[3]);
      programs.set(match[1], { state: match[2], pid });
    }
    return programs;
  }

  async function health(): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${serverPort}/health`, {
      signal: AbortSignal.timeout(2000),
    }).catch(() => undefined);
    return response?.status ?? 0;
  }

  /** Logs `m from` … `m to` over one raw WebSocket, as today's clients do (no initialize). */
  async function logEntries(from: number, to: number): Promise<void> {
    const client = await RawWsClient.connect(`ws://127.0.0.1:${serverPort}/`);
    try {
      for (let n = from; n <= to; n++) {
        client.send({
          jsonrpc: '2.0',
          id: n,
          method: 'tools/call',
          params: {
            name: 'logger_log',
            arguments: {
              component: COMPONENT,
              level: 'INFO',
              message: `m ${n}`,
              trace_id: null,
              data: null,
            },
          },
        });
        const reply = await client.next();
        expect(reply.id).toBe(n);
        expect(toolPayload(reply)).toMatchObject({ status: 'ok', queued: true });
      }
    } finally {
      await client.close();
    }
  }

  /** Waits until `m 1` … `m count` are all in the emulator (duplicates allowed: at-least-once). */
  async function waitForStored(count: number): Promise<void> {
    const expected = Array.from({ length: count }, (_, i) => `m ${i + 1}`);
    const missing = () => {
      const stored = new Set(
        emulator
          .stored()
          .filter((row) => row.component === COMPONENT)
          .map((row) => row.message),
      );
      return expected.filter((message) => !stored.has(message));
    };
    await waitFor(
      'entries in Dewey',
      () => (missing().length === 0 ? true : undefined),
      20_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; missing: ${missing().join(', ')}`);
    });
  }

  beforeAll(async () => {
    requireOnPath('supervisord', 'apt-get install -y supervisor');
    requireOnPath('redis-server', 'apt-get install -y redis-server');
    dir = await mkdtemp(join(tmpdir(), 'godot-supervisord-'));
    emulator = await DeweyEmulator.start();
    const ports = new Set<number>();
    while (ports.size < 3) ports.add(await freePort());
    [redisPort, serverPort] = [...ports] as [number, number, number];
    const workerPort = [...ports][2] as number;
    const user = userInfo().username;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? dir,
      // deploy/supervisord.conf: every path it expands.
      GODOT_SUPERVISOR_PIDFILE: join(dir, 'supervisord.pid'),
      GODOT_SUPERVISOR_LOGFILE: join(dir, 'supervisord.log'),
      GODOT_SUPERVISOR_SOCKET: join(dir, 'supervisor.sock'),
      GODOT_REDIS_BIN: 'redis-server',
      GODOT_REDIS_CONF: join(root, 'deploy/redis.conf'),
      GODOT_REDIS_DIR: dir,
      GODOT_REDIS_PORT: String(redisPort),
      // `user=` is a no-op when it names the user supervisord already runs as.
      GODOT_REDIS_USER: user,
      GODOT_APP_DIR: root,
      GODOT_NODE: process.execPath,
      GODOT_NODE_ARGS: '--conditions=godot-source --import tsx',
      GODOT_SERVER_MAIN: join(root, 'packages/server/src/main.ts'),
      GODOT_WORKER_MAIN: join(root, 'packages/worker/src/main.ts'),
      GODOT_NODE_USER: user,
      // Godot's own configuration, passed through to the server and the worker.
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DEWEY_URL: emulator.url,
      HOST: '127.0.0.1',
      PORT: String(serverPort),
      WORKER_HOST: '127.0.0.1',
      WORKER_PORT: String(workerPort),
      QUEUE_NAME: `deploy-test-${process.pid}`,
      // A SIGKILLed worker's jobs come back after 2 s instead of 30.
      WORKER_LOCK_MS: '2000',
      LOG_LEVEL: 'info',
    };
    // A file, not node's default stdio pipe: that is a socketpair, and the
    // programs' `stdout_logfile=/dev/stdout` cannot open a socket (ENXIO).
    outputPath = join(dir, 'output.log');
    const outputFd = openSync(outputPath, 'a');
    const child = spawn('supervisord', ['-n', '-c', confPath], {
      env,
      stdio: ['ignore', outputFd, outputFd],
    });
    closeSync(outputFd);
    supervisord = child;
    exited = new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
    // If this test process dies first, supervisord still stops its programs.
    process.once('exit', stopOnExit);
  }, 30_000);

  afterAll(async () => {
    process.off('exit', stopOnExit);
    const child = supervisord;
    if (child && child.exitCode === null && child.signalCode === null) {
      // A test failed before the last one stopped everything: do it here.
      const programs = [...(await status()).values()];
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(20_000, false)]);
      if (!stopped) child.kill('SIGKILL');
      // Whatever supervisord failed to stop; each program leads its own process group.
      for (const { pid } of programs) if (pid !== undefined && isAlive(pid)) killGroup(pid);
    }
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 40_000);

  it('starts redis, server and worker; /health turns 200', async ({ onTestFailed }) => {
    onTestFailed(dumpOutput);
    await waitFor(
      'GET /health 200',
      async () => ((await health()) === 200 ? true : undefined),
      30_000,
    );
    // RUNNING once a program has stayed up for its startsecs.
    const programs = await waitFor(
      'all three programs RUNNING',
      async () => {
        const current = await status();
        return [...current.values()].every((p) => p.state === 'RUNNING') ? current : undefined;
      },
      10_000,
    );
    expect([...programs.keys()].sort()).toEqual(['redis', 'server', 'worker']);
  }, 40_000);

  it('runs Redis with deploy/redis.conf, the port and data dir from the environment', async () => {
    const config = async (name: string) =>
      ((await withRedis(redisPort, (redis) => redis.config('GET', name))) as string[])[1];
    expect(await config('appendonly')).toBe('yes');
    expect(await config('appendfsync')).toBe('everysec');
    expect(await config('maxmemory-policy')).toBe('noeviction');
    expect(await config('save')).toBe('');
    expect(await config('protected-mode')).toBe('yes');
    expect(await config('bind')).toMatch(/^127\.0\.0\.1\b/);
    expect(await config('dir')).toBe(dir);
    expect(existsSync(join(dir, 'appendonlydir'))).toBe(true);
  });

  it('delivers logged entries to Dewey', async ({ onTestFailed }) => {
    onTestFailed(dumpOutput);
    await logEntries(1, 20);
    await waitForStored(20);
  }, 30_000);

  it('restarts a SIGKILLed worker, which delivers the rest', async ({ onTestFailed }) => {
    onTestFailed(dumpOutput);
    const pid = Number((await ctl('pid', 'worker')).trim());
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const restarted = await waitFor(
      'the worker RUNNING again with a new pid',
      async () => {
        const worker = (await status()).get('worker');
        return worker?.state === 'RUNNING' && worker.pid !== pid ? worker : undefined;
      },
      15_000,
    );
    expect(isAlive(pid)).toBe(false);
    expect(restarted.pid).toBeGreaterThan(0);
    await logEntries(21, 40);
    await waitForStored(40);
  }, 30_000);

  it('stops every process on SIGTERM and exits', async ({ onTestFailed }) => {
    onTestFailed(dumpOutput);
    const programs = await status();
    const pids = [...programs.values()].map((p) => p.pid).filter((pid) => pid !== undefined);
    expect(pids).toHaveLength(3);
    supervisord?.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(30_000, 'still running')]);
    expect(code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    // supervisord removes its pid file (and socket) on a clean exit.
    expect(existsSync(env.GODOT_SUPERVISOR_PIDFILE as string)).toBe(false);
    // Each exited 0 on SIGTERM, in this order: the server stops taking
    // entries, the worker returns what it holds, Redis writes its AOF last.
    const log = output();
    const stopped = ['server', 'worker', 'redis'].map((name) =>
      log.indexOf(`stopped: ${name} (exit status 0)`),
    );
    expect(stopped.every((index) => index >= 0)).toBe(true);
    expect([...stopped].sort((a, b) => a - b)).toEqual(stopped);
  }, 40_000);
});
