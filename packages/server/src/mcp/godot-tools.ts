import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  type JSONRPCRequest,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import {
  type CallerContext,
  type GodotToolDeps,
  TOOL_ALIASES,
  TOOL_CATALOG,
  TOOL_LIST,
} from './tool-catalog.js';
import { describeFailure, errorResult } from './tool-results.js';

export { type CallerContext, type GodotToolDeps, TOOL_ALIASES } from './tool-catalog.js';

/** Longest client-sent tool name Godot repeats, in its log or a reply (issue 10, finding 2). */
const MAX_NAME_CHARS = 100;

/**
 * The SDK builds an Ajv instance per server unless given one, which cost
 * ~0.2 ms of CPU per connection. Godot uses none of what it validates
 * (elicitation), so all connections share one.
 */
const sharedValidator = new AjvJsonSchemaValidator();

// Shared by every connection's server, which only reads them.
const SERVER_INFO = Object.freeze({ name: 'godot', version: '0.1.0' });
const SERVER_OPTIONS = {
  instructions:
    'Central logging: logger_log queues an entry; logger_query reads entries back from Dewey.',
  // What McpServer declares once a tool is registered.
  capabilities: Object.freeze({ tools: Object.freeze({ listChanged: true }) }),
  jsonSchemaValidator: sharedValidator,
};

/** Answered as for a method without a handler: `{code: -32601, message: 'Method not found'}`. */
class MethodNotFoundError extends Error {
  readonly code = ErrorCode.MethodNotFound;
  constructor() {
    super('Method not found');
  }
}

/**
 * A new MCP server (the SDK's low-level `Server`) serving the four tools.
 * Call once per WebSocket connection and per HTTP session: one instance
 * cannot serve two transports, and sharing one leaks responses across
 * clients (GHSA-345p-7cg4-v4c7). Everything else is built once per process
 * (tool-catalog.ts): a connection costs one `Server` and one closure.
 *
 * Replies are those `McpServer` gives, text for text (invalid input is a
 * tool error naming the field; a malformed `tools/call` a JSON-RPC error),
 * without its per-call cost: `McpServer` parses every `tools/call` three
 * times against the SDK's schemas and every result once more.
 *
 * `context` says who is calling (the transport's remote address), for the
 * log lines of audited tools.
 */
export function createGodotMcpServer(deps: GodotToolDeps, context: CallerContext = {}): Server {
  const server = new Server(SERVER_INFO, SERVER_OPTIONS);
  server.fallbackRequestHandler = async (request) => {
    if (request.method === 'tools/call') return callTool(deps, context, request);
    if (request.method === 'tools/list') {
      const parsed = ListToolsRequestSchema.safeParse(request);
      if (!parsed.success) throw parsed.error;
      return TOOL_LIST;
    }
    throw new MethodNotFoundError();
  };
  return server;
}

/**
 * One `tools/call`: maps an alias, checks the input, runs the tool, and
 * times it. Every refusal a tool never sees (unknown tool, invalid input) is
 * logged, and counted for `logger_log` (`godot_logs_refused_total{reason="invalid"}`).
 * An audited tool's call is logged with its arguments, the caller's address
 * and the reply.
 */
