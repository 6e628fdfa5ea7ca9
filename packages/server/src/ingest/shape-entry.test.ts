import { describe, expect, it } from 'vitest';
import { EntryRefusedError } from './ingest-errors.js';
import { shapeEntry } from './shape-entry.js';

const NOW = new Date('2025-03-04T05:06:07.089Z');

describe('shapeEntry', () => {
  it('fills in the defaults and created_at, and measures the serialized entry', () => {
    const shaped = shapeEntry({ component: 'api', level: 'INFO', message: 'hé' }, NOW, 1024);
    expect(shaped).toEqual({
      entry: {
        component: 'api',
        level: 'INFO',
        message: 'hé',
        trace_id: null,
        data: null,
        created_at: '2025-03-04T05:06:07.089Z',
      },
      json: JSON.stringify(shaped.entry),
      bytes: Buffer.byteLength(JSON.stringify(shaped.entry)),
      sanitized: false,
    });
  });

  it('keeps trace_id and data as given', () => {
    const { entry } = shapeEntry(
      {
        component: 'api',
        level: 'ERROR',
        message: 'm',
        trace_id: '0b9b1f0e-3c1a-4c1e-9a53-1b2c3d4e5f60',
        data: { a: [1, 2] },
      },
      NOW,
      1024,
    );
    expect(entry).toMatchObject({
      trace_id: '0b9b1f0e-3c1a-4c1e-9a53-1b2c3d4e5f60',
      data: { a: [1, 2] },
    });
  });

  it('replaces NUL with U+FFFD everywhere and says so; the size is that of the entry as given', () => {
    const shaped = shapeEntry(
      { component: 'api', level: 'INFO', message: 'a\u0000b', data: { 'k\u0000': 'v\u0000' } },
      NOW,
      1024,
    );
    expect(shaped.sanitized).toBe(true);
    expect(shaped.entry.message).toBe('a\ufffdb');
    expect(shaped.entry.data).toEqual({ 'k\ufffd': 'v\ufffd' });
    expect(JSON.parse(shaped.json)).toEqual(shaped.entry);
    // Measured on the entry as given: `\u0000` and `\ufffd` escapes are the same length.
    const given = { ...shaped.entry, message: 'a\u0000b', data: { 'k\u0000': 'v\u0000' } };
    expect(shaped.bytes).toBe(Buffer.byteLength(JSON.stringify(given)));
  });

  it('refuses an entry above maxEntryBytes, naming the field that makes it large', () => {
    const big = 'x'.repeat(2000);
    const refusal = (input: Parameters<typeof shapeEntry>[0]) => {
      try {
        shapeEntry(input, NOW, 1000);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const byMessage = refusal({ component: 'api', level: 'INFO', message: big });
    expect(byMessage).toBeInstanceOf(EntryRefusedError);
    expect(byMessage).toMatchObject({ field: 'message', reason: 'too_large' });
    expect((byMessage as Error).message).toMatch(
      /^message: the entry is \d+ bytes serialized, above MAX_ENTRY_BYTES \(1000\)$/,
    );
    const byData = refusal({ component: 'api', level: 'INFO', message: 'm', data: { big } });
    expect(byData).toMatchObject({ field: 'data', reason: 'too_large' });
  });

  it('refuses data nested too deeply to serialize', () => {
    let data: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i += 1) data = { d: data };
    expect(() =>
      shapeEntry({ component: 'api', level: 'INFO', message: 'm', data }, NOW, 1e9),
    ).toThrow(expect.objectContaining({ field: 'data', reason: 'unserializable' }));
  });
});
