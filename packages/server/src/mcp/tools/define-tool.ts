import type { DeweyClient, Logger, RecentReader } from '@godot/shared';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Ingest } from '../../ingest/ingest.js';
import type { LevelStore } from '../../ingest/level-store.js';
import type { ServerMetrics } from '../../ops/server-metrics.js';
import type { TailService } from '../../read/tail-service.js';
import { advertisedSchema, type JsonSchema } from '../advertised-schema.js';

/** What the tools need; shared by every connection. */
export interface GodotToolDeps {
  ingest: Ingest;
  levels: LevelStore;
  dewey: DeweyClient;
  metrics: ServerMetrics;
  logger: Logger;
  /** Largest `logger_query` reply in bytes (`MAX_REPLY_BYTES`); beyond it rows are cut, with markers. */
  maxReplyBytes: number;
  /** The recent window (docs/product.md#recent-window); absent when it is off. */
  recent?: RecentReader;
  /** The long polls of `logger_tail`; absent when the window is off. */
  tails?: TailService;
  /** The queue's jobs by state, summed over the shards (`logger_summary`'s stats). */
  queueDepth?: () => Promise<Record<string, number>>;
}

/** One tool: what `tools/list` shows, how its input is checked, what it does. */
export interface CatalogTool<I = unknown> {
  definition: Tool;
  input: z.ZodType<I>;
  /** Checked against `structuredContent` of a successful result, as `McpServer` does. */
  output: z.ZodType;
  /**
   * Calls that change what every client sees (clearing logs, silencing a
   * component) are written to Godot's own log with the caller's address.
   */
  audited: boolean;
  /** Runs the tool on validated input; a throw becomes a tool error (describe-failure.ts). */
  run(deps: GodotToolDeps, input: I): Promise<CallToolResult>;
}

/** How a tool file describes its tool. */
export interface ToolSpec<I> extends Pick<Tool, 'name' | 'description' | 'annotations'> {
  input: z.ZodType<I>;
  output: z.ZodType;
  /** @default false */
  audited?: boolean;
  run: CatalogTool<I>['run'];
}

/**
 * A tool with its JSON schemas converted once, when its module loads, the
 * way `McpServer.registerTool` and its `tools/list` would describe it
 * (draft-07; input schemas as the client writes them, output schemas as the
 * server does; no task support), then written for strict clients
 * (advertised-schema.ts: no type arrays, no empty schemas, optional inputs
 * without their `null`).
 */
export function defineTool<I>(spec: ToolSpec<I>): CatalogTool<I> {
  const { name, description, annotations, input, output, audited = false, run } = spec;
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
  definition.outputSchema = jsonSchema(output, 'output');
  return { definition, input, output, audited, run };
}
