/**
 * Where a reader of the recent window stands in one shard
 * (docs/data-path.md#recent-window): every entry up to `seq`, in the record
 * `id` of the shard's stream, has been read. `seq` is null for a place set
 * by time (`id` = `<ms>-0`): nothing at or after `id` has been read, and
 * nothing can be said of what came before.
 */
export interface ShardPosition {
  id: string;
  seq: number | null;
}

/** Every shard's position, in shard order, and which way the reader goes. */
export interface RecentCursor {
  /** `forward`: newer entries next (a tail); `backward`: older ones (a query's next page). */
  direction: 'forward' | 'backward';
  shards: ShardPosition[];
}

/** Thrown for a cursor that this version did not write. */
export class CursorError extends Error {}

const PREFIX = { forward: 'f1.', backward: 'b1.' } as const;
const STREAM_ID = /^\d+-\d+$/;

/**
 * The cursor as one opaque, URL-safe string for a client to pass back:
 * `f1.` or `b1.`, then base64url of the positions as JSON.
 */
export function encodeCursor(cursor: RecentCursor): string {
  const positions = cursor.shards.map(({ id, seq }) => (seq === null ? [id] : [id, seq]));
  return PREFIX[cursor.direction] + Buffer.from(JSON.stringify(positions)).toString('base64url');
}

/** Reads a cursor that `encodeCursor` wrote; throws `CursorError` for anything else. */
export function decodeCursor(text: string): RecentCursor {
  const direction = text.startsWith(PREFIX.forward)
    ? 'forward'
    : text.startsWith(PREFIX.backward)
      ? 'backward'
      : undefined;
  if (!direction) throw new CursorError('is not a cursor Godot wrote');
  let positions: unknown;
  try {
    positions = JSON.parse(Buffer.from(text.slice(3), 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('is not a cursor Godot wrote');
  }
  if (!Array.isArray(positions) || positions.length === 0 || positions.length > 1024) {
    throw new CursorError('is not a cursor Godot wrote');
  }
  const shards = positions.map((position): ShardPosition => {
    if (!Array.isArray(position)) throw new CursorError('is not a cursor Godot wrote');
    const [id, seq] = position as unknown[];
    if (typeof id !== 'string' || !STREAM_ID.test(id)) {
      throw new CursorError('is not a cursor Godot wrote');
    }
    if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) {
      throw new CursorError('is not a cursor Godot wrote');
    }
    return { id, seq: seq ?? null };
  });
  return { direction, shards };
}
