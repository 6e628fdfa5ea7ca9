import { logRowSchema } from '@godot/shared';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/**
 * A row as the read tools return it: Dewey's row, or an entry of the recent
 * window, which has no Dewey `id` yet.
 */
export const readRowSchema = logRowSchema.extend({ id: logRowSchema.shape.id.optional() });
export type ReadRow = z.infer<typeof readRowSchema>;

/** `logger_query`'s structured result (docs/product.md#logger_query). */
export const queryOutputSchema = z.object({
  logs: z.array(readRowSchema),
  source: z
    .enum(['recent', 'dewey'])
    .optional()
    .describe("recent: read from Godot's recent window, complete; dewey: from Dewey"),
  next_cursor: z
    .string()
    .optional()
    .describe('More rows match: pass it as cursor, with the same filters, for the next page'),
  truncated: z
    .boolean()
    .optional()
    .describe(
      'Set when the reply was cut to fit its size cap: data replaced by {"_truncated":true,"bytes":N}, long messages ending in "…[truncated: N bytes]"',
    ),
  omitted_rows: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('How many of the oldest rows were left out to fit the size cap'),
  time_filter: z
    .literal('godot')
    .optional()
    .describe('Dewey could not filter by time: Godot did, over the newest 1000 rows'),
  complete: z.literal(false).optional().describe('false: older rows of the window may be missing'),
});

/** How the time window was applied, when Godot did it (query-time-window.ts). */
export interface QueryMarks {
  time_filter?: 'godot';
  complete?: false;
  source?: 'recent' | 'dewey';
  next_cursor?: string;
}

/** What replaces a row's `data` that did not fit: the size of its JSON, in UTF-8 bytes. */
export interface TruncatedData {
  _truncated: true;
  bytes: number;
}

/** Room kept in MAX_REPLY_BYTES for the JSON-RPC envelope (`jsonrpc`, `id`) around a result. */
const ENVELOPE_BYTES = 1024;

/**
 * The `logger_query` result: the rows as text JSON and as `structuredContent`
 * `{logs}`, together at most `maxReplyBytes` once serialized, envelope
 * included (docs/product.md#resource-limits: uncapped, 100 rows of 1 MB made
 * a 200 MB reply).
 * When the rows do not fit, they are cut in this order until they do:
 * 1. rows' `data`, largest first, each replaced by `{"_truncated":true,"bytes":N}`
 *    (N: the UTF-8 size of the data's JSON);
 * 2. messages, longest first, down to a common size, each ending in
 *    `…[truncated: N bytes]` (N: the whole message's UTF-8 size);
 * 3. the oldest rows, left out and counted in `omitted_rows`.
 * Any cut adds `"truncated": true` next to `logs`. `marks` follow them.
 * The text is exactly the serialized `structuredContent`, markers included
 * (docs/product.md#common-input-rules).
 */
export function queryResult(
  logs: readonly ReadRow[],
  maxReplyBytes: number,
  marks: QueryMarks = {},
): CallToolResult {
  // The cursor's size varies with the shards: it is counted as it is, twice
  // (in structuredContent and, escaped, in the text).
  const cursorBytes = marks.next_cursor === undefined ? 0 : 2 * (marks.next_cursor.length + 20);
  const budget = maxReplyBytes - ENVELOPE_BYTES - SKELETON_BYTES - cursorBytes;
  // Measured row by row, and the JSON kept only while it fits: a reply over
  // the cap is never built whole.
  const rows: Sized[] = [];
  const texts: string[] = [];
  let total = 0;
  for (const row of logs) {
    const json = JSON.stringify(row);
    const bytes = Buffer.byteLength(json);
    const cost = rowCost(json, bytes);
    rows.push({ row, bytes, cost });
    total += cost;
    if (total <= budget) texts.push(json);
  }
  if (total <= budget) return rowsResult(texts, { logs }, marks);

  total = truncateData(rows, total, budget);
  if (total > budget) cutMessages(rows, total, budget);
  // Measured again as they now are; the oldest go while they still do not fit.
  texts.length = 0;
  total = 0;
  const costs: number[] = [];
  for (const { row } of rows) {
    const json = JSON.stringify(row);
    texts.push(json);
    costs.push(rowCost(json, Buffer.byteLength(json)));
    total += costs.at(-1) ?? 0;
  }
  let omitted = 0;
  while (total > budget && texts.length > 0) {
    texts.pop();
    total -= costs.pop() ?? 0;
    omitted++;
  }
  const structured: Record<string, unknown> = {
    logs: rows.slice(0, texts.length).map(({ row }) => row),
    truncated: true,
  };
  if (omitted > 0) structured.omitted_rows = omitted;
  return rowsResult(texts, structured, marks);
}

/**
 * The result: `structuredContent` and, as its text, the same object
 * serialized, written around the rows' JSON already measured (it is
 * `JSON.stringify(structuredContent)`, key for key).
 */
function rowsResult(
  texts: string[],
  structured: Record<string, unknown>,
  marks: QueryMarks,
): CallToolResult {
  const full: Record<string, unknown> = { ...structured, ...marks };
  const { logs: _logs, ...rest } = full;
  const tail = Object.keys(rest).length === 0 ? '}' : `,${JSON.stringify(rest).slice(1)}`;
  return {
    content: [{ type: 'text', text: `{"logs":[${texts.join(',')}]${tail}` }],
    structuredContent: full,
  };
}

