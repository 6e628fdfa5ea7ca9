import type { ListToolsResult } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool } from './tools/define-tool.js';
import { loggerClearTool } from './tools/logger-clear.js';
import { loggerLogTool } from './tools/logger-log.js';
import { loggerQueryTool } from './tools/logger-query.js';
import { loggerSetLevelTool } from './tools/logger-set-level.js';
import { loggerSummaryTool } from './tools/logger-summary.js';
import { loggerTailTool } from './tools/logger-tail.js';
import { loggerTraceTool } from './tools/logger-trace.js';

/**
 * The tools by name (docs/product.md, "The tools"). Built once per
 * process, when this module loads: a connection only looks tools up.
 */
export const TOOL_CATALOG: ReadonlyMap<string, CatalogTool> = new Map(
  [
    loggerLogTool,
    loggerSummaryTool,
    loggerTraceTool,
    loggerQueryTool,
    loggerTailTool,
    loggerClearTool,
    loggerSetLevelTool,
  ].map((entry) => [entry.definition.name, entry as CatalogTool]),
);

/**
 * The Python Godot's tool names, accepted as aliases and not listed. A Map,
 * not an object: a client's `__proto__` or `constructor` must not find
 * `Object.prototype`'s members.
 */
export const TOOL_ALIASES: ReadonlyMap<string, string> = new Map([
  ['godot_logger_log', 'logger_log'],
  ['godot_logger_query', 'logger_query'],
  ['godot_logger_clear', 'logger_clear'],
  ['godot_logger_set_level', 'logger_set_level'],
]);

/** The `tools/list` result: the same object for every connection and every call. */
export const TOOL_LIST: ListToolsResult = Object.freeze({
  tools: [...TOOL_CATALOG.values()].map((entry) => entry.definition),
});

/** The tool a client-sent name means (an alias resolved), with its canonical name. */
export function findTool(name: string): { name: string; tool: CatalogTool | undefined } {
  const canonical = TOOL_ALIASES.get(name) ?? name;
  return { name: canonical, tool: TOOL_CATALOG.get(canonical) };
}
