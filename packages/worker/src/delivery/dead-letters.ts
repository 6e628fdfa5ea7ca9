import {
  addLogJobs,
  LOG_JOB_OPTIONS,
  type LogEntry,
  type LogJobData,
  type UnreadableJobData,
} from '@godot/shared';
import type { Queue } from 'bullmq';

/**
 * One entry to set aside, and why: one Dewey refused (a `LogEntry`), or a
 * value of a job's data that is not a log entry, kept as it was.
 */
export type DeadLetter =
  | { readable: true; entry: LogEntry; reason: string }
  | { readable: false; value: unknown; reason: string };

/**
 * Queues each entry as a dead letter: a job of its own, marked with `reason`
 * (`LogJobData.rejected`), that fails on its first run (`deadLetterFailure`).
 * Each set-aside entry thus becomes one failed job in the dashboard, readable,
 * and retryable once mended: a retry delivers it like any other job.
 */
export async function queueDeadLetters(
  queue: Queue,
  letters: readonly DeadLetter[],
): Promise<void> {
  const jobs = letters.map((letter): LogJobData | UnreadableJobData =>
    letter.readable
      ? { entries: [letter.entry], rejected: letter.reason }
      : { entries: [letter.value], rejected: letter.reason },
  );
  await addLogJobs(queue, jobs, LOG_JOB_OPTIONS);
}

/**
 * What a dead letter's first run fails with, so that it lands in the failed
 * set with that message; undefined for any other job, and for a dead letter
 * retried from the dashboard (it is then delivered normally).
 */
export function deadLetterFailure(job: {
  data: unknown;
  attemptsMade: number;
}): string | undefined {
  if (job.attemptsMade !== 0 || job.data === null || typeof job.data !== 'object') return undefined;
  const { rejected } = job.data as { rejected?: unknown };
  return rejected === undefined ? undefined : `Dewey rejected this entry: ${String(rejected)}`;
}
