/**
 * Which way of queueing concurrent logger_log calls is faster (issue 3):
 *  a. group commit: calls that arrive while a flush is in flight go together
 *     in the next `addBulk` (what `Ingest` does);
 *  b. per call, the same three steps (level lookup, `queue.add`, bound
 *     check) over an ioredis connection with `enableAutoPipelining`, which
 *     batches concurrent calls' commands per event-loop tick.
 * Both run against a private redis-server; prints entries/s for each.
 * Run: node --conditions=godot-source --import tsx bench/ingest-strategies.ts
 */

import { createServerMetrics, Ingest, LevelStore, QueueBound } from '@godot/server';
import { type LogEntry, silentLogger } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const TOTAL = 20_000;

async function drive(concurrency: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < TOTAL) await call(next++);
    }),
  );
  return Math.round(TOTAL / ((performance.now() - started) / 1000));
}

const entry = (i: number): LogEntry => ({
  component: 'bench',
  level: 'INFO',
  message: `entry ${i}`,
  trace_id: null,
  data: { i },
  created_at: new Date().toISOString(),
});

const redis = await RedisServer.start();
const rows: string[][] = [];
try {
  for (const concurrency of [1, 10, 100, 500]) {
    const groupConnection = new Redis(redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    await new Promise((resolve) => groupConnection.once('ready', resolve));
    const groupQueue = new Queue<LogEntry>(`group-${concurrency}`, { connection: groupConnection });
    const ingest = new Ingest({
      queue: groupQueue,
      levels: new LevelStore(groupConnection, 'TRACE'),
      bound: new QueueBound(groupConnection, groupQueue, 1_000_000),
      metrics: createServerMetrics(),
      logger: silentLogger,
    });
    const grouped = await drive(concurrency, (i) => ingest.log({ ...entry(i), data: { i } }));

    const pipelined = new Redis(redis.url, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    const pipeQueue = new Queue<LogEntry>(`pipe-${concurrency}`, { connection: pipelined });
    await pipeQueue.waitUntilReady();
    const levels = new LevelStore(pipelined, 'TRACE');
    const bound = new QueueBound(pipelined, pipeQueue, 1_000_000);
    // The same work as the group commit: level lookup, add, bound check.
    const perCall = await drive(concurrency, async (i) => {
      await levels.minimumLevels(['bench']);
      await pipeQueue.add('log', entry(i));
      await bound.trim();
    });

    rows.push([String(concurrency), String(grouped), String(perCall)]);
    await Promise.all([groupQueue.close(), pipeQueue.close()]);
    groupConnection.disconnect();
    pipelined.disconnect();
  }
} finally {
  await redis.close();
}
console.log(
  'concurrent callers | group commit (addBulk) entries/s | add() + auto-pipelining entries/s',
);
for (const row of rows) console.log(row.join(' | '));
