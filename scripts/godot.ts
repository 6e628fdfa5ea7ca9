/**
 * `pnpm godot …`: a small CLI for people debugging, talking to a running
 * Godot through the MCP SDK's Client over WebSocket, like any component.
 * The commands are listed in USAGE below.
 *
 * Log entries hold whatever their senders wrote, terminal escape sequences
 * included: everything printed for people (tables, lines, replies, errors)
 * goes through `stripControlChars`/`oneLine`. `--json` prints the server's
 * JSON (the reply's `structuredContent`; for `tail`, one entry per line) for
 * programs to read: JSON escapes C0 controls itself.
 */
import { parseArgs } from 'node:util';
import { ConnectError, redactUrl } from '@godot/shared';
import { colorEnabled } from './cli/entry-line.js';
import {
  type GodotSession,
  type GodotTarget,
  openSession,
  payloadOf,
  resultText,
  toolFailure,
} from './cli/godot-session.js';
import type { SummaryReply } from './cli/read-replies.js';
import { formatSummary } from './cli/summary-view.js';
import { runTail } from './cli/tail-command.js';
import { readTrace } from './cli/trace-command.js';
import { formatTrace } from './cli/trace-view.js';
import { formatTable } from './format-table.js';
import { stripControlChars } from './terminal-text.js';

