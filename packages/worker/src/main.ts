import { ConfigError, loadConfig } from '@godot/shared';
import { pino } from 'pino';
import { startGodotWorker } from './godot-worker.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`godot-worker: invalid configuration: ${error.message}\n`);
  process.exit(2);
}

const logger = pino({ name: 'godot-worker', level: config.LOG_LEVEL });
const worker = await startGodotWorker(config, {
  logger,
  lockDurationMs: config.WORKER_LOCK_MS,
  stalledIntervalMs: config.WORKER_LOCK_MS,
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    worker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
