import { createRequire } from 'node:module';
import type { RawWsClient } from '@godot/testkit';

/** A `ws` client socket (the type `RawWsClient` exposes). */
export type WsSocket = RawWsClient['socket'];

/** The slice of `ws`'s client options these helpers use. */
export interface WsClientOptions {
  handshakeTimeout?: number;
  perMessageDeflate?: boolean;
  maxPayload?: number;
}

/** The `ws` WebSocket class, as a constructor. */
export type WsConstructor = new (
  url: string,
  protocols?: string[],
  options?: WsClientOptions,
) => WsSocket;

// The root package does not depend on `ws` (only @godot/testkit does, and the
// root package.json is not ours to change), so `ws` is loaded from testkit's
// own dependencies: the same copy RawWsClient uses.
const requireFromTestkit = createRequire(
  new URL('../../packages/testkit/package.json', import.meta.url),
);

/** The `ws` WebSocket constructor. */
export const WebSocket = requireFromTestkit('ws') as WsConstructor & { OPEN: number };
