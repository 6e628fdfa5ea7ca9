// @godot/wire: JSON-RPC 2.0 over WebSocket as Godot speaks it. Depends on
// `ws` only, so that `@godot/client` stays light and `@godot/testkit` need
// not depend on `@godot/shared`. Every export here is public API.
export { JsonRpcErrorCode } from './json-rpc-error-code.js';
export {
  decodeText,
  errorReply,
  isErrorReply,
  isJsonRpcReply,
  type JsonRpcErrorObject,
  type JsonRpcErrorReply,
  type JsonRpcId,
  type JsonRpcReply,
  type JsonRpcRequest,
  type JsonRpcResultReply,
  jsonRpcRequest,
  parseReply,
  readId,
  resultReply,
} from './json-rpc-frames.js';
export {
  JsonRpcWsClient,
  type JsonRpcWsClientOptions,
  type RequestOutcome,
} from './json-rpc-ws-client.js';
export {
  type ClientInfo,
  initializeParams,
  MCP_PROTOCOL_VERSION,
  readToolResult,
  type ToolResultText,
  toolCallParams,
} from './mcp-frames.js';