const USAGE = `usage: pnpm godot <command> [args] [--url ws://127.0.0.1:9060] [--token T] [--json]
  log <component> <level> <message…> [--trace-id ID] [--data JSON]
  query [--component C] [--level L] [--search TEXT] [--trace-id ID] [--since ISO] [--until ISO] [--limit N]
  tail [-f] [--component C] [--level L] [--trace-id ID] [--search TEXT] [--since 10m|ISO] [--limit N]
      Entries of the recent window (every server's, Dewey up or down), oldest first, one line each:
      time (UTC), level, component, trace id (8 chars or -), message, data.
      Without -f: the first --limit entries (default 100) since --since (default 10m: the
      recent past), then exits. With -f: from --since (default now) on, live, until Ctrl-C;
      rides out a server restart without losing or repeating an entry.
  trace <trace-id>
      One trace across components (recent window and Dewey): each entry at +ms from the
      first, the MCP exchanges (latency, error code, or no response), the longest gaps.
  summary [--since 15m|ISO] [--component C] [--level L] [--limit N]
      Counts by component and level, and the N (default 20) commonest message patterns,
      numbers and ids folded; since 15m ago by default.
  clear [--before ISO] [--component C] [--level L]
  level <component> <level>
  stats
--url defaults to GODOT_URL, --token to AUTH_TOKEN. --json prints the reply as JSON (tail: one
entry per line; trace: every page joined). Colours only on a terminal, never with NO_COLOR set.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.GODOT_URL ?? 'ws://127.0.0.1:9060' },
    token: { type: 'string', default: process.env.AUTH_TOKEN },
    json: { type: 'boolean', default: false },
    'trace-id': { type: 'string' },
    data: { type: 'string' },
    component: { type: 'string' },
    level: { type: 'string' },
    search: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    before: { type: 'string' },
    limit: { type: 'string' },
    follow: { type: 'boolean', short: 'f', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const [command, ...args] = positionals;
const target: GodotTarget = { url: values.url, token: values.token };

/** Prints one message for people on stderr. */
const fail = (text: string): void => console.error(stripControlChars(text));

async function main(): Promise<number> {
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'stats') return stats();
  if (values.limit !== undefined && !Number.isInteger(Number(values.limit))) {
    fail('--limit must be an integer');
    return 2;
  }
  if (command === 'tail') return tail();
  if (command === 'trace') return trace(args[0]);
  const call = toolCall(command, args);
  if (call === undefined) {
    console.error(USAGE);
    return 2;
  }
  const session = await connect();
  if (session === undefined) return 1;
  try {
    const result = await session.call(call.name, call.arguments);
    const failure = toolFailure(result);
    if (failure !== undefined) {
      fail(`error: ${failure.text}`);
      return 1;
    }
    if (values.json) {
      // Exactly what the server sent: its structuredContent is its text's JSON.
      const structured = result.structuredContent;
      console.log(structured === undefined ? resultText(result) : JSON.stringify(structured));
    } else {
      console.log(render(command, payloadOf(result)));
    }
    return 0;
  } finally {
    await session.close();
  }
}

/** A session with Godot, or undefined once the reason it failed is printed. */
async function connect(): Promise<GodotSession | undefined> {
  try {
    return await openSession(target);
  } catch (error) {
    // A connect error names the URL itself (redacted); `detail` is the why alone.
    const why = error instanceof ConnectError ? error.detail : errorMessage(error);
    fail(`cannot reach Godot at ${redactUrl(values.url)}: ${why}`);
    return undefined;
  }
}

/** `trace <id>`: every page of the trace (cli/trace-command.ts), as a timeline or as JSON. */
async function trace(traceId: string | undefined): Promise<number> {
  if (traceId === undefined) {
    console.error(USAGE);
    return 2;
  }
  const session = await connect();
  if (session === undefined) return 1;
  try {
    const read = await readTrace(session, traceId);
    if ('failure' in read) {
      fail(`error: ${read.failure.text}`);
      return 1;
    }
    const color = colorEnabled(process.stdout, process.env);
    console.log(values.json ? JSON.stringify(read.reply) : formatTrace(read.reply, { color }));
    return 0;
  } finally {
    await session.close();
  }
}

/** `tail [-f]`: cli/tail-command.ts, stopped by Ctrl-C (or SIGTERM, or a reader that went away). */
async function tail(): Promise<number> {
  const session = await connect();
  if (session === undefined) return 1;
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `pnpm godot tail -f | head`: a closed pipe ends the tail rather than crashing it.
  process.stdout.on('error', onSignal);
  try {
    return await runTail({
      session,
      reconnect: () => openSession(target),
      filters: {
        component: values.component,
        level: values.level,
        trace_id: values['trace-id'],
        search: values.search,
      },
      follow: values.follow,
      since: values.since ?? (values.follow ? undefined : '10m'),
      limit: values.limit === undefined ? undefined : Number(values.limit),
      json: values.json,
      color: colorEnabled(process.stdout, process.env),
      out: (line) => {
        if (!stop.signal.aborted) process.stdout.write(`${line}\n`);
      },
      notice: fail,
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function toolCall(
  name: string,
  rest: string[],
): { name: string; arguments: Record<string, unknown> } | undefined {
  const given = (entries: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
  switch (name) {
    case 'log': {
      const [component, level, ...words] = rest;
      if (!component || !level || words.length === 0) return undefined;
      const data = values.data === undefined ? undefined : (JSON.parse(values.data) as unknown);
      return {
        name: 'logger_log',
        arguments: given({
          component,
          level,
          message: words.join(' '),
          trace_id: values['trace-id'],
          data,
        }),
      };
    }
    case 'query':
      return {
        name: 'logger_query',
        arguments: given({
          component: values.component,
          level: values.level,
          search: values.search,
          trace_id: values['trace-id'],
          start_time: values.since,
          end_time: values.until,
          limit: values.limit === undefined ? undefined : Number(values.limit),
        }),
      };
    case 'clear':
      return {
        name: 'logger_clear',
        arguments: given({
          before_time: values.before,
          component: values.component,
          level: values.level,
        }),
      };
    case 'summary':
      return {
        name: 'logger_summary',
        arguments: given({
          since: values.since,
          component: values.component,
          level: values.level,
          top: values.limit === undefined ? undefined : Number(values.limit),
        }),
      };
    case 'level': {
      const [component, level] = rest;
      return component && level
        ? { name: 'logger_set_level', arguments: { component, level } }
        : undefined;
    }
    default:
      return undefined;
  }
}

interface Row {
  created_at: string;
  level: string;
  component: string;
  message: string;
  trace_id: string | null;
  data: unknown;
}

/** A reply for people, with nothing in it that a terminal would act on but the CLI's own colours. */
function render(name: string, payload: unknown): string {
  // The view strips what entries hold piece by piece.
  if (name === 'summary') return formatSummary(payload as SummaryReply);
  return stripControlChars(renderPlain(name, payload));
}

function renderPlain(name: string, payload: unknown): string {
  if (name === 'query') {
    // The rows, whether the text is the array or `{ "logs": [...] }` (docs/product.md, "logger_query").
    const rows = Array.isArray(payload)
      ? (payload as Row[])
      : ((payload as { logs: Row[] }).logs ?? []);
    if (rows.length === 0) return '(no logs)';
    const table = rows.map((row) => [
      row.created_at.replace('T', ' ').slice(0, 23),
      row.level,
      row.component,
      row.message,
      row.trace_id ?? '',
      row.data === null ? '' : JSON.stringify(row.data),
    ]);
    return `${formatTable(['time (UTC)', 'level', 'component', 'message', 'trace_id', 'data'], table, 60)}\n${rows.length} row(s)`;
  }
  return Object.entries(payload as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
}

/** Queue depth, Dewey and worker status from the server's /health. */
async function stats(): Promise<number> {
  const url = new URL(values.url);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/health';
  // /health needs no credentials: drop them and the query, so that neither
  // fetch's errors (which quote the URL) nor the table below can show them.
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    fail(`cannot reach Godot at ${url.origin}: ${errorMessage(error)}`);
    return 1;
  }
  const health = (await response.json()) as Record<string, unknown>;
  if (values.json) console.log(JSON.stringify(health));
  else {
    const flat = Object.entries(health).map(([key, value]) => [
      key,
      typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]);
    console.log(formatTable(['', `${url.origin} (HTTP ${response.status})`], flat, 100));
  }
  return response.ok ? 0 : 1;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(`godot: ${errorMessage(error)}`);
    process.exit(1);
  },
);
