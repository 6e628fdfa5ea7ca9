import type { RawData } from 'ws';

/**
 * The text of a received frame. Binary frames are decoded as UTF-8 too:
 * Dewey's `json.loads` accepts bytes, so the emulator treats both alike.
 */
export function rawDataToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}
