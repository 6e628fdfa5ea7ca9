import { redisErrorCode } from '@godot/shared';

/**
 * Redis refused the write for lack of memory (maxmemory with noeviction).
 * Redis error replies start with their code (RESP): `OOM …`; inside a MULTI
 * the refusal of a queued command aborts the transaction (`EXECABORT`), and
 * ioredis keeps the commands' own errors in `previousErrors`.
 */
export function isOutOfMemory(error: unknown): boolean {
  if (redisErrorCode(error) === 'OOM') return true;
  const previous = (error as { previousErrors?: unknown[] } | null)?.previousErrors;
  return Array.isArray(previous) && previous.some((inner) => redisErrorCode(inner) === 'OOM');
}
