/** Exponential backoff settings. */
export interface BackoffOptions {
  /** First delay. @default 1000 */
  initialDelayMs?: number;
  /** Ceiling for any delay. @default 30000 */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1), injectable for tests. @default Math.random */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): exponential growth capped at
 * `maxDelayMs`, with "equal jitter" (half fixed, half random) so that many
 * workers or clients that lost Dewey together do not return in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { initialDelayMs = 1000, maxDelayMs = 30_000, random = Math.random } = options;
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
