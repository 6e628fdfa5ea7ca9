/**
 * Redis stops answering without closing its connections (SIGSTOP: what a
 * stalled disk, a long-running command or a network partition look like)
 * for 2.5 s under load, then carries on (SIGCONT).
 *
 * If Redis is unreachable, `logger_log` answers with a tool error within 1 s,
 * never hangs (docs/product.md#redis-outage).
 *
 * Every call has its own 1 s deadline from arrival, however many flushes
 * are ahead of it. A refusal says whether the entry may be in Redis anyway:
 * "entry not queued" only when nothing was sent; "may have been queued" once
 * the job was written to the connection (Redis runs it when it resumes, so a
 * client that retries may store it twice).
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
  report = await s.stored.waitFor(result.acknowledged.keys());
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

  it('refuses within 1 s while Redis does not answer', () => {
    // 1 s, plus 200 ms for the reply's trip on a loaded 2-core machine.
    const late = result.refused.filter((refusal) => refusal.ms > 1200);
    expect(late).toEqual([]);
  });

  it('stores none of the entries it refused as "not queued"; the others say they may be', () => {
    const certain = result.refused.filter((r) => r.reason.includes('entry not queued'));
    const uncertain = result.refused.filter((r) => r.reason.includes('entry may have been queued'));
    expect(certain.length + uncertain.length).toBe(result.refused.length);
    expect(stack?.stored.missing(certain.map((r) => r.message))).toBe(certain.length);
  });
});
