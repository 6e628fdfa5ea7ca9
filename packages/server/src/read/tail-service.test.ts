import { RecentReader, recentAccountKey, recentWindowKey, silentLogger } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { privateQueues } from '../../../../test/support/private-queues.js';
import { TailsBusyError } from './read-errors.js';
import { TailService } from './tail-service.js';

describe('TailService', () => {
  const queues = privateQueues('tail-service');

  function service(maxWaiting: number) {
    const queue = queues.queue();
    const reader = new RecentReader(queues.redis(), [
      { stream: recentWindowKey(queue), account: recentAccountKey(queue) },
    ]);
    return { reader, tails: new TailService({ reader, logger: silentLogger, maxWaiting }) };
  }

  it('caps the tails that wait; one over the cap is refused, retryably, and a tail that need not wait is not', async () => {
    const { reader, tails } = service(2);
    const cursor = await reader.end();
    const request = { cursor, waitMs: 30_000, limit: 10, match: () => true };
    const waiting = [tails.tail(request), tails.tail(request)];
    await expect.poll(() => tails.inFlight).toBe(2);
    await expect(tails.tail(request)).rejects.toBeInstanceOf(TailsBusyError);
    // wait_ms 0 answers at once, whatever the cap.
    expect((await tails.tail({ ...request, waitMs: 0 })).logs).toEqual([]);
    tails.close();
    const answers = await Promise.all(waiting);
    expect(answers.map((answer) => answer.logs)).toEqual([[], []]);
    expect(tails.inFlight).toBe(0);
  });

  it('at shutdown, a waiting tail answers at once with what it has, and its cursor still works', async () => {
    const { reader, tails } = service(8);
    const cursor = await reader.end();
    const waiting = tails.tail({ cursor, waitMs: 30_000, limit: 10, match: () => true });
    await expect.poll(() => tails.inFlight).toBe(1);
    tails.close();
    const answer = await waiting;
    expect(answer.logs).toEqual([]);
    expect(answer.cursor.shards).toHaveLength(1);
    // Closed, it no longer waits at all.
    const again = await tails.tail({
      cursor: answer.cursor,
      waitMs: 30_000,
      limit: 10,
      match: () => true,
    });
    expect(again.logs).toEqual([]);
  });
});
