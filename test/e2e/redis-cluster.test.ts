/**
 * Godot on a Redis Cluster (docs/product.md#shards-and-redis-cluster): a
 * private 3-master cluster, two servers and two workers as their own
 * processes, QUEUE_SHARDS=6.
 *
 * - Load through both servers: every acknowledged entry reaches Dewey, and
 *   the queue's keys sit on at least two masters.
 * - A master SIGKILLed under load and started again from its AOF: no
 *   acknowledged entry is lost. The nodes run `appendfsync always`, so that
 *   "acknowledged" means "in the AOF" by construction (redis-crash.test.ts
 *   explains why `everysec` is only bounded, not zero, in theory).
 * - `/mcp`: `initialize` on server A, then `tools/call` on server B.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bullmqKey, clusterShardPrefix, REDIS_KEYS } from '@godot/shared';
import type { DeweyEmulator, RedisCluster } from '@godot/testkit';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDelivery, StoredMessages } from '../support/delivery-check.js';
import type { GodotProcess } from '../support/godot-process.js';
import { fetchJson } from '../support/http-probe.js';
import { LoadGenerator, type LoadResult } from '../support/load-generator.js';
import { TestStack } from '../support/stack/test-stack.js';

const SHARDS = 6;
const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** The JSON-RPC message of a /mcp reply, plain JSON or one SSE event. */
async function rpcReply(response: Response): Promise<{ result?: unknown; error?: unknown }> {
  const text = await response.text();
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? 'null');
  return JSON.parse(json) as { result?: unknown; error?: unknown };
}

/** `initialize` on a server's /mcp; the session id it returns. */
async function initialize(server: { http: string }): Promise<string> {
  const opened = await fetch(`${server.http}/mcp`, {
    method: 'POST',
    headers: MCP_HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'cluster-test', version: '0' },
      },
    }),
  });
  expect(opened.status).toBe(200);
  await opened.text();
  const session = opened.headers.get('mcp-session-id') ?? '';
  expect(session).not.toBe('');
  return session;
}

