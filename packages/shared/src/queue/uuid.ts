const UUID_DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_HEX = /^[0-9a-f]{32}$/i;

/**
 * Normalises a UUID given dashed or as 32 hex digits to dashed lower case;
 * `undefined` if neither. Dewey stores `trace_id` in a UUID column, so
 * anything else would fail a whole batch (docs/dewey-contract.md#dewey_store_logs_batch).
 */
export function normalizeUuid(value: string): string | undefined {
  if (UUID_DASHED.test(value)) return value.toLowerCase();
  if (!UUID_HEX.test(value)) return undefined;
  const hex = value.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
