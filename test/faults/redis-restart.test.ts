/**
 * Redis is restarted gracefully under load, with production's persistence
 * (AOF on, `appendfsync everysec`). On SIGTERM redis-server fsyncs the AOF
 * before exiting, so every job it acknowledged survives. While it is away,
 * `logger_log` must answer with a tool error within 1 s, never hang, and
 * Godot must resume by itself (docs/product.md#redis-outage).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeDelivery } from '../support/delivery-check.js';
import { processStackPerTest } from '../support/process-stack.js';

const startStack = processStackPerTest();

describe('fault: Redis restarted gracefully under load', () => {
  it('stores every acknowledged entry; calls during the gap fail fast, none hangs', async ({
    onTestFailed,
  }) => {
    const s = await startStack(
      { onTestFailed },
      { redis: { appendonly: true, appendfsync: 'everysec' } },
    );

    const { load, run } = s.startLoad({
      connections: 4,
      rate: 800,
      // Stopped 2.5 s after Redis is back.
      durationMs: 60_000,
      prefix: 'redis-restart',
    });
    await sleep(1500);
    await s.redis.stop();
    const stoppedAt = load.progress.sent;
    await sleep(1000);
    await s.redis.restart();
    await sleep(2500);
    load.stop();
    const result = await run;

    const report = await s.stored.waitFor(result.acknowledged.keys());
    const reasons = new Set(result.refused.map((r) => r.reason.replace(/\d+/g, 'N')));
    const slowestRefusal = Math.max(0, ...result.refused.map((r) => r.ms));
    console.log(
      `${describeDelivery('redis graceful restart', report)}; Redis stopped after call #${stoppedAt}; ` +
        `refused during the gap ${result.refused.length} (${[...reasons].join(' | ')}), slowest refusal ${slowestRefusal.toFixed(0)} ms; unanswered ${result.unanswered.length}`,
    );
    expect(result.hung).toEqual([]);
    expect(report.lost).toEqual([]);
    // Godot came back by itself (ioredis retries at least every second): the
    // calls of the last half second, issued 2 s after Redis was back, were all
    // acknowledged.
    const last = Array.from({ length: 400 }, (_, i) => `redis-restart-${result.sent - 400 + i}`);
    expect(last.filter((message) => !result.acknowledged.has(message))).toEqual([]);
    expect((await s.queueCounts()).failed).toBe(0);
  }, 60_000);
});