describe('Godot on a Redis Cluster: 2 servers, 2 workers, 6 shards', () => {
  let stack: TestStack | undefined;
  let cluster: RedisCluster;
  let dewey: DeweyEmulator;
  const stored = new StoredMessages();
  const processes: GodotProcess[] = [];
  const servers: { ws: string; http: string }[] = [];
  let queueName: string;

  const logs = () =>
    [...processes.map((p) => p.log()), ...cluster.nodes.map((n) => n.log)].join('\n');

  beforeAll(async () => {
    stack = await TestStack.start({
      redis: 'cluster',
      aof: { appendonly: true, appendfsync: 'always' },
      queuePrefix: 'cluster',
      env: {
        QUEUE_SHARDS: String(SHARDS),
        RETRY_INITIAL_DELAY_MS: '100',
        RETRY_MAX_DELAY_MS: '500',
        ADMIN_TOKEN: 'cluster-admin',
      },
    });
    dewey = stack.dewey;
    cluster = stack.cluster as RedisCluster;
    queueName = stack.config.QUEUE_NAME;
    dewey.onStore((rows) => stored.add(rows.map((row) => row.message)));
    // What the Python Godot would have left: not migrated on a cluster, but said.
    const seed = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]?.port ?? 0 }]);
    await seed.lpush(
      REDIS_KEYS.legacyQueue,
      JSON.stringify({ message: 'left by the Python Godot' }),
    );
    seed.disconnect();
    const live = stack;
    const started = await Promise.all(
      ['server-a', 'server-b', 'worker-a', 'worker-b'].map((name) =>
        live.spawn(name.startsWith('server') ? 'server' : 'worker', { name }),
      ),
    );
    for (const child of started) {
      processes.push(child);
      if (child.env.PORT !== undefined)
        servers.push({ ws: `${child.origin.replace('http:', 'ws:')}/`, http: child.origin });
    }
    for (const server of servers) {
      await live.waitForHealth(server.http).catch((error: Error) => {
        throw new Error(`${error.message}\n${logs()}`);
      });
    }
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** Load through both servers at once; the results of both. */
  async function loadBoth(prefix: string, rate: number, durationMs: number) {
    return Promise.all(
      servers.map((server, index) =>
        new LoadGenerator({
          url: server.ws,
          connections: 2,
          rate,
          durationMs,
          prefix: `${prefix}-${index}`,
          recordTimings: true,
        }).start(),
      ),
    );
  }

  function acknowledged(results: LoadResult[]): string[] {
    return results.flatMap((result) => [...result.acknowledged.keys()]);
  }

  it("says, rather than migrates, the Python Godot's logs:queue on a cluster", () => {
    // First in the file: each process keeps only its last lines of output.
    for (const worker of processes.filter((child) => child.log().includes('worker listening'))) {
      expect(worker.log()).toContain("the Python Godot's logs:queue is not migrated");
    }
    expect(processes.filter((child) => child.log().includes('worker listening'))).toHaveLength(2);
  });

  it('spreads what both servers take over the masters and delivers every acknowledged entry', async (context) => {
    context.onTestFailed(() => console.log(logs()));
    // Dewey away first, so the entries wait in the shards where we can see them.
    await dewey.stop();
    const results = await loadBoth('spread', 200, 2000);
    const acked = acknowledged(results);
    expect(acked.length).toBeGreaterThan(600);
    for (const result of results) expect(result.hung).toEqual([]);

    // Waiting for delivery: in a wait list, or in a job still gathering entries.
    const [lists, gathering] = await Promise.all(
      ['wait', 'delayed'].map((suffix) =>
        cluster.keysByNode(bullmqKey(queueName, suffix, clusterShardPrefix('*'))),
      ),
    );
    const shardOf = (key: string) => key.slice(0, key.lastIndexOf(':'));
    const waiting = (lists ?? []).map((keys, node) => [
      ...new Set([...keys, ...(gathering?.[node] ?? [])].map(shardOf)),
    ]);
    const mastersWithWaiting = waiting.filter((keys) => keys.length > 0).length;
    const shardsWithWaiting = waiting.flat().length;
    console.log(
      `cluster: wait lists per master ${waiting.map((keys) => keys.length).join('/')} ` +
        `(${shardsWithWaiting} of ${SHARDS} shards hold entries)`,
    );
    expect(mastersWithWaiting).toBeGreaterThanOrEqual(2);
    expect(shardsWithWaiting).toBe(SHARDS);

    // /health, /metrics and the dashboard cover every shard.
    const health = await fetchJson(`${servers[0]?.http}/health`, 2000);
    const queue = (
      health.body as { queue: { waiting: number; shards: { waiting: number; delayed: number }[] } }
    ).queue;
    expect(queue.shards).toHaveLength(SHARDS);
    const waitingJobs = queue.shards.reduce((sum, shard) => sum + shard.waiting, 0);
    expect(queue.waiting).toBe(waitingJobs);
    // Jobs still gathering entries (the server's job writer) are delayed.
    expect(queue.shards.every((shard) => shard.waiting + shard.delayed > 0)).toBe(true);
    const metrics = await (await fetch(`${servers[1]?.http}/metrics`)).text();
    expect(metrics).toContain(`godot_queue_depth{state="waiting"} ${waitingJobs}`);
    const board = await fetch(`${servers[0]?.http}/admin/queues/api/queues`, {
      headers: { authorization: 'Bearer cluster-admin' },
    });
    const boardQueues = ((await board.json()) as { queues: { name: string }[] }).queues;
    expect(boardQueues.map((q) => q.name).sort()).toEqual(
      Array.from({ length: SHARDS }, (_, i) => `shard-${i}:${queueName}`).sort(),
    );

    await dewey.start();
    const report = await stored.waitFor(acked, { timeoutMs: 30_000, quietMs: 10_000 });
    console.log(describeDelivery('cluster spread', report));
    expect(report.lost).toEqual([]);
  }, 90_000);

  it('loses no acknowledged entry when a master is SIGKILLed under load and restarted from its AOF', async (context) => {
    context.onTestFailed(() => console.log(logs()));
    await dewey.stop();
    const run = loadBoth('master-kill', 200, 9000);
    await sleep(2000);
    const victim = await cluster.nodeOfKey(bullmqKey(queueName, 'wait', clusterShardPrefix(0)));
    await cluster.kill(victim);
    await sleep(1000);
    await cluster.restart(victim);
    const healthyAgain = Date.now();
    const results = await run;
    const acked = acknowledged(results);
    const refused = results.reduce((sum, result) => sum + result.refused.length, 0);
    for (const result of results) expect(result.hung).toEqual([]);
    await dewey.start();
    const report = await stored.waitFor(acked, { timeoutMs: 60_000, quietMs: 15_000 });
    console.log(
      `${describeDelivery('cluster master kill', report)}; refused during the outage ${refused}`,
    );
    expect(report.lost).toEqual([]);
    // Both servers log again once the cluster is whole.
    for (const result of results) {
      const after = [...result.ackedAt.values()].filter((at) => at > healthyAgain).length;
      expect(after).toBeGreaterThan(0);
    }
  }, 120_000);

  it('shares levels: logger_set_level on server A applies on server B', async () => {
    const component = `levels-${randomUUID().slice(0, 8)}`;
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const session = await initialize(a);
    const call = async (server: { http: string }, name: string, args: object) => {
      const response = await fetch(`${server.http}/mcp`, {
        method: 'POST',
        headers: {
          ...MCP_HEADERS,
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name, arguments: args },
        }),
      });
      return (await rpcReply(response)).result as { structuredContent?: Record<string, unknown> };
    };
    const set = await call(a, 'logger_set_level', { component, level: 'ERROR' });
    expect(set.structuredContent).toMatchObject({ status: 'ok', level: 'ERROR' });
    await expect
      .poll(
        async () =>
          (await call(b, 'logger_log', { component, level: 'INFO', message: 'filtered' }))
            .structuredContent?.queued,
        { timeout: 15_000, interval: 100 },
      )
      .toBe(false);
  }, 30_000);

  it('serves an /mcp session opened on server A on server B (no sticky sessions)', async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const session = await initialize(a);

    const message = `mcp-across-${randomUUID()}`;
    const call = await fetch(`${b.http}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'logger_log',
          arguments: { component: 'cluster-test', level: 'INFO', message },
        },
      }),
    });
    expect(call.status).toBe(200);
    const reply = await rpcReply(call);
    expect(reply.error).toBeUndefined();
    expect(reply.result, JSON.stringify(reply.result)).toMatchObject({
      structuredContent: { status: 'ok', queued: true },
    });
    const report = await stored.waitFor([message], { timeoutMs: 20_000 });
    expect(report.lost).toEqual([]);
  }, 60_000);
});
