import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../server.fixture.js';
import { BoundKeeper, type KeptBound } from './bound-keeper.js';

/**
 * A bound that records when it is checked and drops what the test says. The
 * script itself runs against a real Redis in queue-bound.test.ts
 * (@godot/shared); this is the keeper's scheduling.
 */
function bound(name: string, drops: number[] = []) {
  const checks: number[] = [];
  const kept: KeptBound & { checks: number[]; fail?: Error } = {
    max: 50,
    queue: { qualifiedName: `bull:${name}` },
    checks,
    async trim() {
      checks.push(Date.now());
      if (kept.fail) throw kept.fail;
      return drops.shift() ?? 0;
    },
  };
  return kept;
}

function keeper(
  bounds: KeptBound[],
  options: { trimIntervalMs?: number; dropReportIntervalMs?: number } = {},
) {
  const { logger, lines } = recordingLogger();
  let dropped = 0;
  const keeper = new BoundKeeper({
    bounds,
    dropped: {
      inc: (count) => {
        dropped += count;
      },
    },
    logger,
    ...options,
  });
  return { keeper, lines, dropped: () => dropped };
}

describe('BoundKeeper', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks at once, then at most once per trimIntervalMs, and always after the last write', async () => {
    const a = bound('a');
    const { keeper: k } = keeper([a], { trimIntervalMs: 200 });
    k.written(a);
    await vi.advanceTimersByTimeAsync(0);
    expect(a.checks).toEqual([1_000_000]);
    for (let i = 0; i < 5; i += 1) {
      await vi.advanceTimersByTimeAsync(30);
      k.written(a);
    }
    await vi.advanceTimersByTimeAsync(49); // 199 ms since the first check
    expect(a.checks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.checks).toEqual([1_000_000, 1_000_200]);
    await vi.advanceTimersByTimeAsync(1000); // nothing written since: no check
    expect(a.checks).toHaveLength(2);
  });

  it('checks only the shards written since their last check', async () => {
    const [a, b] = [bound('a'), bound('b')];
    const { keeper: k } = keeper([a, b], { trimIntervalMs: 100 });
    k.written(a);
    await vi.advanceTimersByTimeAsync(0);
    k.written(b);
    await vi.advanceTimersByTimeAsync(100);
    expect(a.checks).toEqual([1_000_000]);
    expect(b.checks).toEqual([1_000_100]);
  });

  it('a failed check is logged and the shard checked again after its next write', async () => {
    const a = bound('a', [0, 7]);
    a.fail = new Error('LOADING');
    const { keeper: k, lines, dropped } = keeper([a], { trimIntervalMs: 100 });
    k.written(a);
    await vi.advanceTimersByTimeAsync(0);
    expect(lines).toContainEqual({
      level: 'warn',
      obj: { err: 'Error: LOADING', queue: 'bull:a' },
      msg: 'ingest: bound check failed, retried on next flush',
    });
    a.fail = undefined;
    await vi.advanceTimersByTimeAsync(500);
    expect(a.checks).toHaveLength(1); // no write, no check
    k.written(a);
    await vi.advanceTimersByTimeAsync(0);
    expect(a.checks).toHaveLength(2);
    expect(dropped()).toBe(0);
  });

  it('counts every drop, and logs them at most once per dropReportIntervalMs', async () => {
    const a = bound('a', [3, 4, 5]);
    const {
      keeper: k,
      lines,
      dropped,
    } = keeper([a], {
      trimIntervalMs: 10,
      dropReportIntervalMs: 1000,
    });
    const reports = () => lines.filter((line) => line.msg?.startsWith('queue full'));
    for (let i = 0; i < 3; i += 1) {
      k.written(a);
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(dropped()).toBe(12);
    expect(reports()).toEqual([
      {
        level: 'warn',
        obj: { max_queue_size_per_shard: 50, shards: 1, dropped: 3 },
        msg: 'queue full: oldest waiting entries dropped',
      },
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports().map((line) => (line.obj as { dropped: number }).dropped)).toEqual([3, 9]);
  });

  it('close() runs the check that was waiting for its interval, and reports what is left', async () => {
    const a = bound('a', [0, 2]);
    const {
      keeper: k,
      lines,
      dropped,
    } = keeper([a], {
      trimIntervalMs: 10_000,
      dropReportIntervalMs: 60_000,
    });
    k.written(a);
    await vi.advanceTimersByTimeAsync(0);
    k.written(a);
    await k.close();
    expect(a.checks).toEqual([1_000_000, 1_000_000]);
    expect(dropped()).toBe(2);
    expect(lines.filter((line) => line.msg?.startsWith('queue full'))).toHaveLength(1);
  });
});
