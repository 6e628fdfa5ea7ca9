import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { formatLines } from './analysis/lines-format.js';
import type { ReadEntry } from './analysis/read-entry.js';

/**
 * The default `max_bytes` of the read tools: about 8,000 tokens of JSON, well
 * under the 10,000 tokens above which Claude Code warns (docs/product.md#reading-logs).
 */
export const DEFAULT_MAX_BYTES = 24_000;

/** The smallest `max_bytes`: room for the answer's skeleton and a row. */
export const MIN_MAX_BYTES = 1000;

/** `format` and `max_bytes`, as every read tool takes them. */
export const readFormatShape = {
  format: z
    .enum(['json', 'lines'], { error: 'must be "json" or "lines"' })
    .nullable()
    .optional()
    .describe(
      'json (default): entries as objects; lines: one compact line per entry, about half the tokens.',
    ),
  max_bytes: z
    .number({ error: `must be an integer of at least ${MIN_MAX_BYTES}` })
    .int({ error: `must be an integer of at least ${MIN_MAX_BYTES}` })
    .min(MIN_MAX_BYTES, { error: `must be an integer of at least ${MIN_MAX_BYTES}` })
    .nullable()
    .optional()
    .describe(
      `Most bytes in the answer (default ${DEFAULT_MAX_BYTES}, about 8,000 tokens). A cut answer says truncated:true and gives next_cursor.`,
    ),
};

/** The output fields that every list of entries may carry. */
export const readMarksShape = {
  lines: z
    .string()
    .optional()
    .describe(
      'format "lines": the entries, one line each (time, level, component, trace, message, data preview)',
    ),
  returned: z.number().int().nonnegative().optional().describe('Entries in this answer'),
  truncated: z
    .literal(true)
    .optional()
    .describe('More entries than max_bytes or limit allowed: continue with next_cursor'),
  next_cursor: z
    .string()
    .optional()
    .describe('Pass it as cursor, with the same filters, for what follows'),
};

/** One list of entries to answer with. */
export interface EntryList {
  /** The entries, in the answer's order. */
  rows: readonly ReadEntry[];
  /**
   * Fields of the answer besides the entries (cursor, source, timeline…), in
   * order; a function of how many rows the answer holds when they depend on
   * it (a tail's `cursor` continues right after its last row).
   */
  fields: Record<string, unknown> | ((count: number) => Record<string, unknown>);
  format: 'json' | 'lines';
  maxBytes: number;
  /**
   * Whether more entries follow `rows` than it holds (the tool's `limit`
   * was reached): the answer is then marked truncated, with `nextCursor(rows.length - 1)`.
   */
  more: boolean;
  /**
   * The cursor that continues after `rows[index]` (index -1: before the
   * first); undefined when none can.
   */
  nextCursor: (index: number) => string | undefined;
  /**
   * Makes the fields smaller, when even an answer without rows is over
   * `maxBytes` (a long trace's timeline); false once it cannot. @default none
   */
  shrinkFields?: () => boolean;
}

/**
 * The result of a read tool (docs/product.md#reading-logs), at most
 * `maxBytes` in both its forms: `structuredContent` serialized (what Claude
 * Code hands the model whenever it is present) and the text (what other
 * clients show). Rows are kept in order while they fit; the rest is left to
 * `next_cursor`, so nothing is cut out of a row but a lone row larger than
 * the whole budget, whose `data` and message are then shortened, and said so.
 *
 * - `json`: `{logs:[…], …fields, returned, truncated?, next_cursor?}`; the
 *   text is that object serialized.
 * - `lines`: `{lines:"…", …fields, returned, …}`, without `logs`; the text is
 *   the lines, then the fields as one JSON line, so that a client that shows
 *   only the text still gets the cursor.
 */
export function entryListResult(list: EntryList): CallToolResult {
  const { rows, format, maxBytes } = list;
  for (;;) {
    const whole = build(list, rows.length);
    if (whole.bytes <= maxBytes) return whole.result;
    // The most rows that fit: sizes grow with the rows, so search.
    let fits = 0;
    let over = rows.length;
    while (over - fits > 1) {
      const middle = Math.floor((fits + over) / 2);
      if (build(list, middle).bytes <= maxBytes) fits = middle;
      else over = middle;
    }
    if (fits > 0) return build(list, fits).result;
    // Not even the first row fits: it goes shortened, when that fits.
    const first = rows[0];
    if (first) {
      const shortened = build(list, 1, shorten(first, maxBytes, format));
      if (shortened.bytes <= maxBytes) return shortened.result;
    }
    // Still over: smaller fields, when they can be, then again.
    if (!list.shrinkFields?.()) return build(list, 0).result;
  }
}

function build(
  list: EntryList,
  count: number,
  shortened?: ReadEntry,
): { result: CallToolResult; bytes: number } {
  const rows = list.rows.slice(0, count);
  if (shortened && count === 1) rows[0] = shortened;
  const fields = typeof list.fields === 'function' ? list.fields(count) : list.fields;
  const cut = count < list.rows.length || list.more;
  const marks: Record<string, unknown> = { returned: rows.length };
  if (cut) marks.truncated = true;
  const next = cut ? list.nextCursor(count - 1) : undefined;
  if (next !== undefined) marks.next_cursor = next;
  if (list.format === 'lines') {
    const lines = formatLines(rows);
    const structured = { lines, ...fields, ...marks };
    const tail = JSON.stringify({ ...fields, ...marks });
    const text = lines === '' ? tail : `${lines}\n${tail}`;
    const bytes = Math.max(Buffer.byteLength(text), Buffer.byteLength(JSON.stringify(structured)));
    return { result: { content: [{ type: 'text', text }], structuredContent: structured }, bytes };
  }
  const structured = { logs: rows, ...fields, ...marks };
  const text = JSON.stringify(structured);
  return {
    result: { content: [{ type: 'text', text }], structuredContent: structured },
    bytes: Buffer.byteLength(text),
  };
}

/**
 * A row that alone is larger than the budget: its `data` becomes
 * `{"_truncated":true,"bytes":N}` and its message is cut to what leaves room
 * for the rest, ending in `…[truncated: N bytes]` (N: the whole size).
 */
function shorten(row: ReadEntry, maxBytes: number, format: 'json' | 'lines'): ReadEntry {
  const dataBytes = row.data === null ? 0 : Buffer.byteLength(JSON.stringify(row.data));
  const data = dataBytes > 0 ? { _truncated: true, bytes: dataBytes } : row.data;
  const messageBytes = Buffer.byteLength(row.message);
  // Half the budget for the message: the rest holds the skeleton and the
  // escaping of a message written twice in the lines form.
  const room = Math.max(0, Math.floor(maxBytes / (format === 'lines' ? 4 : 2)) - 300);
  if (messageBytes <= room) return { ...row, data: data as ReadEntry['data'] };
  let end = Math.min(row.message.length, room);
  while (end > 0 && Buffer.byteLength(row.message.slice(0, end)) > room)
    end = Math.floor(end * 0.9);
  const code = row.message.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return {
    ...row,
    data: data as ReadEntry['data'],
    message: `${row.message.slice(0, end)}…[truncated: ${messageBytes} bytes]`,
  };
}
