import {
  DeweyProtocolError,
  DeweyRejectedError,
  DeweyUnavailableError,
  GodotError,
} from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { EntryRefusedError, QueueUnavailableError } from '../ingest/ingest-errors.js';
import { DeweyCannotClearError } from '../query/dewey-time-bug.js';
import { describeFailure } from './describe-failure.js';
import { errorResult } from './tool-result.js';

const timeBug = new DeweyRejectedError(
  -32603,
  'invalid input for query argument $1: expected a datetime',
);

describe('describeFailure', () => {
  it.each([
    [
      new EntryRefusedError('data', 'the entry is 5000 bytes', 'too_large'),
      'data: the entry is 5000 bytes',
      'entry_too_large',
      'too_large',
      false,
    ],
    [
      new EntryRefusedError('data', 'cannot be serialized', 'unserializable'),
      'data: cannot be serialized',
      'entry_unserializable',
      'unserializable',
      false,
    ],
    [
      new QueueUnavailableError('queue unavailable, entry not queued: timeout'),
      'queue unavailable, entry not queued: timeout',
      'queue_unavailable',
      'redis',
      true,
    ],
    [
      new DeweyUnavailableError('timeout', 'no reply in 2000 ms'),
      'Dewey unavailable (timeout): no reply in 2000 ms',
      'dewey_unavailable',
      'dewey_unavailable',
      true,
    ],
    [
      new DeweyRejectedError(-32000, 'bad level'),
      'Dewey rejected logger_log (-32000): bad level',
      'dewey_rejected',
      'dewey_rejected',
      false,
    ],
    [
      new DeweyCannotClearError(timeBug),
      new DeweyCannotClearError(timeBug).message,
      'dewey_time_bug',
      'dewey_rejected',
      false,
    ],
    [
      new DeweyProtocolError('no text content'),
      'Dewey: no text content',
      'dewey_bad_reply',
      'dewey_bad_reply',
      false,
    ],
    [new Error('boom'), 'logger_log failed: boom', 'internal', 'internal', true],
    ['thrown text', 'logger_log failed: thrown text', 'internal', 'internal', true],
  ])(
    '%s → its text, a stable reason, the metric label, and whether to retry',
    (error, text, reason, metric, retryable) => {
      const failure = describeFailure('logger_log', error);
      expect(failure).toEqual({ text, reason, metric });
      expect(errorResult(failure.text, failure.reason)).toEqual({
        content: [{ type: 'text', text }],
        isError: true,
        _meta: { 'godot/error': { reason, retryable } },
      });
    },
  );

  it('sees ingest errors as GodotErrors with a code', () => {
    const refused = new EntryRefusedError('message', 'too long', 'too_large');
    const unavailable = new QueueUnavailableError('frozen', { maybeQueued: true });
    expect(refused).toBeInstanceOf(GodotError);
    expect([refused.code, refused.name]).toEqual(['ENTRY_REFUSED', 'EntryRefusedError']);
    expect([unavailable.code, unavailable.name, unavailable.maybeQueued]).toEqual([
      'QUEUE_UNAVAILABLE',
      'QueueUnavailableError',
      true,
    ]);
  });
});
