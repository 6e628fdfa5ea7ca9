/**
 * Runs a Dewey emulator as its own process, for multi-process tests and local
 * runs: `node --conditions=godot-source --import tsx
 * packages/testkit/src/dewey/dewey-emulator-main.ts` (the condition resolves
 * workspace packages to their sources, as for Godot's own mains).
 *
 * Environment: `DEWEY_EMULATOR_PORT` (default 9020), `DEWEY_EMULATOR_HOST`
 * (default 127.0.0.1), `REAL_DEWEY_BUGS=1` to fail time filters and clears
 * like the real Dewey. Prints one JSON line once listening; exits 0 on
 * SIGTERM/SIGINT. Other processes drive it with `emulator/control`.
 */
import { DeweyEmulator } from './dewey-emulator.js';

function readPort(text: string | undefined): number {
  if (text === undefined || text === '') return 9020;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(
      `DEWEY_EMULATOR_PORT must be a port number, got ${JSON.stringify(text)}\n`,
    );
    process.exit(2);
  }
  return port;
}

const emulator = await DeweyEmulator.start({
  port: readPort(process.env.DEWEY_EMULATOR_PORT),
  host: process.env.DEWEY_EMULATOR_HOST || '127.0.0.1',
  realDeweyBugs: process.env.REAL_DEWEY_BUGS === '1',
});
process.stdout.write(
  `${JSON.stringify({ msg: 'dewey emulator listening', url: emulator.url, port: emulator.port })}\n`,
);

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  emulator.close().then(
    () => {
      process.stdout.write(`${JSON.stringify({ msg: 'dewey emulator stopped', signal })}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
