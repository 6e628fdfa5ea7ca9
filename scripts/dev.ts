/**
 * `pnpm dev`: Godot on embedded defaults, for trying it out and developing.
 * Starts a private redis-server (AOF on, data in .data/redis) unless REDIS_URL
 * is set, the Dewey emulator on 9020 unless DEWEY_URL is set, then the server
 * (9060) and the worker as child processes running the TypeScript sources.
 * Ctrl-C stops everything, children first, then Redis and the emulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { redactUrl } from '@godot/shared';
import { DeweyEmulator, RedisServer } from '@godot/testkit';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env };
const say = (line: string) => process.stdout.write(`[dev] ${line}\n`);

let redis: RedisServer | undefined;
let dewey: DeweyEmulator | undefined;
const children = new Map<string, ChildProcess>();
let stopping = false;

async function main(): Promise<void> {
  if (!env.REDIS_URL) {
    const dir = `${root}.data/redis`;
    await mkdir(dir, { recursive: true });
    redis = await RedisServer.start({
      dir,
      appendonly: true,
      port: Number(env.DEV_REDIS_PORT) || undefined,
    });
    env.REDIS_URL = redis.url;
    say(`redis-server   ${redis.url}  (private, AOF in .data/redis)`);
  } else say(`redis          ${redactUrl(env.REDIS_URL)}  (from REDIS_URL)`);

  if (!env.DEWEY_URL && !env.DEWEY_MCP_URL) {
    dewey = await DeweyEmulator.start({ port: Number(env.DEWEY_EMULATOR_PORT) || 9020 });
    env.DEWEY_URL = dewey.url;
    say(`dewey emulator ${dewey.url}  (in memory)`);
  } else
    say(`dewey          ${redactUrl(env.DEWEY_URL || env.DEWEY_MCP_URL || '')}  (from DEWEY_URL)`);

  const port = env.PORT ?? '9060';
  env.PORT = port;
  env.WORKER_PORT ??= '9061';
  await Promise.all([
    run('server', 'packages/server/src/main.ts', 'server listening'),
    run('worker', 'packages/worker/src/main.ts', 'worker listening'),
  ]);
  say(`server         ws://127.0.0.1:${port}/  http://127.0.0.1:${port}/health  /metrics  /mcp`);
  say(`worker         http://127.0.0.1:${env.WORKER_PORT}/health`);
  say('try:  pnpm godot log demo info "hello from the CLI"  &&  pnpm godot query');
  say('Ctrl-C stops everything.');
}

/** Starts one package's main.ts from source; resolves once it printed `ready`. */
function run(name: string, entry: string, ready: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--conditions=godot-source', '--import', 'tsx', `${root}${entry}`],
    {
      env,
      // Own process group: a terminal's Ctrl-C reaches only this script, which
      // then stops the children in order (they need Redis while shutting down).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.set(name, child);
  return new Promise((resolve, reject) => {
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      for (const line of text.split('\n').filter(Boolean))
        process.stdout.write(`[${name}] ${line}\n`);
      if (text.includes(ready)) resolve();
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.once('exit', (code, signal) => {
      children.delete(name);
      if (!stopping) {
        say(`${name} exited (${code ?? signal}); stopping`);
        reject(new Error(`${name} exited`));
        void stop(1);
      }
    });
  });
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await dewey?.close();
  await redis?.stop();
  say('stopped');
  process.exit(code);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
main().catch((error: unknown) => {
  process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
  void stop(1);
});
