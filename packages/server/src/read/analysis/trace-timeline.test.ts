import { describe, expect, it } from 'vitest';
import type { ReadEntry } from './read-entry.js';
import { MAX_REF_MESSAGE_CHARS, traceTimeline } from './trace-timeline.js';

const TRACE = '0b9e4ad6-7a8e-4f7a-9a57-3c1d9c8f1e2a';

function entry(
  created_at: string,
  component: string,
  message: string,
  data: Record<string, unknown> | null = null,
  level: ReadEntry['level'] = 'INFO',
): ReadEntry {
  return { component, level, message, trace_id: TRACE, data, created_at };
}

/** A gateway calls a weather MCP server, which calls a geo MCP server; all on one trace. */
const TRACE_ENTRIES: ReadEntry[] = [
  entry('2026-12-04T18:19:21.000Z', 'gateway', 'MCP request tools/call', {
    method: 'tools/call',
    id: 1,
  }),
  entry('2026-12-04T18:19:21.010Z', 'weather-mcp', 'MCP request tools/call', {
    method: 'tools/call',
    id: 'w-1',
  }),
  entry('2026-12-04T18:19:21.020Z', 'geo-mcp', 'MCP request tools/call', {
    method: 'tools/call',
    id: 9,
  }),
  entry(
    '2026-12-04T18:19:23.520Z',
    'geo-mcp',
    'MCP response tools/call: error',
    { method: 'tools/call', id: 9, error: { code: -32001, message: 'geocoder timed out' } },
    'ERROR',
  ),
  entry('2026-12-04T18:19:23.530Z', 'weather-mcp', 'MCP response tools/call: ok', {
    method: 'tools/call',
    id: 'w-1',
    result: true,
    duration_ms: 2519.6,
  }),
  entry('2026-12-04T18:19:23.600Z', 'gateway', 'MCP request resources/read', {
    method: 'resources/read',
    id: 2,
  }),
  entry('2026-12-04T18:19:24.000Z', 'gateway', 'MCP response tools/call: ok', {
    id: 1,
    success: true,
  }),
];

