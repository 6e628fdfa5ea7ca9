/**
 * The container, built and run (docs/deploy.md#the-container-test):
 * `pnpm container:test` builds the production Dockerfile with podman and
 * runs the image with a Dewey emulator in this process beside it. Not part of `pnpm test` (the file name keeps it
 * out of the root vitest include); .ci/run runs it after `pnpm test`.
 *
 * The base is GODOT_NODE_IMAGE when set (node:20-bookworm-slim, where it can
 * be pulled), else scripts/container-base.sh's local stand-in (cached). The
 * container runs with host networking (see podman.ts), so it needs 9060 and
 * 9061 free, and its Redis takes a free port instead of 6379, which the
 * machine's own Redis holds. Containers, the volume and the image made here
 * are removed afterwards; the stand-in base stays cached.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeweyEmulator, freePort, withRedis } from '@godot/testkit';
import { afterAll, beforeAll, describe, expect, it, type OnTestFailedHandler } from 'vitest';
import { checkDelivery, describeDelivery } from '../../support/delivery-check.js';
import { fetchJson, waitUntil } from '../../support/http-probe.js';
import { McpWsClient, readLogReply } from '../../support/mcp-ws-client.js';
import { buildGodotImage, requirePortFree } from './image-build.js';
import { missingTools, Podman } from './podman.js';

const root = resolve(import.meta.dirname, '../../..');
/** The ports the image's server and worker listen on (docs/product.md#processes). */
const SERVER_PORT = 9060;
const WORKER_PORT = 9061;
/** `podman stop` must end everything within this (docs/product.md#shutdown). */
const STOP_LIMIT_S = 30;
const COMPONENT = 'container-test';
const LOG_LINES_SHOWN = 200;

