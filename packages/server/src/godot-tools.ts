import {
  type ClearInput,
  clearInputShape,
  type DeweyClient,
  type DeweyQueryArgs,
  type Logger,
  logInputShape,
  logRowSchema,
  type QueryInput,
  queryInputShape,
  setLevelInputShape,
} from '@godot/shared';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { z } from 'zod';
import type { Ingest } from './ingest.js';
import type { LevelStore } from './level-store.js';
import type { ServerMetrics } from './server-metrics.js';
import { describeFailure, errorResult, okResult } from './tool-results.js';

/** What the four tools need; shared by every connection's `McpServer`. */
export interface GodotToolDeps {
  ingest: Ingest;
  levels: LevelStore;
  dewey: DeweyClient;
  metrics: ServerMetrics;
  logger: Logger;
}

/** The tool names, and the Python Godot's names accepted as aliases (godot.md). */
export const TOOL_ALIASES: Readonly<Record<string, string>> = {
  godot_logger_log: 'logger_log',
  godot_logger_query: 'logger_query',
  godot_logger_clear: 'logger_clear',
  godot_logger_set_level: 'logger_set_level',
};

const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

/**
 * The SDK builds an Ajv instance per server unless given one, which cost
 * ~0.2 ms of CPU per connection: a lot for clients that open a socket per
 * log line. Godot uses none of what it validates (elicitation), so all
 * connections share one.
 */
const sharedValidator = new AjvJsonSchemaValidator();

/**
 * A new `McpServer` with the four tools. Call once per WebSocket connection
 * and per HTTP session: one instance cannot serve two transports, and sharing
 * one leaks responses across clients (GHSA-345p-7cg4-v4c7).
 */
export function createGodotMcpServer(deps: GodotToolDeps): McpServer {
  const server = new McpServer(
    { name: 'godot', version: '0.1.0' },
    {
      instructions:
        'Central logging: logger_log queues an entry; logger_query reads entries back from Dewey.',
      jsonSchemaValidator: sharedValidator,
    },
  );
  const run = (tool: string, handler: () => Promise<CallToolResult>) =>
    guarded(deps, tool, handler);

  server.registerTool(
    'logger_log',
    {
      description:
        'Queue one log entry for storage in Dewey. Replies once the entry is durably queued: {"status":"ok","queued":true,"id":…}, or queued:false with a reason when below the component\'s level.',
      inputSchema: logInputShape,
      annotations: { openWorldHint: false },
    },
    (input) => run('logger_log', async () => okResult(await deps.ingest.log(input))),
  );

  server.registerTool(
    'logger_query',
    {
      description:
        'Read logs back from Dewey, newest first. Filters: trace_id, component, level (minimum), start_time, end_time, search (full text), limit (1-1000, default 100).',
      inputSchema: queryInputShape,
      outputSchema: { logs: z.array(logRowSchema) },
      annotations: READ_ONLY,
    },
    (input) =>
      run('logger_query', async () => {
        const logs = await deps.dewey.queryLogs(queryArgs(input));
        return okResult(logs, { logs });
      }),
  );

  server.registerTool(
    'logger_clear',
    {
      description:
        "Delete logs in Dewey older than before_time (default: Dewey's 7-day retention), optionally only one component or level.",
      inputSchema: clearInputShape,
      annotations: { destructiveHint: true, openWorldHint: false },
    },
    (input) =>
      run('logger_clear', async () => okResult(await deps.dewey.clearLogs(clearArgs(input)))),
  );

  server.registerTool(
    'logger_set_level',
    {
      description:
        "Set a component's minimum level on every Godot instance; entries below it are no longer queued.",
      inputSchema: setLevelInputShape,
      annotations: { idempotentHint: true, openWorldHint: false },
    },
    ({ component, level }) =>
      run('logger_set_level', async () => {
        const previous = await deps.levels.set(component, level);
        deps.logger.info({ component, level, previous }, 'level set');
        return okResult({ status: 'ok', component, level, previous });
      }),
  );
  return server;
}

async function guarded(deps: GodotToolDeps, tool: string, handler: () => Promise<CallToolResult>) {
  try {
    return await handler();
  } catch (error) {
    const { text, reason } = describeFailure(tool, error);
    if (tool === 'logger_log') deps.metrics.refused.inc({ reason });
    deps.logger.warn({ tool, reason, err: text }, 'tool call failed');
    return errorResult(text);
  }
}

/** Only the filters that were given go to Dewey (godot.md, logger_query). */
function queryArgs(input: QueryInput): DeweyQueryArgs {
  return definedOnly({ ...input });
}

function clearArgs(input: ClearInput) {
  return definedOnly({ ...input });
}

function definedOnly<T extends object>(input: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  ) as { [K in keyof T]: Exclude<T[K], null> };
}
