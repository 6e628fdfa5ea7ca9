import { type GodotLevel, parseLevel } from './levels.js';
import { DEFAULT_REDACT_KEYS } from './redact.js';

/** An entry Godot refused, handed to `onRefused`. */
export interface GodotRefusal {
  component: string;
  level: string;
  message: string;
  /** Godot's tool-error text or JSON-RPC error message. */
  reason: string;
  /** The JSON-RPC error code, when the refusal was one. */
  code?: number;
  /**
   * Godot's stable reason for a tool error (`invalid_input`, `entry_too_large`,
   * `queue_unavailable`…), when it gave one (docs/product.md, "Tool errors").
   */
  reasonCode?: string;
  /** Whether Godot said the entry might pass later: false for bad input, refused at once. */
  retryable?: boolean;
}

/** Options of `createGodotLogger`. */
export interface GodotLoggerOptions {
  /**
   * False: the logger is a no-op that costs nothing: no socket, no timer, no
   * buffer, and no other option is read or checked. Every method still
   * returns at once, `flush()` resolves true, `stats()` reads all zeros.
   * @default false when the environment variable `LOGGING_ENABLED` is
   * `false`, `0` or `no` (read once, when the logger is created); true otherwise
   */
  enabled?: boolean;
  /** Godot's WebSocket URL, e.g. `ws://godot:9060`. */
  url: string;
  /** The `component` stamped on every entry (≤ 128 chars). */
  component: string;
  /** Sent as `Authorization: Bearer <token>` (Godot's `AUTH_TOKEN`). @default undefined */
  token?: string;
  /** Entries below this level are dropped here, before the wire. @default 'TRACE' */
  level?: GodotLevel | Lowercase<GodotLevel>;
  /** Entries kept while Godot is away; beyond it the oldest go, counted. @default 10000 */
  maxBuffered?: number;
  /** Calls sent and not yet answered (Godot refuses more than 1000 per connection). @default 256 */
  maxInFlight?: number;
  /** `data` keys containing any of these (case-, `-`/`_`-insensitive, nested) are masked. @default password, token, secret, authorization, api_key, cookie */
  redactKeys?: readonly string[];
  /** Reconnection backoff: doubles from `initialDelayMs` to `maxDelayMs`, with jitter. */
  reconnect?: {
    /** @default 100 */
    initialDelayMs?: number;
    /** @default 10000 */
    maxDelayMs?: number;
  };
  /**
   * A connect attempt (TCP, WebSocket handshake and the `initialize` reply)
   * not done within this is given up, and retried after the reconnect
   * delay. At most 1000: a component never waits longer for Godot.
   * @default 1000
   */
  connectTimeoutMs?: number;
  /** A connection whose oldest call waits longer than this is dropped and its calls resent. @default 10000 */
  requestTimeoutMs?: number;
  /** How long `flush()` (and `close()`) wait for the buffer to drain. @default 5000 */
  flushTimeoutMs?: number;
  /**
   * Called for each entry Godot refused (never retried). Default: a process
   * warning, at most one a minute, with the count since the last one.
   */
  onRefused?: (refusal: GodotRefusal) => void;
}

/** Options with every default filled in. */
export type ResolvedLoggerOptions = Required<
  Omit<GodotLoggerOptions, 'enabled' | 'token' | 'reconnect' | 'level'>
> & {
  token: string | undefined;
  level: GodotLevel;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
};

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`@godot/client: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function rateLimitedWarning(): (refusal: GodotRefusal) => void {
  let last = 0;
  let since = 0;
  return (refusal) => {
    since += 1;
    const now = Date.now();
    if (now - last < 60_000) return;
    process.emitWarning(
      `Godot refused ${since} log entr${since === 1 ? 'y' : 'ies'}; latest: ${refusal.reason}`,
      { code: 'GODOT_CLIENT_REFUSED' },
    );
    last = now;
    since = 0;
  };
}

const ENABLED_VALUES = new Map([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['false', false],
  ['0', false],
  ['no', false],
]);

/**
 * Whether to log at all: the `enabled` option, or else `LOGGING_ENABLED`
 * (the words Godot's own configuration takes for a flag, any case). Any
 * other value is a mistake, reported at start like a wrong option.
 */
export function loggingEnabled(
  enabled: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (enabled !== undefined) return enabled;
  const value = env.LOGGING_ENABLED;
  if (value === undefined || value.trim() === '') return true;
  const parsed = ENABLED_VALUES.get(value.trim().toLowerCase());
  if (parsed === undefined) {
    throw new TypeError(`@godot/client: LOGGING_ENABLED must be true or false, got ${value}`);
  }
  return parsed;
}

/**
 * Spreads the defaults, then validates with early throws: a wrong option is a
 * programming error, reported once at start, never later from a log call.
 */
export function resolveLoggerOptions(options: GodotLoggerOptions): ResolvedLoggerOptions {
  const url = new URL(options.url);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`@godot/client: url must be ws:// or wss://, got ${options.url}`);
  }
  const component = String(options.component ?? '').trim();
  if (component === '' || component.length > 128) {
    throw new TypeError('@godot/client: component must be 1 to 128 characters');
  }
  const level = parseLevel(options.level ?? 'TRACE');
  if (!level) throw new TypeError(`@godot/client: unknown level ${String(options.level)}`);
  const resolved: ResolvedLoggerOptions = {
    url: options.url,
    component,
    token: options.token,
    level,
    maxBuffered: positiveInt('maxBuffered', options.maxBuffered ?? 10_000),
    maxInFlight: positiveInt('maxInFlight', options.maxInFlight ?? 256),
    redactKeys: options.redactKeys ?? DEFAULT_REDACT_KEYS,
    reconnect: {
      initialDelayMs: positiveInt(
        'reconnect.initialDelayMs',
        options.reconnect?.initialDelayMs ?? 100,
      ),
      maxDelayMs: positiveInt('reconnect.maxDelayMs', options.reconnect?.maxDelayMs ?? 10_000),
    },
    connectTimeoutMs: positiveInt('connectTimeoutMs', options.connectTimeoutMs ?? 1000),
    requestTimeoutMs: positiveInt('requestTimeoutMs', options.requestTimeoutMs ?? 10_000),
    flushTimeoutMs: positiveInt('flushTimeoutMs', options.flushTimeoutMs ?? 5_000),
    onRefused: options.onRefused ?? rateLimitedWarning(),
  };
  return resolved;
}
