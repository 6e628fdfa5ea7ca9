/** The names of Dewey's tools that Godot uses. */
export const DEWEY_TOOL_NAMES = [
  'dewey_store_logs_batch',
  'dewey_query_logs',
  'dewey_clear_logs',
  'dewey_get_log_stats',
] as const;

/** One of {@link DEWEY_TOOL_NAMES}. */
export type DeweyToolName = (typeof DEWEY_TOOL_NAMES)[number];

const LEVEL = {
  type: 'string',
  enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'],
} as const;

/** What the emulator answers to `tools/list`: the four logging tools with their input schemas. */
export const DEWEY_TOOL_LIST = [
  {
    name: 'dewey_store_logs_batch',
    description: 'Stores a batch of log entries (at most 1000) in one transaction.',
    inputSchema: {
      type: 'object',
      properties: {
        logs: {
          type: 'array',
          description: 'Log entries to store.',
          items: {
            type: 'object',
            properties: {
              trace_id: { type: ['string', 'null'], description: 'UUID of the trace.' },
              component: { type: 'string' },
              level: { ...LEVEL, description: 'Case-insensitive.' },
              message: { type: 'string' },
              data: { type: ['object', 'null'] },
              created_at: { type: 'string', description: 'ISO-8601; defaults to now.' },
            },
            required: ['component', 'level', 'message'],
          },
          maxItems: 1000,
        },
      },
      required: ['logs'],
    },
  },
  {
    name: 'dewey_query_logs',
    description: 'Queries logs, newest first, with optional filters and full-text search.',
    inputSchema: {
      type: 'object',
      properties: {
        trace_id: { type: 'string', description: 'UUID of the trace.' },
        component: { type: 'string' },
        level: { ...LEVEL, description: 'Minimum level.' },
        start_time: { type: 'string', description: 'ISO-8601, inclusive.' },
        end_time: { type: 'string', description: 'ISO-8601, inclusive.' },
        search: { type: 'string', description: 'Full-text search (websearch syntax).' },
        limit: { type: 'integer', default: 100, minimum: 1, maximum: 1000 },
      },
    },
  },
  {
    name: 'dewey_clear_logs',
    description: 'Deletes logs older than before_time (default: the 7-day retention).',
    inputSchema: {
      type: 'object',
      properties: {
        before_time: { type: 'string', description: 'ISO-8601.' },
        component: { type: 'string' },
        level: { ...LEVEL, description: 'Minimum level.' },
      },
    },
  },
  {
    name: 'dewey_get_log_stats',
    description: 'Counts logs by component and level.',
    inputSchema: { type: 'object', properties: {} },
  },
];
