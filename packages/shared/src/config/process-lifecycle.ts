import type { Logger } from '../util/logger.js';
import { type Config, ConfigError, loadConfig } from './config.js';

/**
 * `loadConfig()` for a process's `main.ts`: a bad value prints one line naming
 * the variable and exits with code 2 (docs/product.md, "Configuration").
 */
export function loadConfigOrExit(
  processName: string,
  env: NodeJS.ProcessEnv = process.env,
): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${processName}: invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
}

/**
 * On SIGTERM or SIGINT: log, run `close` once, exit 0 (1 if closing failed).
 * Install it before starting anything, with a `close` that reads what has
 * started so far: a process still waiting for Redis must stop on a signal too.
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: String(error) }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
