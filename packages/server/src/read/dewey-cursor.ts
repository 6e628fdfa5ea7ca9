import type { LogRow } from '@godot/shared';
import { ReadInputError } from './read-errors.js';

/** Where a `logger_query` answered from Dewey continues: rows at or before `before`, less `seen`. */
export interface DeweyCursor {
  /** The `created_at` of the last row returned, as Dewey wrote it. */
  before: string;
  /** Ids of the rows returned with that same `created_at`: the next page leaves them out. */
  seen: (string | number)[];
}

const PREFIX = 'd1.';

/** Whether `text` is a cursor of a Dewey page (`encodeDeweyCursor`). */
export function isDeweyCursor(text: string): boolean {
  return text.startsWith(PREFIX);
}

/** The cursor that continues after `rows[index]`, rows newest first; undefined without rows. */
export function deweyCursorAfter(rows: readonly LogRow[], index: number): string | undefined {
  const last = rows[index];
  if (!last) return undefined;
  const seen = rows
    .slice(0, index + 1)
    .filter((row) => row.created_at === last.created_at)
    .map((row) => row.id);
  const cursor: DeweyCursor = { before: last.created_at, seen };
  return PREFIX + Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Reads a Dewey page's cursor; a clear input error otherwise. */
export function decodeDeweyCursor(text: string): DeweyCursor {
  try {
    const cursor = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
    if (
      typeof cursor?.before === 'string' &&
      Array.isArray(cursor.seen) &&
      cursor.seen.length <= 1000 &&
      cursor.seen.every((id: unknown) => typeof id === 'string' || typeof id === 'number')
    ) {
      return cursor as DeweyCursor;
    }
  } catch {
    // falls through to the error
  }
  throw new ReadInputError('cursor', 'is not a cursor Godot wrote');
}
