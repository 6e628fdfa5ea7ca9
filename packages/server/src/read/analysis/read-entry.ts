import type { Level } from '@godot/shared';
import { isoMicros } from '../../query/time-window.js';

/**
 * An entry as the read tools return it, whether it comes from the recent
 * window in Redis or from Dewey.
 */
export interface ReadEntry {
  component: string;
  level: Level;
  message: string;
  trace_id: string | null;
  data: Record<string, unknown> | null;
  /** ISO-8601, UTC. Recent-window entries: `YYYY-MM-DDTHH:MM:SS.mmmZ`; Dewey rows may differ. */
  created_at: string;
  /** Dewey's row id: only on rows read from Dewey. */
  id?: number | string;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form Godot stamps at ingest (`Date#toISOString`). */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Microseconds since the epoch of a `created_at`, whatever its form: Godot's
 * own `…T10:00:00.123Z`, or Dewey's `…T10:00:00.123456` (no zone means UTC)
 * or `…+00:00`. Entries of both kinds meet in one analysis, and their strings
 * do not compare as text. `NaN` when unparsable.
 *
 * This runs once per entry of a whole window, so the canonical form, by far
 * the commonest, is read digit by digit; only its minute goes through
 * `Date.parse`, once for all the entries of that minute (consecutive entries
 * of a window mostly share it).
 */
export function createdAtMicros(createdAt: string): number {
  if (!isCanonical(createdAt)) return isoMicros(createdAt);
  if (!createdAt.startsWith(lastMinute.prefix)) {
    const prefix = createdAt.slice(0, 17);
    lastMinute = { prefix, millis: Date.parse(`${prefix}00.000Z`) };
  }
  const seconds = digit(createdAt, 17) * 10 + digit(createdAt, 18);
  const millis = digit(createdAt, 20) * 100 + digit(createdAt, 21) * 10 + digit(createdAt, 22);
  return (lastMinute.millis + seconds * 1000 + millis) * 1000;
}

/** The minute (`YYYY-MM-DDTHH:MM:`) last read by `createdAtMicros`, and its epoch milliseconds. */
let lastMinute = { prefix: '\u0000', millis: Number.NaN };

function digit(text: string, index: number): number {
  return text.charCodeAt(index) - 0x30;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`; the date and minute digits are left to `Date.parse`. */
function isCanonical(text: string): boolean {
  if (text.length !== 24) return false;
  if (text.charCodeAt(23) !== 0x5a || text.charCodeAt(19) !== 0x2e) return false;
  if (text.charCodeAt(10) !== 0x54 || text.charCodeAt(16) !== 0x3a) return false;
  return (
    isDigit(text, 17) &&
    isDigit(text, 18) &&
    isDigit(text, 20) &&
    isDigit(text, 21) &&
    isDigit(text, 22)
  );
}

function isDigit(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0x30 && code <= 0x39;
}

/**
 * A `created_at` in Godot's canonical form (`YYYY-MM-DDTHH:MM:SS.mmmZ`,
 * microseconds dropped), so that entries from Dewey read like recent ones;
 * the text as given when it is not a time.
 */
export function canonicalCreatedAt(createdAt: string): string {
  if (CANONICAL.test(createdAt)) return createdAt;
  const micros = isoMicros(createdAt);
  if (!Number.isFinite(micros)) return createdAt;
  const date = new Date(Math.floor(micros / 1000));
  return Number.isNaN(date.getTime()) ? createdAt : date.toISOString();
}
