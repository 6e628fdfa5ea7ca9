import { DeweyRejectedError, DeweyUnavailableError, type LogEntry } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { type BatchStore, deliverBatch } from './batch-delivery.js';

const entry = (message: string): LogEntry => ({
  component: 'test',
  level: 'INFO',
  message,
  trace_id: null,
  data: null,
  created_at: '2026-11-24T00:00:00.000Z',
});

/** All or nothing, like Dewey: a batch holding a message starting with "bad" is refused whole. */
function allOrNothing(): BatchStore & { stored: string[] } {
  const stored: string[] = [];
  return {
    stored,
    async storeLogsBatch(logs) {
      const bad = logs.find((log) => log.message.startsWith('bad'));
      if (bad) throw new DeweyRejectedError(-32000, `Invalid log level in batch: ${bad.message}`);
      stored.push(...logs.map((log) => log.message));
    },
  };
}

describe('deliverBatch', () => {
  it('stores a clean batch in one call', async () => {
    const store = allOrNothing();
    const outcome = await deliverBatch(store, ['a', 'b', 'c'].map(entry));
    expect(outcome).toEqual({ stored: 3, rejected: new Map(), calls: 1 });
    expect(store.stored).toEqual(['a', 'b', 'c']);
  });

  it('isolates offenders and stores the rest, in order', async () => {
    const store = allOrNothing();
    const messages = Array.from({ length: 100 }, (_, i) =>
      i === 37 || i === 90 ? `bad${i}` : `ok${i}`,
    );
    const outcome = await deliverBatch(store, messages.map(entry));
    expect(outcome.stored).toBe(98);
    expect([...outcome.rejected]).toEqual([
      [37, 'Invalid log level in batch: bad37'],
      [90, 'Invalid log level in batch: bad90'],
    ]);
    expect(store.stored).toEqual(messages.filter((m) => m.startsWith('ok')));
    expect(outcome.calls).toBeLessThanOrEqual(1 + 2 * 2 * Math.ceil(Math.log2(100)));
  });

  it('lets unavailability propagate for the caller to retry', async () => {
    const store: BatchStore = {
      async storeLogsBatch() {
        throw new DeweyUnavailableError('closed', 'gone');
      },
    };
    await expect(deliverBatch(store, [entry('a')])).rejects.toBeInstanceOf(DeweyUnavailableError);
  });
});
