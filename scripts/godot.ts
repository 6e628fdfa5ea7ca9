/**
 * `pnpm godot …`: a small CLI for people debugging, talking to a running
 * Godot through the MCP SDK's Client over WebSocket, like any component.
 *
 *   pnpm godot log <component> <level> <message…> [--trace-id ID] [--data JSON]
 *   pnpm godot query [--component C] [--level L] [--search TEXT] [--trace-id ID]
 *                    [--since ISO] [--until ISO] [--limit N]
 *   pnpm godot clear [--before ISO] [--component C] [--level L]
 *   pnpm godot level <component> <level>
 *   pnpm godot stats
 * Options: --url ws://host:9060 (or GODOT_URL), --token T (or AUTH_TOKEN), --json.
 *
 * Log entries hold whatever their senders wrote, terminal escape sequences
 * included: everything printed for people (tables, replies, errors) goes
 * through `stripControlChars`. `--json` prints the server's JSON text as is
 * (JSON escapes C0 controls itself), for programs to read.
 */
import { parseArgs } from 'node:util';
import { ConnectError, redactUrl, WebSocketClientTransport } from '@godot/shared';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { formatTable } from './format-table.js';
import { stripControlChars } from './terminal-text.js';

const USAGE = `usage: pnpm godot <log|query|clear|level|stats> [args] [--url ws://127.0.0.1:9060] [--token T] [--json]
  log <component> <level> <message…> [--trace-id ID] [--data JSON]
  query [--component C] [--level L] [--search TEXT] [--trace-id ID] [--since ISO] [--until ISO] [--limit N]
  clear [--before ISO] [--component C] [--level L]
  level <component> <level>
  stats`;

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
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const [command, ...args] = positionals;

/** Prints one message for people on stderr. */
const fail = (text: string): void => console.error(stripControlChars(text));

async function main(): Promise<number> {
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'stats') return stats();
  const call = toolCall(command, args);
  if (call === undefined) {
    console.error(USAGE);
    return 2;
  }
  const headers: Record<string, string> = values.token
    ? { authorization: `Bearer ${values.token}` }
    : {};
  const client = new Client({ name: 'godot-cli', version: '0.1.0' });
  try {
    await client.connect(
      new WebSocketClientTransport(values.url, { headers, connectTimeoutMs: 5000 }),
    );
  } catch (error) {
    // A connect error names the URL itself (redacted); `detail` is the why alone.
    const why = error instanceof ConnectError ? error.detail : errorMessage(error);
    fail(`cannot reach Godot at ${redactUrl(values.url)}: ${why}`);
    return 1;
  }
  try {
    const result = await client.callTool(call);
    const text = (result.content as { text?: string }[])[0]?.text ?? '';
    if (result.isError) {
      fail(`error: ${text}`);
      return 1;
    }
    console.log(values.json ? text : stripControlChars(render(command, JSON.parse(text))));
    return 0;
  } finally {
    await client.close();
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

function render(name: string, payload: unknown): string {
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