async function callTool(
  deps: GodotToolDeps,
  context: CallerContext,
  request: JSONRPCRequest,
): Promise<CallToolResult> {
  const started = performance.now();
  const { name, args } = readCall(request);
  const toolName = TOOL_ALIASES.get(name) ?? name;
  const tool = TOOL_CATALOG.get(toolName);
  // A metrics label is bounded: names we do not serve are all `unknown` (style.md).
  const label = tool ? toolName : 'unknown';
  let result: CallToolResult;
  if (!tool) {
    // The name comes from the client: only its start is repeated, in the log and the reply.
    result = refuse(deps, label, `Tool ${clip(toolName)} not found`, { name: clip(toolName) });
  } else {
    const input = tool.input.safeParse(args ?? {});
    if (!input.success) {
      result = refuse(
        deps,
        label,
        `Input validation error: Invalid arguments for tool ${toolName}: ${issuesText(input.error)}`,
      );
    } else {
      result = await guarded(deps, toolName, () => tool.run(deps, input.data));
      const structured =
        tool.output && !result.isError && tool.output.safeParse(result.structuredContent);
      if (structured && !structured.success) {
        result = refuse(
          deps,
          label,
          `Output validation error: Invalid structured content for tool ${toolName}: ${issuesText(structured.error)}`,
        );
      }
      if (tool.audited) audit(deps, context, toolName, input.data, result);
    }
  }
  deps.metrics.toolDuration.observe({ tool: label }, (performance.now() - started) / 1000);
  return result;
}

/**
 * `params.name` and `params.arguments` of a well-formed `tools/call`. Others
 * are refused with the SDK's own schema, and the same JSON-RPC error as before.
 */
function readCall(request: JSONRPCRequest): { name: string; args?: object } {
  const params = request.params as Record<string, unknown> | undefined;
  const args = params?.arguments;
  if (
    typeof params?.name === 'string' &&
    (args === undefined || (typeof args === 'object' && args !== null && !Array.isArray(args))) &&
    params.task === undefined
  ) {
    return { name: params.name, args };
  }
  const parsed = CallToolRequestSchema.safeParse(request);
  if (!parsed.success) throw parsed.error;
  return { name: parsed.data.params.name, args: parsed.data.params.arguments };
}

/** A tool error in the SDK's words ("MCP error -32602: …"), logged, and counted for `logger_log`. */
function refuse(
  deps: GodotToolDeps,
  tool: string,
  message: string,
  fields: object = {},
): CallToolResult {
  const text = new McpError(ErrorCode.InvalidParams, message).message;
  if (tool === 'logger_log') deps.metrics.refused.inc({ reason: 'invalid' });
  deps.logger.warn({ tool, ...fields, err: text.slice(0, 500) }, 'tool call refused');
  return errorResult(text);
}

/** The start of a client-sent name, marked when cut. */
function clip(name: string): string {
  return name.length <= MAX_NAME_CHARS ? name : `${name.slice(0, MAX_NAME_CHARS)}…`;
}

/**
 * Godot's own log, info level: who cleared logs or changed a level, with
 * what, and what came of it (issue 10, finding 8). The arguments are
 * validated, hence bounded; the reply is short for these tools.
 */
function audit(
  deps: GodotToolDeps,
  context: CallerContext,
  tool: string,
  args: unknown,
  result: CallToolResult,
): void {
  const first = result.content[0];
  deps.logger.info(
    {
      tool,
      args,
      remote: context.remoteAddress ?? null,
      ok: result.isError !== true,
      reply: first?.type === 'text' ? first.text.slice(0, 500) : undefined,
    },
    `audit: ${tool}`,
  );
}

/** Zod issues as the SDK words them: "must be a UUID … at trace_id", one per line. */
function issuesText(error: { issues: { message: string; path: PropertyKey[] }[] }): string {
  return error.issues
    .map(({ message, path }) => (path.length === 0 ? message : `${message} at ${dotPath(path)}`))
    .join('\n');
}

function dotPath(path: PropertyKey[]): string {
  return path
    .map((segment, index) =>
      index === 0
        ? String(segment)
        : typeof segment === 'number'
          ? `[${segment}]`
          : `.${String(segment)}`,
    )
    .join('');
}

/** Runs a tool; a throw becomes a tool error that says what failed (style.md, principle 5). */
async function guarded(
  deps: GodotToolDeps,
  tool: string,
  run: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    const { text, reason } = describeFailure(tool, error);
    if (tool === 'logger_log') deps.metrics.refused.inc({ reason });
    deps.logger.warn({ tool, reason, err: text }, 'tool call failed');
    return errorResult(text);
  }
}
