/** A promise given to {@link withTimeout} did not settle in time. */
export class TimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(
    /** Who did not answer ("Redis"). */
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * `promise`, or a rejection with a {@link TimeoutError} ("<what> did not
 * answer within <ms> ms") if it has not settled by then. The promise itself
 * is not cancelled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'Redis'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
