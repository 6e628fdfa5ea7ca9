import type { LogEntry } from '@godot/shared';

/** A source of numbers in [0, 1): seeded, so that every run fills the same window. */
type Rand = () => number;

/** mulberry32: small, fast, and good enough to vary log lines. */
function seeded(seed: number): Rand {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const int = (r: Rand, below: number) => Math.floor(r() * below);
const pick = <T>(r: Rand, items: readonly T[]): T => items[int(r, items.length)] as T;
const hex = (r: Rand, digits: number) => {
  let text = '';
  while (text.length < digits) text += int(r, 0x1_0000_0000).toString(16).padStart(8, '0');
  return text.slice(0, digits);
};
const uuid = (r: Rand) => {
  const h = hex(r, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
};
const ip = (r: Rand) => `10.${int(r, 256)}.${int(r, 256)}.${int(r, 256)}`;

/** The fleet's components. */
export const FLEET_COMPONENTS = [
  'api-gateway',
  'auth',
  'billing',
  'payments',
  'orders',
  'inventory',
  'search',
  'scheduler',
  'mailer',
  'notifier',
  'reports',
  'storage',
  'cache',
  'web',
  'ingest',
  'fiedler',
  'dewey-mcp',
  'sessions',
  'metrics',
  'admin',
] as const;

/**
 * The word of {@link SEARCH_TEMPLATE}'s messages, and of no other message
 * or data: a `search` for it matches about 1% of the fill.
 */
export const SEARCH_WORD = 'throttled';

const SEARCH_TEMPLATE = (r: Rand) =>
  `client ${hex(r, 12)} ${SEARCH_WORD}: ${int(r, 900) + 100} requests in the last minute`;

const ERROR_TEMPLATES: ((r: Rand) => string)[] = [
  (r) => `payment ${uuid(r)} failed: card declined (code ${int(r, 90) + 10})`,
  (r) => `upstream ${ip(r)}:${8000 + int(r, 100)} timed out after ${int(r, 20_000) + 5000}ms`,
  (r) =>
    `unhandled exception in ${pick(r, ['createOrder', 'refund', 'login', 'export'])}: TypeError: Cannot read properties of undefined (reading '${pick(r, ['id', 'amount', 'user'])}')`,
  (r) => `database query failed: connection reset by peer (pool ${int(r, 20)}/20)`,
  (r) => `tool call ${pick(r, ['logger_log', 'search', 'fetch'])} returned error -32603`,
  (r) => `failed to write batch ${int(r, 100_000)} to storage: disk quota exceeded`,
];

const WARN_TEMPLATES: ((r: Rand) => string)[] = [
  (r) => `slow query on ${pick(r, ['orders', 'users', 'invoices'])}: ${int(r, 4000) + 500}ms`,
  (r) => `retrying request ${hex(r, 16)} to ${ip(r)} (attempt ${int(r, 4) + 2} of 5)`,
  (r) => `memory usage at ${int(r, 20) + 80}% of limit`,
  (r) => `deprecated API v1 called by client ${hex(r, 12)}`,
];

const INFO_TEMPLATES: ((r: Rand) => string)[] = [
  (r) =>
    `request ${hex(r, 16)} GET /api/v2/orders/${int(r, 1e6)} completed 200 in ${int(r, 300)}ms`,
  (r) => `user ${int(r, 1e6)} logged in from ${ip(r)}`,
  (r) => `session ${hex(r, 24)} expired after ${int(r, 3600)}s idle`,
  (r) => `job ${int(r, 1e6)} picked up by worker-${int(r, 8)}`,
  (r) => `job ${int(r, 1e6)} finished in ${int(r, 5000)}ms`,
  (r) => `cache hit for key user:${int(r, 1e6)}`,
  (r) => `cache miss for key order:${int(r, 1e6)}, loaded in ${int(r, 80)}ms`,
  (r) => `published event order.created for order ${int(r, 1e6)}`,
  (r) => `consumed ${int(r, 500)} messages from topic billing-events`,
  (r) => `connection from ${ip(r)} accepted`,
  (r) => `connection ${int(r, 1e5)} closed by peer`,
  (r) => `scheduled task cleanup-sessions ran, removed ${int(r, 1000)} rows`,
  (r) => `health check ok (${int(r, 20)}ms)`,
  (r) => `config reloaded, ${int(r, 12)} keys changed`,
  (r) => `sent email to user${int(r, 1e5)}@example.com`,
  (r) => `invoice INV-${int(r, 1e6)} generated for account ${int(r, 1e5)}`,
  (r) =>
    `search for "${pick(r, ['red shoes', 'laptop', 'desk lamp'])}" returned ${int(r, 500)} results`,
  (r) => `uploaded file report-${int(r, 1e4)}.pdf (${int(r, 4000)} KB)`,
  (r) => `token refreshed for user ${int(r, 1e6)}`,
  (r) => `rate limiter bucket ${int(r, 1000)} refilled`,
  (r) => `feature flag new-checkout is ${pick(r, ['on', 'off'])} for user ${int(r, 1e6)}`,
  (r) => `batch of ${int(r, 100)} entries flushed in ${int(r, 30)}ms`,
  (r) => `websocket ${int(r, 1e5)} subscribed to channel ${pick(r, ['prices', 'orders'])}`,
  (r) => `order ${int(r, 1e6)} status changed from pending to shipped`,
  (r) => `inventory for sku SKU-${hex(r, 8)} updated: ${int(r, 500)} in stock`,
  (r) => `metrics exported: ${int(r, 5000)} series`,
  (r) => `GC pause ${int(r, 40)}ms`,
  (r) => `cron ${pick(r, ['hourly', 'daily'])}-rollup started`,
];

/** The MCP exchange's two messages (README, "MCP exchanges in a trace"). */
const REQUEST_TEMPLATE = (tool: string, id: number) => `tools/call ${tool} received (id ${id})`;
const RESPONSE_TEMPLATE = (tool: string, ms: number) => `tools/call ${tool} answered in ${ms}ms`;

/** Filler words for `data.detail`: none of them is {@link SEARCH_WORD}. */
const WORDS = ['alpha', 'beta', 'retry', 'batch', 'cursor', 'shard', 'region', 'eu-west-1', 'ok'];

/** One request in flight through the fleet: the entries of one trace. */
interface Run {
  traceId: string | null;
  left: number;
  components: string[];
  /** An MCP exchange: its request goes out 2nd, its response last. */
  exchange?: { tool: string; id: number; sent: boolean };
  written: number;
}

/** Requests in flight at once: their entries interleave, as a fleet's do. */
const CONCURRENT_RUNS = 4;

/**
 * Log entries shaped like a fleet's, for filling the recent window
 * (bench/read/recent-fill.ts): 20 components, mostly INFO (about 2% ERROR, 1%
 * WARN, 7% DEBUG), 40 message templates with numbers and ids in them, data
 * objects of 50 to 300 bytes, and trace ids shared by runs of about 10
 * entries, some of which carry an MCP exchange (`{method, id}` then
 * `{id, result}` or `{id, error}`). Seeded: every run makes the same entries.
 */
export class FleetEntries {
  private readonly r: Rand;
  private readonly runs: Run[] = [];
  private nextExchangeId = 1;
  /** The trace of the last run whose exchange completed: a trace worth reading. */
  lastExchangeTrace: string | undefined;

  constructor(seed = 42) {
    this.r = seeded(seed);
    for (let i = 0; i < CONCURRENT_RUNS; i++) this.runs.push(this.newRun());
  }

  /** The next entry, stamped `createdAtMs`. */
  next(createdAtMs: number): LogEntry {
    const r = this.r;
    const slot = int(r, this.runs.length);
    const run = this.runs[slot] as Run;
    const { level, message, data } = this.lineOf(run);
    // The server's key order (ingest/shape-entry.ts): the window holds entries as it queued them.
    const entry: LogEntry = {
      component: pick(this.r, run.components),
      level,
      message,
      trace_id: run.traceId,
      data,
      created_at: new Date(createdAtMs).toISOString(),
    };
    run.written++;
    if (--run.left <= 0) {
      if (run.exchange && run.traceId) this.lastExchangeTrace = run.traceId;
      this.runs[slot] = this.newRun();
    }
    return entry;
  }

  /** What the next entry of `run` says. */
  private lineOf(run: Run): Pick<LogEntry, 'level' | 'message' | 'data'> {
    const r = this.r;
    const exchange = run.exchange;
    if (exchange && run.written === 1) {
      exchange.sent = true;
      const data = { method: 'tools/call', id: exchange.id, tool: exchange.tool, client: 'fleet' };
      return { level: 'INFO', message: REQUEST_TEMPLATE(exchange.tool, exchange.id), data };
    }
    if (exchange?.sent && run.left === 1) {
      const failed = r() < 0.1;
      const ms = int(r, 900) + 5;
      const data = failed
        ? { id: exchange.id, error: { code: -32603, message: 'Internal error' }, duration_ms: ms }
        : { id: exchange.id, result: { content: [{ type: 'text', text: 'ok' }] }, duration_ms: ms };
      return {
        level: failed ? 'ERROR' : 'INFO',
        message: RESPONSE_TEMPLATE(exchange.tool, ms),
        data,
      };
    }
    const roll = r();
    const [level, template] =
      roll < 0.01
        ? (['INFO', SEARCH_TEMPLATE] as const)
        : roll < 0.03
          ? (['ERROR', pick(r, ERROR_TEMPLATES)] as const)
          : roll < 0.04
            ? (['WARN', pick(r, WARN_TEMPLATES)] as const)
            : ([r() < 0.07 ? 'DEBUG' : 'INFO', pick(r, INFO_TEMPLATES)] as const);
    return { level, message: template(r), data: this.data() };
  }

  /** A data object of 50 to 300 bytes of JSON. */
  private data(): Record<string, unknown> {
    const r = this.r;
    const target = 50 + int(r, 251);
    const data: Record<string, unknown> = {
      request_id: hex(r, 16),
      duration_ms: int(r, 2000),
      pod: `${pick(r, ['api', 'worker', 'web'])}-${hex(r, 6)}-${hex(r, 5)}`,
    };
    // `"detail":""` and the comma: 12 bytes.
    let room = target - JSON.stringify(data).length - 12;
    if (room <= 0) return data;
    const words: string[] = [];
    while (room > 0) {
      const word = pick(r, WORDS);
      words.push(word);
      room -= word.length + 1;
    }
    data.detail = words.join(' ');
    return data;
  }

  private newRun(): Run {
    const r = this.r;
    const traced = r() < 0.8;
    const components = Array.from({ length: 2 + int(r, 3) }, () => pick(r, FLEET_COMPONENTS));
    const run: Run = {
      traceId: traced ? uuid(r) : null,
      left: 5 + int(r, 11),
      components,
      written: 0,
    };
    if (traced && r() < 0.3) {
      run.exchange = {
        tool: pick(r, ['logger_log', 'search', 'fetch', 'summarize']),
        id: this.nextExchangeId++,
        sent: false,
      };
    }
    return run;
  }
}
