import type { DeweyClient, DeweyQueryArgs, Logger } from '@godot/shared';
import type { CallToolResult, ListToolsResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Ingest } from '../ingest/ingest.js';
import type { LevelStore } from '../ingest/level-store.js';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { DeweyCannotClearError, isDeweyTimeBug } from '../query/dewey-time-bug.js';
import { queryOutputSchema, queryResult } from '../query/query-result.js';
import { queryWithTimeWindow } from '../query/time-window.js';
import { advertisedSchema, type JsonSchema } from './advertised-schema.js';
import {
  type ClearInput,
  clearInputSchema,
  type LogInput,
  logInputSchema,
  type QueryInput,
  queryInputSchema,
  type SetLevelInput,
  setLevelInputSchema,
} from './tool-inputs.js';
import { clearOutputSchema, logOutputSchema, setLevelOutputSchema } from './tool-outputs.js';
import { okResult } from './tool-results.js';

/** What the four tools need; shared by every connection. */
export interface GodotToolDeps {
  ingest: Ingest;
  levels: LevelStore;
  dewey: DeweyClient;
  metrics: ServerMetrics;
  logger: Logger;
  /** Largest `logger_query` reply in bytes (`MAX_REPLY_BYTES`); beyond it rows are cut, with markers. */
  maxReplyBytes: number;
}

/** Who is calling, as far as the transport knows: for Godot's own log. */
export interface CallerContext {
  /** The client's IP address; `undefined` when the transport has none. @default undefined */
  remoteAddress?: string;
}

/** One tool: what `tools/list` shows, how its input is checked, what it does. */
export interface CatalogTool<I = unknown> {
  definition: Tool;
  input: z.ZodType<I>;
  /** Checked against `structuredContent` of a successful result, as `McpServer` does. */
  output?: z.ZodType;
  /**
   * Calls that change what every client sees (clearing logs, silencing a
   * component) are written to Godot's own log with the caller's address
   * (issue 10, finding 8).
   */
  audited: boolean;
  run(deps: GodotToolDeps, input: I): Promise<CallToolResult>;
}

const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

/**
 * A tool with its JSON schemas converted once, when the module loads, the
 * way `McpServer.registerTool` and its `tools/list` would describe it
 * (draft-07; input schemas as the client writes them, output schemas as the
 * server does; no task support), then written for strict clients
 * (advertised-schema.ts: no type arrays, no empty schemas, optional inputs
 * without their `null`).
 */
function tool<I>(
  name: string,
  {
    description,
    annotations,
    audited = false,
  }: Pick<Tool, 'description' | 'annotations'> & { audited?: boolean },
  input: z.ZodType<I>,
  run: CatalogTool<I>['run'],
  output?: z.ZodType,
): CatalogTool<I> {
  const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
    advertisedSchema(
      z.toJSONSchema(schema, { target: 'draft-7', io }) as JsonSchema,
      io,
    ) as Tool['inputSchema'];
  const definition: Tool = {
    name,
    description,
    inputSchema: jsonSchema(input, 'input'),
    annotations,
    execution: { taskSupport: 'forbidden' },
  };
  if (output) definition.outputSchema = jsonSchema(output, 'output');
  return { definition, input, output, audited, run };
}

const logTool = tool<LogInput>(
  'logger_log',
  {
    description:
      'Queue one log entry for storage in Dewey. Replies once the entry is durably queued: {"status":"ok","queued":true,"id":…}, or queued:false with a reason when below the component\'s level.',
    annotations: { openWorldHint: false },
  },
  logInputSchema,
  async (deps, input) => okResult(await deps.ingest.log(input)),
  logOutputSchema,
);

const queryTool = tool<QueryInput>(
  'logger_query',
  {
    description:
      'Read logs back from Dewey, newest first. Filters: trace_id, component, level (minimum), start_time, end_time, search (full text), limit (1-1000, default 100). A reply over its size cap is cut and marked "truncated":true; cut data reads {"_truncated":true,"bytes":N}. "time_filter":"godot": Godot applied the time window to the newest 1000 rows.',
    annotations: READ_ONLY,
  },
  queryInputSchema,
  async (deps, input) => {
    const { logs, ...marks } = await queryWithTimeWindow(
      deps.dewey,
      definedOnly(input) as DeweyQueryArgs,
    );
    return queryResult(logs, deps.maxReplyBytes, marks);
  },
  queryOutputSchema,
);

const clearTool = tool<ClearInput>(
  'logger_clear',
  {
    description:
      "Delete logs in Dewey older than before_time (default: Dewey's 7-day retention), optionally only one component or level.",
    annotations: { destructiveHint: true, openWorldHint: false },
    audited: true,
  },
  clearInputSchema,
  async (deps, input) => {
    try {
      return okResult(await deps.dewey.clearLogs(definedOnly(input)));
    } catch (error) {
      // The real Dewey fails every clear (godot.md, logger_clear): say so plainly.
      throw isDeweyTimeBug(error) ? new DeweyCannotClearError(error) : error;
    }
  },
  clearOutputSchema,
);

const setLevelTool = tool<SetLevelInput>(
  'logger_set_level',
  {
    description:
      "Set a component's minimum level on every Godot instance; entries below it are no longer queued.",
    annotations: { idempotentHint: true, openWorldHint: false },
    audited: true,
  },
  setLevelInputSchema,
  async (deps, { component, level }) => {
    const previous = await deps.levels.set(component, level);
    return okResult({ status: 'ok', component, level, previous });
  },
  setLevelOutputSchema,
);

/** The four tools by name (godot.md, The four tools). Built once per process. */
export const TOOL_CATALOG: ReadonlyMap<string, CatalogTool> = new Map(
  [logTool, queryTool, clearTool, setLevelTool].map((entry) => [
    entry.definition.name,
    entry as CatalogTool,
  ]),
);

/**
 * The Python Godot's tool names, accepted as aliases and not listed
 * (godot.md). A Map, not an object: a client's `__proto__` or `constructor`
 * must not find `Object.prototype`'s members (issue 10, finding 2).
 */
export const TOOL_ALIASES: ReadonlyMap<string, string> = new Map([
  ['godot_logger_log', 'logger_log'],
  ['godot_logger_query', 'logger_query'],
  ['godot_logger_clear', 'logger_clear'],
  ['godot_logger_set_level', 'logger_set_level'],
]);

/** The `tools/list` result: the same object for every connection and every call. */
export const TOOL_LIST: ListToolsResult = Object.freeze({
  tools: [...TOOL_CATALOG.values()].map((entry) => entry.definition),
});

/** Only the filters that were given go to Dewey (godot.md, logger_query). */
function definedOnly<T extends object>(input: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  ) as { [K in keyof T]: Exclude<T[K], null> };
}
