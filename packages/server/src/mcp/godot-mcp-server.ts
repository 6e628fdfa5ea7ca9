import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { dispatchByKeys } from './quick-dispatch.js';
import { TOOL_LIST } from './tool-catalog.js';
import { type CallerContext, callTool } from './tool-dispatcher.js';
import type { GodotToolDeps } from './tools/define-tool.js';

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
 * The SDK's low-level `Server`, whose transport hands requests and
 * notifications to it without the SDK's four zod parses per message
 * (quick-dispatch.ts). Everything else is the SDK's.
 */
class GodotProtocolServer extends Server {
  override async connect(transport: Transport): Promise<void> {
    const previous = transport.onmessage;
    await super.connect(transport);
    // A message read before this line went through the SDK's own check: the
    // same outcome, at its cost.
    dispatchByKeys(this, transport, previous);
  }
}

/**
 * A new MCP server (the SDK's low-level `Server`) serving the tools (tool-catalog.ts).
 * Call once per WebSocket connection and per HTTP session: one instance
 * cannot serve two transports, and sharing one leaks responses across
 * clients (GHSA-345p-7cg4-v4c7). Everything else is built once per process
 * (tool-catalog.ts): a connection costs one `Server` and one closure.
 *
 * Replies are those `McpServer` gives, text for text (invalid input is a
 * tool error naming the field; a malformed `tools/call` a JSON-RPC error),
 * plus each tool error's reason in `_meta`, without its per-call cost:
 * `McpServer` parses every `tools/call` three times against the SDK's
 * schemas and every result once more (tool-dispatcher.ts).
 *
 * `context` says who is calling (the transport's remote address), for the
 * log lines of audited tools.
 */
export function createGodotMcpServer(deps: GodotToolDeps, context: CallerContext = {}): Server {
  const server = new GodotProtocolServer(SERVER_INFO, SERVER_OPTIONS);
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
