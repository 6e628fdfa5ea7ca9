import { errorReply, resultReply } from '@godot/wire';
import { DEWEY_CONTROL_METHOD, type DeweyControlOutcome } from './dewey-control.js';
import type { DeweyFaults } from './dewey-faults.js';
import {
  DEWEY_INITIALIZE_RESULT,
  frameForError,
  type JsonRpcId,
  parseRequestFrame,
  toolResultFrame,
} from './dewey-frames.js';
import { DeweyErrorCode, internalError, printed, pythonTypeName } from './dewey-rpc-error.js';
import { DEWEY_TOOL_LIST } from './dewey-tool-list.js';
import { callDeweyTool, type DeweyToolContext } from './dewey-tools.js';

/** One reply to send. */
export interface DeweyReply {
  frame: object;
  /** Control replies skip the reply delay. */
  immediate?: boolean;
  afterSend?: () => void;
}

/** What answering a request needs from the emulator. */
export interface DeweyRequestContext {
  faults: DeweyFaults;
  tools: DeweyToolContext;
  /** Runs an `emulator/control` request. */
  control: (params: unknown) => DeweyControlOutcome;
}

/**
 * Answers one text frame as Dewey would, with the emulator's faults applied
 * (counters, injected rejections, held store calls). Resolves with nothing
 * when a held request was abandoned by `stop()`.
 */
export async function answerDeweyRequest(
  text: string,
  ctx: DeweyRequestContext,
): Promise<DeweyReply | undefined> {
  ctx.faults.countRequest();
  const parsed = parseRequestFrame(text);
  if ('reply' in parsed) return { frame: parsed.reply };
  const { id, method, message } = parsed;
  try {
    switch (method) {
      case 'initialize':
        return { frame: resultReply(DEWEY_INITIALIZE_RESULT, id) };
      case 'tools/list':
        return { frame: resultReply({ tools: DEWEY_TOOL_LIST }, id) };
      case 'tools/call':
        return await toolCall('params' in message ? message.params : {}, id, ctx);
      case DEWEY_CONTROL_METHOD: {
        const { result, afterSend } = ctx.control(message.params);
        return { frame: resultReply(result, id), immediate: true, afterSend };
      }
      default:
        return {
          frame: errorReply(
            DeweyErrorCode.MethodNotFound,
            `Method not found: ${printed(method)}`,
            id,
          ),
        };
    }
  } catch (error) {
    return { frame: frameForError(error, id) };
  }
}

async function toolCall(
  params: unknown,
  id: JsonRpcId,
  { faults, tools }: DeweyRequestContext,
): Promise<DeweyReply | undefined> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw internalError(`'${pythonTypeName(params)}' object has no attribute 'get'`);
  }
  const { name } = params as Record<string, unknown>;
  const args = 'arguments' in params ? params.arguments : {};
  faults.countToolCall(name, args);
  const rejection = faults.takeRejection();
  if (rejection) throw rejection;
  const run = (): DeweyReply => {
    try {
      return { frame: toolResultFrame(callDeweyTool(name, args, tools), id) };
    } catch (error) {
      return { frame: frameForError(error, id) };
    }
  };
  const hold = name === 'dewey_store_logs_batch' ? faults.holding : undefined;
  if (!hold) return run();
  // storeFirst: the batch is committed but the acknowledgement never leaves.
  const early = hold.storeFirst ? run() : undefined;
  const released = await faults.waitForRelease();
  if (!released) return undefined;
  return early ?? run();
}
