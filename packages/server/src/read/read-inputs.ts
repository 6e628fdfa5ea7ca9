import { CursorError, decodeCursor, parseDuration, type RecentCursor } from '@godot/shared';
import { z } from 'zod';
import { isoMicros } from '../query/time-window.js';
import { ReadInputError } from './read-errors.js';

/**
 * A point in time as the read tools accept it: an ISO-8601 time, or a
 * duration back from now (`10m`, `30s`, `1h`). Its message names the rule;
 * the dispatcher adds the field.
 */
export const sinceSchema = z
  .string({ error: 'must be an ISO-8601 time or a duration such as 10m, 30s or 1h' })
  .refine((value) => timeOf(value, Date.now()) !== undefined, {
    error: 'must be an ISO-8601 time or a duration such as 10m, 30s or 1h',
  });

/** Milliseconds since the epoch of a `since` value, read at `now`; undefined when it is neither form. */
export function timeOf(value: string, now: number): number | undefined {
  const duration = parseDuration(value);
  if (duration !== undefined) return now - duration;
  const micros = isoMicros(value);
  return Number.isNaN(micros) ? undefined : Math.floor(micros / 1000);
}

/** A cursor from an earlier answer, going `direction`; a clear input error names `field` otherwise. */
export function cursorInput(
  text: string,
  direction: RecentCursor['direction'],
  field = 'cursor',
): RecentCursor {
  let cursor: RecentCursor;
  try {
    cursor = decodeCursor(text);
  } catch (error) {
    if (error instanceof CursorError) throw new ReadInputError(field, `${error.message}`);
    throw error;
  }
  if (cursor.direction !== direction) {
    throw new ReadInputError(
      field,
      direction === 'forward'
        ? 'is a cursor of logger_query; pass logger_tail its own'
        : 'is a cursor of logger_tail; pass logger_query its own next_cursor',
    );
  }
  return cursor;
}

/** `limit`: an integer from 1 to `max`. */
export function limitSchema(max: number) {
  const text = `must be an integer from 1 to ${max}`;
  return z
    .number({ error: text })
    .int({ error: text })
    .min(1, { error: text })
    .max(max, { error: text });
}
