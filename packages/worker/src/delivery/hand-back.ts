import { Worker } from 'bullmq';
import type { HeldJob } from './held-job.js';

/**
 * The one place where the worker gives a job back to the queue undelivered,
 * at shutdown: the job returns to the wait list, its attempts untouched, and
 * another worker (or this one, restarted) takes it
 * (docs/product.md#shutdown).
 *
 * BullMQ has no "release this job" call. Its documented way is the manual
 * rate limit (BullMQ guide, "Rate limiting", "Manual rate-limit"): a
 * processor that throws `Worker.RateLimitError()` has its job moved from
 * active back to wait (`moveJobFromActiveToWait`) instead of failed, and
 * `attemptsMade` is not raised. We throw it without `worker.rateLimit(ms)`:
 * nothing is to be slowed down, the worker is stopping; so no queue-wide
 * limiter is set and other workers keep fetching.
 */
export function handBackError(): Error {
  return Worker.RateLimitError();
}

/**
 * Hands every job of `batch` back. BullMQ pushes a returned job onto the end
 * of the wait list that workers fetch from next, so the batch goes back
 * newest first: its oldest job is fetched first again, and order is kept.
 */
export function handBack(batch: readonly HeldJob[]): void {
  for (const item of [...batch].reverse()) item.reject(handBackError());
}
