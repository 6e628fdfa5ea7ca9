import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * The text of the JSON-RPC error (`JsonRpcErrorCode.CallsInFlightLimit`) a
 * request gets when its connection already has `limit` unanswered: what
 * happened, which setting, what to do.
 */
export function callsInFlightMessage(limit: number): string {
  return `too many calls in flight on this connection (MAX_CALLS_IN_FLIGHT=${limit}): wait for replies`;
}

/**
 * The requests one peer has sent and not yet had answered, capped at `max`.
 * Ids are counted with multiplicity: a hand-written client that sends
 * `id: 1` on every line still has each call counted until each is answered.
 */
export class CallsInFlight {
  private readonly byId = new Map<RequestId, number>();
  private count = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`maxCallsInFlight must be at least 1, got ${max}`);
  }

  /** Requests taken and not yet answered. */
  get size(): number {
    return this.count;
  }

  /** Takes a slot for request `id`; `false`, taking nothing, when all `max` are in use. */
  start(id: RequestId): boolean {
    if (this.count >= this.max) return false;
    this.byId.set(id, (this.byId.get(id) ?? 0) + 1);
    this.count += 1;
    return true;
  }

  /** Whether a request with this id waits for its answer. */
  has(id: RequestId): boolean {
    return this.byId.has(id);
  }

  /** Frees one slot of request `id` once it is answered; an id not in flight is ignored. */
  end(id: RequestId): void {
    const taken = this.byId.get(id);
    if (taken === undefined) return;
    if (taken === 1) this.byId.delete(id);
    else this.byId.set(id, taken - 1);
    this.count -= 1;
  }
}

/** The id a message answers: a result or error response to a request; else `undefined`. */
export function answeredId(message: JSONRPCMessage): RequestId | undefined {
  if ('method' in message || !('id' in message)) return undefined;
  return message.id ?? undefined;
}

/** The request a `notifications/cancelled` names; `undefined` for any other message. */
export function cancelledId(message: JSONRPCMessage): RequestId | undefined {
  if (!('method' in message) || message.method !== 'notifications/cancelled') return undefined;
  const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof requestId === 'string' || typeof requestId === 'number' ? requestId : undefined;
}
