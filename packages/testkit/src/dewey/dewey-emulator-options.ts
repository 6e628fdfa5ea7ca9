/** Options of {@link DeweyEmulator}. */
export interface DeweyEmulatorOptions {
  /** Port to listen on; 0 picks a free one, kept across `stop()`/`start()`. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Fail time filters and every clear exactly like the real Dewey. @default false */
  realDeweyBugs?: boolean;
  /** WebSocket ping period, like Dewey's `websockets` server. @default 20_000 */
  pingIntervalMs?: number;
  /** Largest accepted frame, Dewey's limit. @default 209_715_200 (200 MiB) */
  maxPayload?: number;
  /** Delay before every reply (see also `setReplyDelay`). @default 0 */
  replyDelayMs?: number;
  /** Age after which `dewey_clear_logs` deletes by default. @default 7 */
  retentionDays?: number;
  /** Dewey's clock in epoch milliseconds (fractions give microseconds). @default performance.timeOrigin + performance.now() */
  clock?: () => number;
}

/** Options with every default filled in and checked. */
export type ResolvedDeweyEmulatorOptions = Required<DeweyEmulatorOptions>;

/** Spreads the defaults under `options` and validates the result. */
export function resolveDeweyEmulatorOptions(
  options: DeweyEmulatorOptions,
): ResolvedDeweyEmulatorOptions {
  const resolved: ResolvedDeweyEmulatorOptions = {
    port: 0,
    host: '127.0.0.1',
    realDeweyBugs: false,
    pingIntervalMs: 20_000,
    maxPayload: 200 * 1024 * 1024,
    replyDelayMs: 0,
    retentionDays: 7,
    clock: () => performance.timeOrigin + performance.now(),
    ...options,
  };
  const { port, pingIntervalMs, maxPayload, replyDelayMs, retentionDays } = resolved;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new RangeError(`invalid port: ${port}`);
  if (!(pingIntervalMs > 0)) throw new RangeError('pingIntervalMs must be > 0');
  if (!(maxPayload > 0)) throw new RangeError('maxPayload must be > 0');
  if (!(replyDelayMs >= 0)) throw new RangeError('replyDelayMs must be >= 0');
  if (!(retentionDays >= 0)) throw new RangeError('retentionDays must be >= 0');
  return resolved;
}
