/**
 * The server is SIGKILLed mid-stream and started again on the same port
 * (in production supervisord restarts any process that dies:
 * docs/product.md#processes). An entry is
 * acknowledged only once Redis holds its job, so every acknowledged entry must
 * still arrive; calls in flight when the server died get no reply (their
 * socket closes) and may or may not be stored — that is allowed, a hang is not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeDelivery } from '../support/delivery-check.js';
import { processStackPerTest } from '../support/process-stack.js';

const startStack = processStackPerTest();

describe('fault: server SIGKILLed mid-stream', () => {
  it('stores every acknowledged entry; clients reconnect to the restarted server', async ({
    onTestFailed,
  }) => {
    const s = await startStack({ onTestFailed });

    const { load, run } = s.startLoad({
      connections: 8,
      rate: 1000,
      // Stopped 2 s after the restart, however long the restart took.
      durationMs: 60_000,
      prefix: 'server-kill',
    });
    await sleep(1500);
    const exit = await s.server.kill();
    const killedAfter = load.progress.sent;
    await s.server.start();
    await sleep(2000);
    load.stop();
    const result = await run;

    const report = await s.stored.waitFor(result.acknowledged.keys());
    console.log(
      `${describeDelivery('server SIGKILL', report)}; killed after call #${killedAfter}; ` +
        `in flight when it died (no reply) ${result.unanswered.length}; not sent while down ${result.notSent}; ` +
        `reconnects ${result.connects - 8}; refused ${result.refused.length}`,
    );
    expect(exit.signal).toBe('SIGKILL');
    expect(result.hung).toEqual([]);
    expect(report.lost).toEqual([]);
    // The clients got back in: the last half second of calls, issued 1.5 s
    // after the server was up again, was acknowledged.
    const last = Array.from({ length: 500 }, (_, i) => `server-kill-${result.sent - 500 + i}`);
    expect(last.filter((message) => !result.acknowledged.has(message))).toEqual([]);
    expect((await s.queueCounts()).failed).toBe(0);
  }, 60_000);
});
