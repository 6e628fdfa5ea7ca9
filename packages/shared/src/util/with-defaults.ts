/**
 * `{ ...defaults, ...options }`, except that an option explicitly `undefined`
 * keeps its default: callers pass optional settings straight through, e.g.
 * `{ lockDurationMs: options.lockDurationMs }`.
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as D & O;
}
