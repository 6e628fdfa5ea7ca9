import { LEVELS } from '@godot/shared';
import { z } from 'zod';
import { okResult } from '../tool-result.js';
import { defineTool } from './define-tool.js';
import { componentSchema, levelSchema } from './input-rules.js';

/** `logger_set_level` input. */
export const setLevelInputShape = {
  component: componentSchema.describe('Component whose minimum level to set.'),
  level: levelSchema.describe('Entries below this level are not queued.'),
};
export const setLevelInputSchema = z.object(setLevelInputShape);
export type SetLevelInput = z.output<typeof setLevelInputSchema>;

const levelName = z.enum(LEVELS);

/** `logger_set_level`'s structured result: the new level and the one it replaced. */
export const setLevelOutputSchema = z.object({
  status: z.literal('ok'),
  component: z.string(),
  level: levelName,
  previous: levelName,
});

/** Sets a component's minimum level on every Godot instance (level-store.ts); audited. */
export const loggerSetLevelTool = defineTool<SetLevelInput>({
  name: 'logger_set_level',
  description:
    "Set a component's minimum level on every Godot instance; entries below it are no longer queued.",
  annotations: { idempotentHint: true, openWorldHint: false },
  audited: true,
  input: setLevelInputSchema,
  output: setLevelOutputSchema,
  run: async (deps, { component, level }) => {
    const previous = await deps.levels.set(component, level);
    return okResult({ status: 'ok', component, level, previous });
  },
});
