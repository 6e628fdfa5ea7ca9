/**
 * Splits the calls of one flush into jobs, in order, that each fit one Dewey
 * batch: at most `maxEntries` entries and `maxBytes` serialized bytes. An
 * entry larger than `maxBytes` still goes, in a job of its own.
 */
export function splitIntoJobs<C extends { readonly item: { readonly bytes: number } }>(
  calls: readonly C[],
  maxEntries: number,
  maxBytes: number,
): C[][] {
  const jobs: C[][] = [];
  let job: C[] = [];
  let bytes = 0;
  for (const call of calls) {
    if (job.length > 0 && (job.length >= maxEntries || bytes + call.item.bytes > maxBytes)) {
      jobs.push(job);
      job = [];
      bytes = 0;
    }
    job.push(call);
    bytes += call.item.bytes;
  }
  if (job.length > 0) jobs.push(job);
  return jobs;
}
