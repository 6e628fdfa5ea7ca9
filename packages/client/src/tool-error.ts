/**
 * The `_meta` key under which Godot says why a tool call failed, and whether
 * the same call may succeed later (docs/product.md, "Tool errors").
 */
export const GODOT_ERROR_META_KEY = 'godot/error';

/** What Godot says about one of its tool errors. */
export interface GodotToolError {
  /** Godot's stable reason, e.g. `invalid_input`, `entry_too_large`, `queue_unavailable`. */
  reason: string;
  /** True when the same call, sent again later, may succeed. */
  retryable: boolean;
}

/**
 * Reads `_meta["godot/error"]` of a tool result; undefined when it is absent
 * or malformed (an older Godot sends none: the caller then decides as before).
 */
export function readToolError(result: unknown): GodotToolError | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const meta = (result as { _meta?: unknown })._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const error = (meta as Record<string, unknown>)[GODOT_ERROR_META_KEY];
  if (typeof error !== 'object' || error === null) return undefined;
  const { reason, retryable } = error as { reason?: unknown; retryable?: unknown };
  if (typeof reason !== 'string' || typeof retryable !== 'boolean') return undefined;
  return { reason, retryable };
}
