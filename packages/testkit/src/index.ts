// @godot/testkit: test-only helpers. Every export here is public API
// (style.md, principle 6); nothing else is reachable.
export { DEWEY_CONTROL_METHOD, type DeweyControlParams } from './dewey-control.js';
export { sendDeweyControl } from './dewey-control-client.js';
export { DeweyEmulator } from './dewey-emulator.js';
export type { DeweyEmulatorOptions } from './dewey-emulator-options.js';
export type { DeweyCallCounts, HoldOptions, RejectionOptions } from './dewey-faults.js';
export { DEWEY_LEVELS, type DeweyLevel } from './dewey-levels.js';
export { DeweyErrorCode, DeweyRpcError } from './dewey-rpc-error.js';
export type { DeweyRow, DeweyStats, StoredLog } from './dewey-store.js';
export { DEWEY_TOOL_LIST, DEWEY_TOOL_NAMES, type DeweyToolName } from './dewey-tool-list.js';
export { freeClusterPort, freePort } from './free-port.js';
export { DEWEY_INITIALIZE_RESULT } from './json-rpc-frames.js';
export {
  type CloseInfo,
  type JsonRpcReply,
  RawWsClient,
  type RawWsClientOptions,
  toolPayload,
} from './raw-ws-client.js';
export {
  REDIS_CLI_NOT_FOUND_MESSAGE,
  RedisCluster,
  type RedisClusterOptions,
} from './redis-cluster.js';
export {
  type RedisCommandOptions,
  RedisReplyError,
  type RespValue,
  redisCommand,
} from './redis-command.js';
export { REDIS_NOT_FOUND_MESSAGE, RedisServer, type RedisServerOptions } from './redis-server.js';