/** The result around the rows, at its largest (every marker set): its share of the cap. */
const SKELETON_BYTES = (() => {
  const structured = {
    logs: [],
    truncated: true,
    omitted_rows: Number.MAX_SAFE_INTEGER,
    time_filter: 'godot',
    complete: false,
    source: 'recent',
  };
  return Buffer.byteLength(
    JSON.stringify({
      content: [{ type: 'text', text: JSON.stringify(structured) }],
      structuredContent: structured,
    }),
  );
})();

/** A row, the UTF-8 size of its JSON, and its cost in the reply. */
interface Sized {
  row: ReadRow;
  bytes: number;
  cost: number;
}

/** Step 1: replaces the largest `data` first until the rows fit; returns the new total. */
function truncateData(rows: Sized[], total: number, budget: number): number {
  const candidates = rows
    .filter(({ row }) => row.data !== null && row.data !== undefined)
    .map((sized) => ({
      sized,
      // The row's JSON less the same row with `"data":null`.
      dataBytes:
        sized.bytes -
        Buffer.byteLength(JSON.stringify({ ...sized.row, data: null })) +
        'null'.length,
    }))
    .sort((a, b) => b.dataBytes - a.dataBytes);
  for (const { sized, dataBytes } of candidates) {
    if (total <= budget) break;
    const marker: TruncatedData = { _truncated: true, bytes: dataBytes };
    const row = { ...sized.row, data: marker };
    const json = JSON.stringify(row);
    const bytes = Buffer.byteLength(json);
    const cost = rowCost(json, bytes);
    if (cost >= sized.cost) continue;
    total -= sized.cost - cost;
    Object.assign(sized, { row, bytes, cost });
  }
  return total;
}

/**
 * Step 2: cuts the longest messages to one common cost, the largest that
 * lets every row fit (water-filling), each with its marker.
 */
function cutMessages(rows: Sized[], total: number, budget: number): void {
  const costs = rows.map(({ row }) => stringCost(row.message));
  const room = budget - (total - sum(costs));
  const order = rows.map((_, index) => index).sort((a, b) => (costs[a] ?? 0) - (costs[b] ?? 0));
  const sorted = order.map((index) => costs[index] ?? 0);
  // Keep the `whole` cheapest messages; cut the others to `cap`, plus a marker.
  let whole = rows.length;
  let kept = sum(costs);
  let cap = 0;
  do {
    whole--;
    kept -= sorted[whole] ?? 0;
    cap = Math.floor((room - kept) / (rows.length - whole)) - MESSAGE_MARKER_COST;
  } while (whole > 0 && cap < (sorted[whole - 1] ?? 0));
  for (const index of order.slice(whole)) {
    const sized = rows[index];
    if (!sized) continue;
    const { message } = sized.row;
    // Below zero, only the marker is left; the rows that still do not fit go in step 3.
    const end = prefixWithin(message, Math.max(cap, 0));
    if (end === message.length) continue;
    sized.row = {
      ...sized.row,
      message: `${message.slice(0, end)}…[truncated: ${Buffer.byteLength(message)} bytes]`,
    };
  }
}

/** The cost of the longest message marker (a string is at most 2^30 UTF-16 units). */
const MESSAGE_MARKER_COST = stringCost('…[truncated: 9999999999 bytes]');

/**
 * Reply bytes of one row whose JSON is `json`: UTF-8 bytes in
 * `structuredContent`, and as many again in the text, where each `"` and
 * `\` gains a backslash; plus a comma in each.
 */
function rowCost(json: string, bytes: number): number {
  return 2 * bytes + occurrences(json, '"') + occurrences(json, '\\') + 2;
}

function occurrences(text: string, char: string): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) count++;
  return count;
}

/** Reply bytes of a string's characters: JSON-escaped once in `structuredContent`, twice in the text. */
function stringCost(text: string): number {
  return costUpTo(text, Number.POSITIVE_INFINITY).cost;
}

/** The end of the longest prefix of `text` that costs at most `maxCost`, never splitting a pair. */
function prefixWithin(text: string, maxCost: number): number {
  return costUpTo(text, maxCost).end;
}

function costUpTo(text: string, maxCost: number): { cost: number; end: number } {
  let cost = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.codePointAt(end) ?? 0;
    const next = cost + codePointCost(code);
    if (next > maxCost) break;
    cost = next;
    end += code > 0xffff ? 2 : 1;
  }
  return { cost, end };
}

/**
 * JSON escapes each code point on its own, so a string's cost is the sum of
 * these: once as JSON.stringify writes it, plus again as that is escaped.
 */
function codePointCost(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2 + 4; // \"  then  \\\"
  if (code < 0x20)
    return code === 8 || code === 9 || code === 10 || code === 12 || code === 13
      ? 2 + 3 // \n  then  \\n
      : 6 + 7; // \u0001  then  \\u0001
  if (code < 0x80) return 1 + 1;
  if (code < 0x800) return 2 + 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6 + 7; // a lone surrogate is written \udxxx
  return code < 0x10000 ? 3 + 3 : 4 + 4;
}

function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
