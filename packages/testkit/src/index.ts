// @godot/testkit: test-only helpers. Every export here is public API;
// nothing else is reachable.
export { DEWEY_CONTROL_METHOD, type DeweyControlParams } from './dewey/dewey-control.js';
export { sendDeweyControl } from './dewey/dewey-control-client.js';
export { DeweyEmulator } from './dewey/dewey-emulator.js';
export type { DeweyEmulatorOptions } from './dewey/dewey-emulator-options.js';
export type { DeweyCallCounts, HoldOptions, RejectionOptions } from './dewey/dewey-faults.js';
export { DEWEY_INITIALIZE_RESULT } from './dewey/dewey-frames.js';
export { DeweyErrorCode, DeweyRpcError } from './dewey/dewey-rpc-error.js';
export { DEWEY_TOOL_LIST, DEWEY_TOOL_NAMES, type DeweyToolName } from './dewey/dewey-tool-list.js';
export { DEWEY_LEVELS, type DeweyLevel } from './dewey/store/dewey-levels.js';
export type { DeweyRow, DeweyStats, StoredLog } from './dewey/store/dewey-store.js';
export { freeClusterPort, freePort } from './free-port.js';
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
} from './redis/redis-cluster.js';
export {
  REDIS_NOT_FOUND_MESSAGE,
  RedisServer,
  type RedisServerOptions,
} from './redis/redis-server.js';
export { type WithRedisOptions, withRedis } from './redis/with-redis.js';
