import { type BackoffOptions, backoffDelay } from '@godot/shared';
import { oneLine } from '../terminal-text.js';
import { formatEntryLine } from './entry-line.js';
import {
  CLI_MAX_BYTES,
  type GodotSession,
  isConnectionLoss,
  payloadOf,
  type ToolResult,
  toolFailure,
} from './godot-session.js';
import type { TailReply } from './read-replies.js';

/** The filters of `logger_tail` the CLI passes on (docs/product.md#logger_tail). */
export interface TailFilters {
  component?: string;
  level?: string;
  trace_id?: string;
  search?: string;
}

/** Options of `runTail`. */
export interface TailCommandOptions {
  /** A connected session; `runTail` closes it (or its successors) before it returns. */
  session: GodotSession;
  /** Opens a new session after the connection was lost (`follow` only). */
  reconnect: () => Promise<GodotSession>;
  filters: TailFilters;
  /** Keep reading until `signal` aborts; otherwise one call, then return. */
  follow: boolean;
  /** Where to start, `10m` or an ISO time; undefined: now. Sent only with the first call. */
  since?: string;
  /** Entries per call, 1…1000. @default the server's (100) */
  limit?: number;
  /** One JSON object per entry, as the server sent it, rather than a line for people. */
  json: boolean;
  /** Colour levels (`entry-line.ts`). */
  color: boolean;
  /** Prints one line on stdout. */
  out: (line: string) => void;
  /** Prints one notice on stderr. */
  notice: (line: string) => void;
  /** Ctrl-C: ends the wait under way, closes the connection, and `runTail` returns 0. */
  signal: AbortSignal;
  /** How long each follow-up call waits for entries. @default 10000 */
  waitMs?: number;
  /** Delays between attempts while Godot is away. @default 250 ms doubling to 5 s */
  backoff?: BackoffOptions;
}

/** Default of `TailCommandOptions.waitMs`. */
export const TAIL_WAIT_MS = 10_000;
const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 5000 };
/** Beyond the wait, how long a call may take before the connection counts as lost. */
const CALL_SLACK_MS = 15_000;

/**
 * `pnpm godot tail`: calls `logger_tail` and prints each entry (one line,
 * or one JSON object, each). Without `follow`: one call that does not wait,
 * then 0. With `follow`: call after call, each from the cursor of the one
 * before, until `signal` aborts (then 0).
 *
 * While following, Godot going away is not the end: a lost connection, or
 * a tool error the server calls retryable (a busy server, Redis away), is
 * said once on stderr and retried with backoff, on a new connection when
 * the old one is gone, from the last cursor, so no entry is lost or printed
 * twice (the cursor lives in Redis, valid on any server). Recovery is said
 * once too. Anything else (a refused input, a JSON-RPC error) ends the tail
 * with 1, or throws.
 */
export async function runTail(options: TailCommandOptions): Promise<number> {
  const { signal, notice } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const waitMs = options.waitMs ?? TAIL_WAIT_MS;
  let session: GodotSession | undefined = options.session;
  let cursor: string | undefined;
  /** The notice to give when calls work again; undefined while they do. */
  let recovery: string | undefined;
  let attempt = 0;
  const pause = () => sleep(backoffDelay(attempt++, backoff), signal);
  try {
    while (!signal.aborted) {
      let result: ToolResult;
      try {
        session ??= await options.reconnect();
        // The first call of a follow does not wait: the cursor it returns pins the start, so
        // that a connection lost before anything came cannot move it.
        const wait = options.follow && cursor !== undefined ? waitMs : 0;
        result = await session.call(
          'logger_tail',
          given({
            cursor,
            since: cursor === undefined ? options.since : undefined,
            wait_ms: wait,
            limit: options.limit,
            max_bytes: CLI_MAX_BYTES,
            ...options.filters,
          }),
          { signal, timeoutMs: wait + CALL_SLACK_MS },
        );
      } catch (error) {
        if (signal.aborted) return 0;
        if (!options.follow || !isConnectionLoss(error)) throw error;
        if (recovery === undefined) {
          notice(`godot: connection lost (${oneLine(errorMessage(error))}), retrying…`);
          recovery = 'godot: reconnected';
        }
        const lost = session;
        session = undefined;
        await lost?.close().catch(() => undefined);
        await pause();
        continue;
      }
      const failure = toolFailure(result);
      if (failure !== undefined) {
        if (!options.follow || !failure.retryable) {
          notice(`error: ${oneLine(failure.text)}`);
          return 1;
        }
        if (recovery === undefined) {
          notice(`godot: ${oneLine(failure.text)}; retrying…`);
          recovery = 'godot: resumed';
        }
        await pause();
        continue;
      }
      const reply = payloadOf(result) as TailReply;
      if (recovery !== undefined) notice(recovery);
      recovery = undefined;
      attempt = 0;
      if (reply.missed !== undefined) notice(missedNotice(reply.missed));
      const logs = reply.logs ?? [];
      for (const entry of logs) {
        options.out(
          options.json ? JSON.stringify(entry) : formatEntryLine(entry, { color: options.color }),
        );
      }
      cursor = reply.cursor;
      if (!options.follow) {
        // Cut by `limit` or by bytes: either way, later entries were not printed.
        const full = reply.truncated === true || logs.length >= (options.limit ?? 100);
        if (full) notice(moreNotice(logs.length, options.since));
        return 0;
      }
    }
    return 0;
  } finally {
    await session?.close().catch(() => undefined);
  }
}

/** The stderr line for a reply's `missed`. */
export function missedNotice(missed: number | true): string {
  return missed === true
    ? 'godot: some entries aged out of the recent window before they were read (how many is unknown)'
    : `godot: ${missed} ${missed === 1 ? 'entry' : 'entries'} aged out of the recent window before they were read`;
}

/** The stderr line when one call's page was full: later entries exist and were not printed. */
function moreNotice(count: number, since: string | undefined): string {
  const from = since === undefined ? '' : ` (since ${oneLine(since)})`;
  return `godot: printed the first ${count} ${count === 1 ? 'entry' : 'entries'}${from}; more follow: raise --limit (up to 1000), give a later --since, or follow with -f`;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The fields whose value is not undefined (the tools take absence, not `undefined`). */
function given(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
