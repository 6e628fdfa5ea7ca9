import { MCP_PROTOCOL_VERSION, postInitialize } from '../server.fixture.js';

/** A server's port, as `GodotServer` or a bare `node:http` server gives it. */
type Port = { port: number };

/** What a raw `/mcp` request got: the HTTP status, the JSON-RPC reply (SSE or JSON) and the headers. */
export interface McpReply {
  status: number;
  headers: Headers;
  /** The JSON-RPC message of the reply, or undefined when the body had none (202, 200 to DELETE). */
  body?: { result?: Record<string, unknown>; error?: { code: number; message: string } };
}

/** Opens a /mcp session with a bare `initialize`, as a client would, and returns its id. */
export async function initializeSession(server: Port): Promise<string> {
  const response = await postInitialize(`http://127.0.0.1:${server.port}/mcp`);
  await response.text();
  const id = response.headers.get('mcp-session-id');
  if (response.status !== 200 || id === null)
    throw new Error(`initialize: ${response.status}, mcp-session-id ${id}`);
  return id;
}

/** One raw /mcp request (POST a JSON-RPC request, or `method` DELETE/GET), as SDK clients send it. */
export async function mcpRequest(
  server: Port,
  session: string | undefined,
  message?: { method: string; params?: unknown },
  httpMethod = 'POST',
): Promise<McpReply> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MCP_PROTOCOL_VERSION,
  };
  if (session !== undefined) headers['mcp-session-id'] = session;
  if (message !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`http://127.0.0.1:${server.port}/mcp`, {
    method: httpMethod,
    headers,
    body: message === undefined ? undefined : JSON.stringify({ jsonrpc: '2.0', id: 2, ...message }),
  });
  const text = await response.text();
  // A reply on an SSE stream is its `data:` line; anything else is plain JSON.
  const json = text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)?.[1];
  return {
    status: response.status,
    headers: response.headers,
    body: json === undefined ? undefined : (JSON.parse(json) as McpReply['body']),
  };
}

/** `tools/list` on a session: the HTTP status, the JSON-RPC error code if any, and how many tools. */
export async function listTools(server: Port, session: string) {
  const { status, body } = await mcpRequest(server, session, { method: 'tools/list' });
  const tools = body?.result?.tools as unknown[] | undefined;
  return { status, code: body?.error?.code, tools: tools?.length };
}

/** `logger_log` on a session: the HTTP status and the tool's JSON reply (with the job id). */
export async function logOverHttp(server: Port, session: string, message: string) {
  const { status, body } = await mcpRequest(server, session, {
    method: 'tools/call',
    params: { name: 'logger_log', arguments: { component: 'http', level: 'INFO', message } },
  });
  const content = body?.result?.content as { text: string }[] | undefined;
  const reply = JSON.parse(content?.[0]?.text ?? 'null') as { queued?: boolean; id?: string };
  return { status, reply };
}
