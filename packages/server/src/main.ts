import { ConfigError, loadConfig } from '@godot/shared';
import { pino } from 'pino';
import { startGodotServer } from './godot-server.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`godot-server: invalid configuration: ${error.message}\n`);
  process.exit(2);
}

// Our own logs go to stdout as JSON; never through logger_log (no loops).
const logger = pino({ name: 'godot-server', level: config.LOG_LEVEL });
const server = await startGodotServer(config, { logger });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
