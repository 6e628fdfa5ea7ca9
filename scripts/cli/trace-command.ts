import {
  CLI_MAX_BYTES,
  type GodotSession,
  payloadOf,
  type ToolFailure,
  toolFailure,
} from './godot-session.js';
import type { ReadEntry, TraceReply } from './read-replies.js';

/** Pages of one trace read at most: a server that kept answering `next_cursor` cannot loop the CLI. */
export const MAX_TRACE_PAGES = 100;

/** A whole trace, or why not. */
export type TraceRead = { reply: TraceReply } | { failure: ToolFailure };

/**
 * Reads one trace with `logger_trace`, every page of it: a trace larger
 * than a reply comes with `next_cursor`, and people want the whole of it.
 * The timeline (counts, exchanges, gaps) is the server's, computed over the
 * whole trace on each page; the entries of the pages are joined. The reply
 * is the first page's with every entry, without `truncated`/`next_cursor`
 * unless `MAX_TRACE_PAGES` stopped the reading.
 */
export async function readTrace(session: GodotSession, traceId: string): Promise<TraceRead> {
  let first: TraceReply | undefined;
  const logs: ReadEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TRACE_PAGES; page++) {
    const args: Record<string, unknown> = { trace_id: traceId, max_bytes: CLI_MAX_BYTES };
    if (cursor !== undefined) args.cursor = cursor;
    const result = await session.call('logger_trace', args);
    const failure = toolFailure(result);
    if (failure !== undefined) return { failure };
    const reply = payloadOf(result) as TraceReply;
    first ??= reply;
    logs.push(...(reply.logs ?? []));
    cursor = reply.next_cursor;
    if (cursor === undefined) {
      const { truncated: _, next_cursor: __, ...whole } = first;
      return { reply: { ...whole, logs, returned: logs.length } };
    }
  }
  return { reply: { ...(first as TraceReply), logs, returned: logs.length, next_cursor: cursor } };
}
