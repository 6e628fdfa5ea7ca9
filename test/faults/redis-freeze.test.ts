/**
 * Redis stops answering without closing its connections (SIGSTOP: what a
 * stalled disk, a long-running command or a network partition look like)
 * for 2.5 s under load, then carries on (SIGCONT).
 *
 * godot.md, logger_log: "If Redis is unreachable the reply is a tool error
 * within 1 s (REQ-PERF-006), never a hang."
 *
 * KNOWN BUG (packages/server/src/ingest.ts), kept here as a failing repro
 * (`it.fails`): refusals take up to ~2 s, not 1 s. `Ingest` drains flushes one
 * at a time and bounds each by `enqueueTimeoutMs` (1000), but a call that
 * arrives while a flush is in flight first waits for that flush to time out
 * (≤ 1 s), then for its own (another 1 s); with more than `maxFlushEntries`
 * (1000) calls pending, a third flush adds a third second. Measured on 2
 * cores at 800 calls/s: refusal round trips p50 ~1.9 s, max ~2.0 s; at
 * 3,000/s max ~2.1 s. A deadline per call (taken when the call arrives), not
 * per flush, would keep the promise. When fixed, turn `it.fails` into `it`.
 *
 * SECOND FINDING, also an `it.fails`: those refusals say "queue unavailable,
 * entry not queued", but the entries are queued: ioredis has already written
 * the `addBulk` to the socket when the 1 s timer fires, and Redis runs it when
 * it resumes. Every refused entry of this scenario reaches Dewey (a client
 * that retries on the error stores it twice). The text, and
 * `QueueUnavailableError`'s "the entry is NOT queued", should say "may have
 * been queued" for a timeout; only a refusal before anything was sent (no
 * connection) is certain.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveryReport, describeDelivery } from '../support/delivery-check.js';
import { LoadGenerator, type LoadResult } from '../support/load-generator.js';
import { type ProcessStack, startProcessStack } from '../support/process-stack.js';

let stack: ProcessStack | undefined;
let result: LoadResult;
let report: DeliveryReport;

beforeAll(async () => {
  const s = await startProcessStack();
  stack = s;
  const load = new LoadGenerator({
    url: s.serverUrl,
    connections: 4,
    rate: 800,
    durationMs: 6000,
    prefix: 'redis-freeze',
  });
  const run = load.start();
  await sleep(1500);
  const pid = s.redis.pid as number;
  process.kill(pid, 'SIGSTOP');
  try {
    await sleep(2500);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  result = await run;
  report = await s.stored.waitFor(result.acknowledged.keys(), {
    timeoutMs: 30_000,
    quietMs: 10_000,
  });
  const refusalMs = result.refused.map((r) => r.ms).sort((a, b) => a - b);
  console.log(
    `${describeDelivery('redis frozen 2.5 s', report)}; refused ${result.refused.length}, ` +
      `refusal round trip p50 ${(refusalMs[Math.floor(refusalMs.length / 2)] ?? 0).toFixed(0)} ms, ` +
      `max ${(refusalMs.at(-1) ?? 0).toFixed(0)} ms; hung ${result.hung.length}`,
  );
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

describe('fault: Redis frozen (SIGSTOP) under load', () => {
  it('loses nothing acknowledged, and no call hangs', () => {
    expect(result.hung).toEqual([]);
    expect(report.lost).toEqual([]);
    expect(result.refused.length).toBeGreaterThan(0);
  });

  // Known bug, see the header: refusals take ~2 s. Remove `.fails` once fixed.
  it.fails('refuses within 1 s while Redis does not answer (REQ-PERF-006)', () => {
    // 1 s, plus 200 ms for the reply's trip on a loaded 2-core machine.
    expect(Math.max(...result.refused.map((r) => r.ms))).toBeLessThanOrEqual(1200);
  });

  // Second finding, see the header: entries refused as "not queued" are stored.
  it.fails('stores none of the entries it refused as "not queued"', () => {
    expect(result.refused.every((r) => r.reason.includes('entry not queued'))).toBe(true);
    expect(report.unacknowledgedStored).toBe(0);
  });
});
