import type { LogEntry } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { type EntryFilter, entryMatcher, rawMatcher } from './entry-filter.js';

const entry = (over: Partial<LogEntry>): LogEntry => ({
  component: 'fiedler',
  level: 'INFO',
  message: 'plain',
  trace_id: null,
  data: null,
  created_at: '2026-12-04T10:00:00.000Z',
  ...over,
});

const ENTRIES: LogEntry[] = [
  entry({}),
  entry({
    component: 'Dewey "db"',
    level: 'ERROR',
    message: 'Pool\nexhausted: "20" of 20 \\ busy',
  }),
  entry({ level: 'WARN', message: 'Ünïcödé 🚀 Straße', data: { Nested: { quote: 'say "HI"' } } }),
  entry({ trace_id: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', message: 'tab\there\u2028line' }),
  entry({ level: 'DEBUG', data: { control: '\u0001\u001f', html: '<script>' } }),
];

const FILTERS: EntryFilter[] = [
  { component: 'fiedler' },
  { component: 'Dewey "db"' },
  { level: 'WARN' },
  { level: 'ERROR', component: 'Dewey "db"' },
  { trace_id: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
  { search: 'EXHAUSTED: "20"' },
  { search: '\\ busy' },
  { search: 'straße' },
  { search: '🚀' },
  { search: 'say "hi"' },
  { search: 'nested' },
  { search: 'tab\there' },
  { search: '\u0001' },
  { search: '<SCRIPT>' },
  { search: 'absent' },
];

describe('rawMatcher', () => {
  it('passes every record that holds an entry the filter accepts (no false negatives)', () => {
    for (const filter of FILTERS) {
      const accepts = entryMatcher(filter);
      const raw = rawMatcher(filter);
      expect(raw, JSON.stringify(filter)).toBeDefined();
      for (const one of ENTRIES) {
        // A record of the window: its entries as one array, as the server writes it.
        const record = JSON.stringify([entry({ message: 'other' }), one]);
        if (accepts(one))
          expect(raw?.(record), `${JSON.stringify(filter)} ${one.message}`).toBe(true);
      }
    }
  });

  it('passes over records with nothing the filter could accept', () => {
    const raw = rawMatcher({ component: 'dewey', level: 'ERROR' });
    expect(raw?.(JSON.stringify([entry({ component: 'dewey' }), entry({})]))).toBe(false);
    expect(raw?.(JSON.stringify([entry({ level: 'ERROR' }), entry({})]))).toBe(false);
    // A test of the record: both in it, in different entries, passes (entryMatcher decides).
    expect(raw?.(JSON.stringify([entry({ component: 'dewey' }), entry({ level: 'ERROR' })]))).toBe(
      true,
    );
    expect(rawMatcher({ search: 'absent' })?.(JSON.stringify(ENTRIES))).toBe(false);
    expect(rawMatcher({})).toBeUndefined();
  });
});
