import { oneLine } from '../terminal-text.js';
import type { ReadEntry } from './read-replies.js';

/** How `formatEntryLine` writes an entry. */
export interface EntryLineOptions {
  /** Colour the level with ANSI escapes (see `colorEnabled`). @default false */
  color?: boolean;
  /** Today's UTC date, `YYYY-MM-DD`: entries of that day show the time of day alone. @default today by the clock */
  today?: string;
  /** Characters of the data's JSON shown, `…` included. @default DATA_PREVIEW_CHARS */
  dataChars?: number;
}

/** Default of `EntryLineOptions.dataChars`. */
export const DATA_PREVIEW_CHARS = 200;

const RESET = '\u001b[0m';
/** ERROR red, WARN yellow, INFO green, DEBUG dim, TRACE dim grey; anything else plain. */
const LEVEL_COLORS: Readonly<Record<string, string>> = {
  ERROR: '\u001b[31m',
  WARN: '\u001b[33m',
  INFO: '\u001b[32m',
  DEBUG: '\u001b[2m',
  TRACE: '\u001b[2;90m',
};

/**
 * One entry as one line for people:
 *
 *     18:19:21.123 ERROR weather-mcp 0b9e4ad6 Tool "forecast" failed {"code":-32001}
 *
 * the time (UTC; the time of day for today's entries, else date and time),
 * the level padded to 5, the component, the first 8 characters of the trace
 * id or `-`, the message, then the data as compact JSON cut to `dataChars`
 * (nothing when there is none). Everything but the level's own colour goes
 * through `oneLine`: entries hold whatever their senders wrote, escape
 * sequences and line breaks included, and none of it may act on the
 * terminal or start a line that looks like another entry.
 */
export function formatEntryLine(entry: ReadEntry, options: EntryLineOptions = {}): string {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const level = oneLine(entry.level).padEnd(5);
  const parts = [
    displayTime(entry.created_at, today),
    options.color ? paintLevel(entry.level, level) : level,
    oneLine(entry.component),
    entry.trace_id ? oneLine(entry.trace_id).slice(0, 8) : '-',
    oneLine(entry.message),
  ];
  if (entry.data !== null && entry.data !== undefined) {
    parts.push(cut(oneLine(JSON.stringify(entry.data)), options.dataChars ?? DATA_PREVIEW_CHARS));
  }
  return parts.join(' ');
}

/** `text` in its level's colour (see `LEVEL_COLORS`); unchanged for an unknown level. */
export function paintLevel(level: string, text: string): string {
  const color = LEVEL_COLORS[level];
  return color === undefined ? text : `${color}${text}${RESET}`;
}

/**
 * Whether to colour what goes to `stream`: only a terminal, and not when
 * `NO_COLOR` is set to anything but the empty string (https://no-color.org).
 */
export function colorEnabled(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`; no zone means UTC, as Dewey writes it. */
const ISO_TIME = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/i;

/**
 * Microseconds since the epoch of a `created_at`: Godot's `…T10:00:00.123Z`
 * or Dewey's `…T10:00:00.123456` (no zone: UTC) or `…+00:00`. `NaN` when it
 * is not such a time.
 */
export function createdAtMicros(createdAt: string): number {
  const match = ISO_TIME.exec(createdAt.trim());
  if (!match) return Number.NaN;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const seconds = Date.parse(`${date}T${time}${offset}`);
  if (Number.isNaN(seconds)) return Number.NaN;
  return seconds * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** `HH:MM:SS.mmm` when on `today` (UTC), else `YYYY-MM-DD HH:MM:SS.mmm`; the text itself when not a time. */
export function displayTime(createdAt: string, today: string): string {
  const micros = createdAtMicros(createdAt);
  if (Number.isNaN(micros)) return oneLine(createdAt);
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return iso.startsWith(today) ? iso.slice(11, 23) : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * `text` when at most `max` UTF-16 units, else its first `max - 1` and `…`;
 * one fewer rather than half a surrogate pair.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
