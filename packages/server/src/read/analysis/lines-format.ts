import { cutText, textPrefix } from './cut-text.js';
import { canonicalCreatedAt, type ReadEntry } from './read-entry.js';

/** How `formatLine` and `formatLines` write entries. */
export interface LineFormatOptions {
  /** Characters of the data's JSON shown, `…` included. @default 120 */
  dataPreviewChars?: number;
  /** Characters of the message shown, `…` included. @default 1000 */
  messageChars?: number;
  /**
   * The full ISO time on each line (`2026-12-04T18:19:21.123Z`) rather than
   * the time of day (`18:19:21.123`). `formatLines` decides by itself when
   * not set. @default false for formatLine
   */
  fullTime?: boolean;
}

const DEFAULT_DATA_PREVIEW_CHARS = 120;
const DEFAULT_MESSAGE_CHARS = 1000;
/** Nesting shown in a data preview; deeper reads `…`. */
const MAX_PREVIEW_DEPTH = 32;

/**
 * One entry as one compact line of text, for the tools' `format: "lines"`:
 *
 *     18:19:21.123 ERROR weather-mcp 0b9e4ad6 Tool "forecast" failed {"code":-32001,"retry":false}
 *
 * time (UTC; see `fullTime`), level padded to 5, component, the first 8
 * characters of the trace id or `-`, the message, then the data as compact
 * JSON cut to `dataPreviewChars` (none when `data` is null). ANSI escape
 * sequences are removed and other control characters (C0, C1, U+2028,
 * U+2029), runs of them, become one space, so a line is always one line;
 * in the data they stay JSON-escaped (`\n`), except C1 and U+2028/9, which
 * JSON leaves raw.
 */
export function formatLine(entry: ReadEntry, options: LineFormatOptions = {}): string {
  const time = canonicalCreatedAt(entry.created_at);
  return lineOf(entry, options.fullTime ? time : timeOfDay(time), options);
}

/**
 * Entries as lines (`formatLine`), joined with `\n`. When every entry has a
 * canonical time on the same UTC date (and `fullTime` is not set), the date
 * is said once, in a first line `# 2026-12-04 (UTC)`, and each line shows
 * the time of day: 12 characters rather than 24, on every line. Otherwise
 * each line shows its full time, and there is no header. No entries: `''`.
 */
export function formatLines(
  entries: readonly ReadEntry[],
  options: LineFormatOptions = {},
): string {
  const times = entries.map((entry) => canonicalCreatedAt(entry.created_at));
  const date = options.fullTime === true ? undefined : sharedDate(times);
  const lines = entries.map((entry, index) => {
    const time = times[index] ?? entry.created_at;
    return lineOf(entry, date === undefined ? time : timeOfDay(time), options);
  });
  if (date !== undefined && lines.length > 0) lines.unshift(`# ${date} (UTC)`);
  return lines.join('\n');
}

function lineOf(entry: ReadEntry, time: string, options: LineFormatOptions): string {
  const trace = entry.trace_id === null ? '-' : oneLine(textPrefix(entry.trace_id, 8));
  const message = oneLine(cutText(entry.message, options.messageChars ?? DEFAULT_MESSAGE_CHARS));
  const head = `${oneLine(time)} ${entry.level.padEnd(5)} ${oneLine(entry.component)} ${trace} ${message}`;
  if (entry.data === null || entry.data === undefined) return head;
  return `${head} ${dataPreview(entry.data, options.dataPreviewChars ?? DEFAULT_DATA_PREVIEW_CHARS)}`;
}

const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** `18:19:21.123` of a canonical time; anything else as it is. */
function timeOfDay(time: string): string {
  return CANONICAL.test(time) ? time.slice(11, 23) : time;
}

/** The one UTC date of all these canonical times; undefined when they span dates or one is odd. */
function sharedDate(times: readonly string[]): string | undefined {
  const date = times[0]?.slice(0, 10);
  for (const time of times)
    if (!CANONICAL.test(time) || !time.startsWith(date ?? '')) return undefined;
  return date;
}

/** ANSI CSI sequences (`ESC [` or C1 CSI, parameters, final byte) and two-character escapes. */
const ANSI =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]|\u001b[\u0040-\u005f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** What JSON.stringify leaves raw and a terminal or a line reader would still act on. */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

function oneLine(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL_RUN, ' ');
}

/**
 * Compact JSON of `data`, at most `maxChars` characters with a final `…`
 * when cut. Written piece by piece and stopped once past the limit: a 1 MB
 * data is not serialised whole to show 120 characters of it.
 */
export function dataPreview(data: unknown, maxChars: number): string {
  const max = Math.max(1, Math.floor(maxChars));
  const writer = new PreviewWriter(max);
  writer.value(data, 0);
  const text = writer.text();
  return writer.cut || text.length > max ? `${textPrefix(text, max - 1)}…` : text;
}

/** Compact JSON, written until it passes `max` characters or meets what it will not show. */
class PreviewWriter {
  readonly #parts: string[] = [];
  #length = 0;
  /** Set once something was left out: nothing more is written. */
  cut = false;

  constructor(readonly max: number) {}

  text(): string {
    return this.#parts.join('');
  }

  value(value: unknown, depth: number): void {
    if (this.cut) return;
    if (typeof value === 'string') this.#string(value);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
      this.#push(JSON.stringify(value));
    } else if (typeof value === 'bigint') this.#push(String(value));
    else if (typeof value !== 'object') this.#push('null');
    else if (depth >= MAX_PREVIEW_DEPTH) this.cut = true;
    else if (Array.isArray(value)) this.#array(value, depth);
    else this.#object(value, depth);
  }

  #array(value: readonly unknown[], depth: number): void {
    this.#push('[');
    for (let index = 0; index < value.length && !this.cut; index++) {
      if (index > 0) this.#push(',');
      this.value(value[index], depth + 1);
    }
    this.#push(']');
  }

  #object(value: object, depth: number): void {
    this.#push('{');
    let first = true;
    for (const key in value) {
      if (this.cut) return;
      if (!Object.hasOwn(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      // Left out as JSON.stringify leaves them out.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      if (!first) this.#push(',');
      first = false;
      this.#string(key);
      this.#push(':');
      this.value(item, depth + 1);
    }
    this.#push('}');
  }

  #string(text: string): void {
    // Only what can still be shown is escaped: the rest would be cut anyway.
    const room = Math.max(0, this.max - this.#length);
    const shown = textPrefix(text, room).replace(ANSI, '');
    this.#push(JSON.stringify(shown).replace(RAW_IN_JSON, ' '));
    if (text.length > room) this.cut = true;
  }

  #push(text: string): void {
    if (this.cut) return;
    this.#parts.push(text);
    this.#length += text.length;
    if (this.#length > this.max) this.cut = true;
  }
}