describe.sequential('the Godot image under podman', () => {
  const run = `${process.pid}`;
  const image = `localhost/godot:container-test-${run}`;
  const container = `godot-container-test-${run}`;
  const volume = `godot-container-test-${run}`;
  const summary: string[] = [];
  /** Every message the server acknowledged, in order. */
  const acknowledged: string[] = [];
  let dir: string;
  let podman: Podman;
  let emulator: DeweyEmulator;
  let redisPort: number;
  let buildLog: string;
  let next = 1;

  const note = (line: string) => {
    summary.push(line);
    console.log(`container: ${line}`);
  };
  const dumpLogs: OnTestFailedHandler = async () => {
    const logs = await podman.logs(container);
    const tail = logs.split('\n').slice(-LOG_LINES_SHOWN).join('\n');
    console.error(`${container} output (last ${LOG_LINES_SHOWN} lines):\n${tail}`);
  };

  async function health(): Promise<{ status: number; body: unknown }> {
    return fetchJson(`http://127.0.0.1:${SERVER_PORT}/health`, 2000).catch(() => ({
      status: 0,
      body: undefined,
    }));
  }

  /** Starts a container of the image on the test's volume; waits for /health 200. */
  async function startContainer(): Promise<void> {
    await podman.run([
      'run',
      '--detach',
      `--name=${container}`,
      '--network=host',
      `--volume=${volume}:/data`,
      // Another port than the machine's own Redis (host networking); the
      // server and the worker find it through REDIS_URL.
      `--env=GODOT_REDIS_PORT=${redisPort}`,
      `--env=REDIS_URL=redis://127.0.0.1:${redisPort}`,
      `--env=DEWEY_URL=${emulator.url}`,
      image,
    ]);
    let last: unknown;
    await waitUntil(
      async () => {
        const reply = await health();
        last = reply.body;
        return reply.status === 200;
      },
      60_000,
      () => `GET :${SERVER_PORT}/health 200; last answer ${JSON.stringify(last)}`,
      250,
    );
  }

  /** `podman stop` (SIGTERM, SIGKILL after the limit); resolves with the seconds it took. */
  async function stopContainer(): Promise<number> {
    const started = performance.now();
    await podman.run(['stop', `--time=${STOP_LIMIT_S}`, container], (STOP_LIMIT_S + 30) * 1000);
    return (performance.now() - started) / 1000;
  }

  /** Logs `count` entries over one WebSocket, pipelined; every one must be acknowledged. */
  async function logEntries(count: number): Promise<string[]> {
    const client = await McpWsClient.connect(`ws://127.0.0.1:${SERVER_PORT}/`, {
      requestTimeoutMs: 10_000,
    });
    try {
      const messages = Array.from({ length: count }, () => `entry ${next++}`);
      const outcomes = await Promise.all(
        messages.map((message) =>
          client.callTool('logger_log', {
            component: COMPONENT,
            level: 'INFO',
            message,
            trace_id: null,
            data: null,
          }),
        ),
      );
      const results = outcomes.map((o) => (o.kind === 'reply' ? readLogReply(o.reply) : o));
      expect(results.filter((r) => r.kind !== 'acknowledged')).toEqual([]);
      acknowledged.push(...messages);
      return messages;
    } finally {
      await client.close();
    }
  }

  /** Waits until Dewey has every acknowledged entry (duplicates allowed: at least once). */
  async function expectAllDelivered(label: string, timeoutMs = 60_000): Promise<void> {
    const stored = () =>
      emulator
        .stored()
        .filter((row) => row.component === COMPONENT)
        .map((row) => row.message);
    await waitUntil(
      () => checkDelivery(acknowledged, stored()).lost.length === 0,
      timeoutMs,
      () => describeDelivery(label, checkDelivery(acknowledged, stored())),
      200,
    ).catch(() => undefined);
    const report = checkDelivery(acknowledged, stored());
    note(describeDelivery(label, report));
    expect(report.lost).toEqual([]);
  }

  /**
   * Stops the container, checks the stop (every program exits 0 within the
   * limit), and removes it (the volume stays).
   */
  async function expectCleanStop(label: string): Promise<void> {
    const took = await stopContainer();
    const state = await podman.state(container);
    // The server stops taking entries first, the worker returns what it
    // holds, Redis writes its AOF last.
    const stopped = [...(await podman.logs(container)).matchAll(/stopped: (\w+) \(([^)]*)\)/g)].map(
      (m) => ({ name: m[1], how: m[2] }),
    );
    note(
      `${label}: podman stop took ${took.toFixed(1)} s; ${stopped.map((p) => `${p.name} ${p.how}`).join(', ')}`,
    );
    // 0, not 137: supervisord exited on SIGTERM by itself, not by SIGKILL.
    expect(state).toEqual({ status: 'exited', exitCode: 0 });
    expect(took).toBeLessThan(STOP_LIMIT_S);
    expect(stopped.map((p) => p.name)).toEqual(['server', 'worker', 'redis']);
    for (const { how } of stopped) expect(how).toBe('exit status 0');
    await podman.run(['rm', container]);
  }

  beforeAll(async () => {
    const missing = missingTools();
    if (missing) throw new Error(missing);
    dir = await mkdtemp(join(tmpdir(), 'godot-container-test-'));
    buildLog = join(dir, 'build.log');
    podman = await Podman.create({ dir });
    // Two runs cannot overlap (both need 9060): anything named like ours is
    // what a run killed before its cleanup left behind.
    await podman.removeNamed(['godot-container-test-', 'localhost/godot:container-test-']);
    await requirePortFree(SERVER_PORT, '0.0.0.0');
    await requirePortFree(WORKER_PORT, '127.0.0.1');
    emulator = await DeweyEmulator.start();
    redisPort = await freePort();
  });

  afterAll(async () => {
    if (podman) {
      await podman.try(['rm', '--force', '--time=5', container]);
      await podman.try(['volume', 'rm', '--force', volume]);
      await podman.try(['rmi', '--force', image]);
    }
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`container test summary:\n${summary.map((line) => `  ${line}`).join('\n')}`);
  }, 60_000);

  it(
    'builds the production Dockerfile',
    async ({ onTestFailed }) => {
      onTestFailed(async () => {
        const log = await readFile(buildLog, 'utf8').catch(() => '');
        console.error(`build log (last 80 lines):\n${log.split('\n').slice(-80).join('\n')}`);
      });
      const report = await buildGodotImage(podman, {
        root,
        tag: image,
        logPath: buildLog,
        nodeImage: process.env.GODOT_NODE_IMAGE,
      });
      note(`base ${report.base} ready in ${report.baseSeconds.toFixed(1)} s`);
      note(`image built in ${report.buildSeconds.toFixed(1)} s`);
      note(`image size ${(report.bytes / 1e6).toFixed(1)} MB (${report.bytes} bytes)`);
      expect(report.bytes).toBeGreaterThan(0);
    },
    30 * 60_000,
  );

  it('answers GET /health with 200 on 9060; the image HEALTHCHECK passes', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    // `podman run` creates the named volume.
    await startContainer();
    const { body } = await health();
    expect(body).toMatchObject({ redis: { up: true }, worker: { workers: 1 } });
    // The Dockerfile's HEALTHCHECK command, run now rather than on its timer.
    await podman.run(['healthcheck', 'run', container]);
  }, 120_000);

  it('serves the log explorer from the image, with its CSP, and a recent window in /health', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    const origin = `http://127.0.0.1:${SERVER_PORT}`;
    const root = await fetch(`${origin}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/logs');
    for (const path of ['/logs', '/logs/app.js', '/logs/style.css']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toContain("default-src 'none'");
      expect((await response.text()).length, path).toBeGreaterThan(0);
    }
    const { body } = await health();
    // The shipped maxmemory holds both bounds: /health has no warning.
    expect(body).toMatchObject({ recent: { window_ms: 900_000 } });
    expect((body as { warnings?: unknown }).warnings).toBeUndefined();
  }, 60_000);

  it('runs Redis and Node as non-root users, Redis with its AOF in /data', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    const processes = (await podman.run(['top', container, 'user', 'pid', 'comm']))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .map(([user, pid, comm]) => ({ user, pid, comm }));
    const users = (comm: string) => processes.filter((p) => p.comm === comm).map((p) => p.user);
    expect(users('redis-server')).toEqual(['redis']);
    expect(users('node')).toEqual(['godot', 'godot']);
    // supervisord alone stays root, to manage its programs.
    expect(users('supervisord')).toEqual(['root']);
    const uid = async (user: string) =>
      Number((await podman.run(['exec', container, 'id', '-u', user])).trim());
    expect(await uid('redis')).toBeGreaterThan(0);
    expect(await uid('godot')).toBeGreaterThan(0);
    const config = async (name: string) =>
      ((await withRedis(redisPort, (redis) => redis.config('GET', name))) as string[])[1];
    expect(await config('appendonly')).toBe('yes');
    expect(await config('dir')).toBe('/data');
    expect(await config('bind')).toMatch(/^127\.0\.0\.1\b/);
  }, 60_000);

  it('delivers an entry logged through the container to the Dewey emulator', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    await logEntries(20);
    await expectAllDelivered('delivered while running');
  }, 120_000);

  it('stops on SIGTERM within 30 s, every program exiting 0, with entries queued', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    // Dewey away: entries stay queued in Redis (the worker holds off).
    await emulator.stop();
    await logEntries(100);
    await expectCleanStop('Dewey down, 100 entries queued');
  }, 120_000);

  it('keeps the queue on the /data volume (AOF) for a new container, which delivers it', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    // Between the two containers the queue is Redis's append-only file, in the volume.
    const mountpoint = (
      await podman.run(['volume', 'inspect', '--format={{.Mountpoint}}', volume])
    ).trim();
    const aofDir = join(mountpoint, 'appendonlydir');
    const aofFiles = await Promise.all(
      (await readdir(aofDir)).map(async (name) => ({
        name,
        size: (await stat(join(aofDir, name))).size,
      })),
    );
    note(`AOF in the volume: ${aofFiles.map((f) => `${f.name} (${f.size} bytes)`).join(', ')}`);
    expect(aofFiles.some((f) => f.name.endsWith('.manifest'))).toBe(true);
    expect(aofFiles.some((f) => f.name.endsWith('.incr.aof') && f.size > 0)).toBe(true);
    await startContainer();
    // Before Dewey returns: the queue came back from the AOF.
    const { body } = await health();
    const queue = (body as { queue?: Record<string, number> }).queue ?? {};
    const held = (queue.waiting ?? 0) + (queue.active ?? 0) + (queue.delayed ?? 0);
    note(`after the restart, before Dewey: queue ${JSON.stringify(queue)}`);
    expect(held).toBeGreaterThan(0);
    await emulator.start();
    await expectAllDelivered('delivered after the restart');
  }, 180_000);

  it('loses nothing acknowledged when stopped mid-delivery to a slow Dewey', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    // Dewey answers each batch after a second: batches are in flight at SIGTERM.
    emulator.setReplyDelay(1000);
    const storeCalls = emulator.calls.store;
    await logEntries(500);
    await emulator.waitForStoreCalls(storeCalls + 1, 10_000);
    await expectCleanStop('500 entries queued, a batch in flight');
    emulator.setReplyDelay(0);
    await startContainer();
    await expectAllDelivered('delivered after a stop mid-delivery');
  }, 180_000);

  it('stops within 30 s while Dewey hangs on a batch, and loses nothing', async ({
    onTestFailed,
  }) => {
    onTestFailed(dumpLogs);
    // Dewey takes a batch and never answers: the worker cannot finish it.
    emulator.hold();
    await logEntries(500);
    await emulator.waitForHeld(1, 10_000);
    // The worker gives up on the held batch after DEWEY_TIMEOUT_MS (10 s) and
    // hands back the rest at once, within its 15 s stopwaitsecs: no SIGKILL.
    await expectCleanStop('500 entries queued, Dewey hanging');
    emulator.release();
    await startContainer();
    await expectAllDelivered('delivered after a stop with Dewey hanging', 120_000);
  }, 240_000);
});
