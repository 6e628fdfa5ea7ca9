import { exitOnSignals, loadConfigOrExit } from '@godot/shared';
import { pino } from 'pino';
import { startGodotWorker } from './godot-worker.js';

const config = loadConfigOrExit('godot-worker');
const logger = pino({ name: 'godot-worker', level: config.LOG_LEVEL });
let close = async () => {}; // Nothing to close until started.
exitOnSignals(() => close(), logger);
const worker = await startGodotWorker(config, {
  logger,
  lockDurationMs: config.WORKER_LOCK_MS,
  stalledIntervalMs: config.WORKER_LOCK_MS,
});
close = () => worker.close();
