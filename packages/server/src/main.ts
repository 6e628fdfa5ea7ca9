import { exitOnSignals, loadConfigOrExit } from '@godot/shared';
import { pino } from 'pino';
import { startGodotServer } from './godot-server.js';

const config = loadConfigOrExit('godot-server');
// Our own logs go to stdout as JSON; never through logger_log (no loops).
const logger = pino({ name: 'godot-server', level: config.LOG_LEVEL });
let close = async () => {}; // Nothing to close until started.
exitOnSignals(() => close(), logger);
const server = await startGodotServer(config, { logger });
close = () => server.close();