describe('traceTimeline', () => {
  it('sorts a trace given in any order and sums it up', () => {
    const timeline = traceTimeline([...TRACE_ENTRIES].reverse());
    expect(timeline).toMatchObject({
      trace_id: TRACE,
      count: 7,
      start: '2026-12-04T18:19:21.000Z',
      end: '2026-12-04T18:19:24.000Z',
      duration_ms: 3000,
      errors: 1,
      components: [
        {
          component: 'gateway',
          first: '2026-12-04T18:19:21.000Z',
          last: '2026-12-04T18:19:24.000Z',
          count: 3,
          errors: 0,
        },
        {
          component: 'weather-mcp',
          first: '2026-12-04T18:19:21.010Z',
          last: '2026-12-04T18:19:23.530Z',
          count: 2,
          errors: 0,
        },
        {
          component: 'geo-mcp',
          first: '2026-12-04T18:19:21.020Z',
          last: '2026-12-04T18:19:23.520Z',
          count: 2,
          errors: 1,
        },
      ],
    });
    expect(traceTimeline(TRACE_ENTRIES)).toEqual(timeline);
  });

  it('lists the three longest pauses, longest first', () => {
    const { gaps } = traceTimeline(TRACE_ENTRIES);
    expect(gaps.map((gap) => gap.ms)).toEqual([2500, 400, 70]);
    expect(gaps[0]).toEqual({
      ms: 2500,
      after: {
        component: 'geo-mcp',
        message: 'MCP request tools/call',
        created_at: '2026-12-04T18:19:21.020Z',
      },
      before: {
        component: 'geo-mcp',
        message: 'MCP response tools/call: error',
        created_at: '2026-12-04T18:19:23.520Z',
      },
    });
  });

  it('pairs MCP requests with their responses', () => {
    expect(traceTimeline(TRACE_ENTRIES).exchanges).toEqual([
      {
        component: 'gateway',
        id: 1,
        method: 'tools/call',
        request_at: '2026-12-04T18:19:21.000Z',
        response_at: '2026-12-04T18:19:24.000Z',
        latency_ms: 3000,
        outcome: 'ok',
      },
      {
        component: 'weather-mcp',
        id: 'w-1',
        method: 'tools/call',
        request_at: '2026-12-04T18:19:21.010Z',
        response_at: '2026-12-04T18:19:23.530Z',
        latency_ms: 2520,
        outcome: 'ok',
        duration_ms: 2519.6,
      },
      {
        component: 'geo-mcp',
        id: 9,
        method: 'tools/call',
        request_at: '2026-12-04T18:19:21.020Z',
        response_at: '2026-12-04T18:19:23.520Z',
        latency_ms: 2500,
        outcome: 'error',
        error_code: -32001,
        error_message: 'geocoder timed out',
      },
      {
        component: 'gateway',
        id: 2,
        method: 'resources/read',
        request_at: '2026-12-04T18:19:23.600Z',
        response_at: null,
        latency_ms: null,
        outcome: 'no response',
      },
    ]);
  });

  it('pairs a response only with an earlier request of its component and id, once', () => {
    const request = (at: string, component = 'svc', id: number | string = 5) =>
      entry(at, component, 'req', { method: 'tools/call', id });
    const response = (at: string, data: Record<string, unknown>, component = 'svc') =>
      entry(at, component, 'res', { id: 5, ...data });
    const { exchanges } = traceTimeline([
      response('2026-12-04T18:00:00.000Z', { result: 1 }), // before any request: no exchange
      request('2026-12-04T18:00:01.000Z'),
      request('2026-12-04T18:00:02.000Z'),
      request('2026-12-04T18:00:02.500Z', 'svc', '5'), // a string id is another id
      response('2026-12-04T18:00:03.000Z', { error: 'timeout' }, 'other'), // another component
      response('2026-12-04T18:00:04.000Z', { success: false, error: { code: 'E_BUSY' } }),
      response('2026-12-04T18:00:05.000Z', { result: { content: [] }, error: null }),
      response('2026-12-04T18:00:06.000Z', { error: 42 }), // no request left
    ]);
    expect(
      exchanges.map(({ id, request_at, response_at, outcome, error_code }) => ({
        id,
        request_at,
        response_at,
        outcome,
        error_code,
      })),
    ).toEqual([
      {
        id: 5,
        request_at: '2026-12-04T18:00:01.000Z',
        response_at: '2026-12-04T18:00:04.000Z',
        outcome: 'error',
        error_code: 'E_BUSY',
      },
      {
        id: 5,
        request_at: '2026-12-04T18:00:02.000Z',
        response_at: '2026-12-04T18:00:05.000Z',
        outcome: 'ok',
        error_code: undefined,
      },
      {
        id: '5',
        request_at: '2026-12-04T18:00:02.500Z',
        response_at: null,
        outcome: 'no response',
        error_code: undefined,
      },
    ]);
  });

  it('takes an entry with method, id and result as a response, and reads primitive errors', () => {
    const { exchanges } = traceTimeline([
      entry('2026-12-04T18:00:00.000Z', 'svc', 'req', { method: 'ping', id: 1 }),
      entry('2026-12-04T18:00:00.000Z', 'svc', 'res', { method: 'ping', id: 1, error: 'ENOENT' }),
      entry('2026-12-04T18:00:01.000Z', 'svc', 'res', { method: 'ping', id: 1, result: true }),
    ]);
    expect(exchanges).toEqual([
      {
        component: 'svc',
        id: 1,
        method: 'ping',
        request_at: '2026-12-04T18:00:00.000Z',
        response_at: '2026-12-04T18:00:00.000Z',
        latency_ms: 0,
        outcome: 'error',
        error_code: 'ENOENT',
      },
    ]);
  });

  it('mixes time forms, keeps equal times in their order and puts unparsable times last', () => {
    const timeline = traceTimeline(
      [
        entry('garbage', 'c', 'unparsable'),
        entry('2026-11-25T10:00:00.000500', 'dewey', 'b'), // 0.5 ms after the next
        entry('2026-11-25T10:00:00.000Z', 'recent', 'a'),
        entry('2026-11-25T10:00:00.000Z', 'recent', 'a2'),
      ],
      TRACE,
    );
    expect(timeline).toMatchObject({
      start: '2026-11-25T10:00:00.000Z',
      end: '2026-11-25T10:00:00.000500',
      duration_ms: 0.5,
    });
    expect(timeline.components.map((part) => part.component)).toEqual(['recent', 'dewey', 'c']);
    expect(timeline.gaps).toEqual([
      expect.objectContaining({ ms: 0.5, after: expect.objectContaining({ message: 'a2' }) }),
    ]);
  });

  it('answers for an empty trace, and cuts long messages in gaps', () => {
    expect(traceTimeline([], TRACE)).toEqual({
      trace_id: TRACE,
      count: 0,
      start: null,
      end: null,
      duration_ms: null,
      components: [],
      gaps: [],
      exchanges: [],
      errors: 0,
    });
    const long = 'x'.repeat(5_000);
    const { gaps } = traceTimeline([
      entry('2026-11-25T10:00:00.000Z', 'c', long),
      entry('2026-11-25T10:00:01.000Z', 'c', 'short'),
    ]);
    expect(gaps[0]?.after.message).toHaveLength(MAX_REF_MESSAGE_CHARS);
  });
});
