import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  type JSONRPCRequest,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { describeFailure } from './describe-failure.js';
import { findTool } from './tool-catalog.js';
import { errorResult, type ToolErrorReason } from './tool-result.js';
import type { GodotToolDeps } from './tools/define-tool.js';

/** Who is calling, as far as the transport knows: for Godot's own log. */
export interface CallerContext {
  /** The client's IP address; `undefined` when the transport has none. @default undefined */
  remoteAddress?: string;
}

/** Longest client-sent tool name Godot repeats, in its log or a reply. */
const MAX_NAME_CHARS = 100;

/**
 * One `tools/call`: maps an alias, checks the input, runs the tool, and
 * times it. Every refusal a tool never sees (unknown tool, invalid input) is
 * logged, and counted for `logger_log` (`godot_logs_refused_total{reason="invalid"}`).
 * An audited tool's call is logged with its arguments, the caller's address
 * and the reply. Every tool error carries its reason (tool-result.ts).
 */
export async function callTool(
  deps: GodotToolDeps,
  context: CallerContext,
  request: JSONRPCRequest,
): Promise<CallToolResult> {
  const started = performance.now();
  const call = readCall(request);
  const { name: toolName, tool } = findTool(call.name);
  // A metrics label is bounded: names we do not serve are all `unknown`.
  const label = tool ? toolName : 'unknown';
  let result: CallToolResult;
  if (!tool) {
    // The name comes from the client: only its start is repeated, in the log and the reply.
    result = refuse(deps, label, 'unknown_tool', `Tool ${clip(toolName)} not found`, {
      name: clip(toolName),
    });
  } else {
    const input = tool.input.safeParse(call.args ?? {});
    if (!input.success) {
      result = refuse(
        deps,
        label,
        'invalid_input',
        `Input validation error: Invalid arguments for tool ${toolName}: ${issuesText(input.error)}`,
      );
    } else {
      result = await guarded(deps, toolName, () => tool.run(deps, input.data));
      const structured = !result.isError && tool.output.safeParse(result.structuredContent);
      if (structured && !structured.success) {
        result = refuse(
          deps,
          label,
          'invalid_output',
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
 * are refused with the SDK's own schema, as a JSON-RPC error.
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

/**
 * A call refused before or after its tool ran, in the words `McpServer`
 * uses ("MCP error -32602: …"): logged, and counted for `logger_log`.
 */
function refuse(
  deps: GodotToolDeps,
  tool: string,
  reason: ToolErrorReason,
  message: string,
  fields: object = {},
): CallToolResult {
  const text = new McpError(ErrorCode.InvalidParams, message).message;
  if (tool === 'logger_log') deps.metrics.refused.inc({ reason: 'invalid' });
  deps.logger.warn({ tool, reason, ...fields, err: text.slice(0, 500) }, 'tool call refused');
  return errorResult(text, reason);
}

/** Runs a tool; a throw becomes a tool error that says what failed (describe-failure.ts). */
async function guarded(
  deps: GodotToolDeps,
  tool: string,
  run: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    const { text, reason, metric } = describeFailure(tool, error);
    if (tool === 'logger_log') deps.metrics.refused.inc({ reason: metric });
    deps.logger.warn({ tool, reason, err: text }, 'tool call failed');
    return errorResult(text, reason);
  }
}

/** The start of a client-sent name, marked when cut. */
function clip(name: string): string {
  return name.length <= MAX_NAME_CHARS ? name : `${name.slice(0, MAX_NAME_CHARS)}…`;
}

/**
 * Godot's own log, info level: who cleared logs or changed a level, with
 * what, and what came of it. The arguments are validated, hence bounded; the
 * reply is short for these tools.
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
