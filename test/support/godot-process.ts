import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (cwd of every child, where `tsx` resolves). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The entry points a {@link GodotProcess} can run, from source. */
export const GODOT_MAINS = {
  server: 'packages/server/src/main.ts',
  worker: 'packages/worker/src/main.ts',
  emulator: 'packages/testkit/src/dewey/dewey-emulator-main.ts',
} as const;

/** Options of {@link GodotProcess.start}. */
export interface GodotProcessOptions {
  /** A label for logs and errors, e.g. `server`. */
  name: string;
  /** Script to run, relative to the repository root (see {@link GODOT_MAINS}). */
  main: string;
  /** The child's whole environment (PATH and HOME are added). */
  env: Record<string, string>;
  /** Polled until it answers any HTTP status: the process is then up. */
  readyUrl: string;
  /** How long start-up may take (tsx compiles on first run). @default 30000 */
  readyTimeoutMs?: number;
  /** Extra `node` flags, e.g. `--cpu-prof`. @default [] */
  nodeArgs?: string[];
  /** Output lines kept for failure reports. @default 400 */
  logLines?: number;
}

/** How a child ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// Children still running when this process exits die with it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * A Godot process (server, worker, emulator) started from source the way
 * production runs it, as its own OS process: `node --conditions=godot-source
 * --import tsx <main.ts>`. Its stdout/stderr are kept in a ring buffer for
 * failure reports. Can be SIGKILLed, SIGTERMed and started again with the
 * same environment (so on the same ports).
 */
export class GodotProcess {
  readonly #o: Required<GodotProcessOptions>;
  #child: ChildProcess | undefined;
  #exited: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  #lines: string[] = [];
  #starts = 0;

  private constructor(options: GodotProcessOptions) {
    this.#o = { readyTimeoutMs: 30_000, nodeArgs: [], logLines: 400, ...options };
  }

  /** Spawns the process and resolves once `readyUrl` answers. */
  static async start(options: GodotProcessOptions): Promise<GodotProcess> {
    const godot = new GodotProcess(options);
    await godot.start();
    return godot;
  }

  /** OS process id while running. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** `http://host:port` of the `readyUrl`: where the process serves HTTP. */
  get origin(): string {
    return new URL(this.#o.readyUrl).origin;
  }

  /** The environment it runs with. */
  get env(): Readonly<Record<string, string>> {
    return this.#o.env;
  }

  /** Resolves when the current child exits. */
  get exited(): Promise<ExitInfo> {
    return this.#exited;
  }

  /** The last output lines, prefixed with the process name. */
  log(): string {
    return this.#lines.map((line) => `[${this.#o.name}] ${line}`).join('\n');
  }

  /** Starts the process (again); resolves once it answers HTTP. */
  async start(): Promise<void> {
    if (this.#child) throw new Error(`${this.#o.name} is already running`);
    this.#starts += 1;
    this.#note(`--- start #${this.#starts}`);
    const child = spawn(
      process.execPath,
      // Compiled entries (dist/*.js) run as production runs them; sources through tsx.
      this.#o.main.endsWith('.js')
        ? [...this.#o.nodeArgs, this.#o.main]
        : ['--conditions=godot-source', '--import', 'tsx', ...this.#o.nodeArgs, this.#o.main],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.#o.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    live.add(child);
    let partial = '';
    const keep = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) this.#note(line);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (this.#child === child) this.#child = undefined;
        this.#note(`--- exited (code ${code}, signal ${signal})`);
        resolve({ code, signal });
      });
    });
    await this.#waitReady(child);
  }

  /** Sends `signal` (SIGKILL: no cleanup at all) and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    return this.#signal(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async terminate(timeoutMs = 15_000): Promise<ExitInfo> {
    const child = this.#child;
    if (!child) return this.#exited;
    const exited = this.#exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills (SIGKILL) and starts again with the same environment. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async #signal(signal: NodeJS.Signals): Promise<ExitInfo> {
    const child = this.#child;
    if (!child) return this.#exited;
    const exited = this.#exited;
    child.kill(signal);
    return exited;
  }

  #note(line: string): void {
    this.#lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (this.#lines.length > this.#o.logLines)
      this.#lines.splice(0, this.#lines.length - this.#o.logLines);
  }

  async #waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.#o.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (this.#child !== child) {
        throw new Error(`${this.#o.name} exited before it was ready:\n${this.log()}`);
      }
      const up = await fetch(this.#o.readyUrl, { signal: AbortSignal.timeout(1000) }).then(
        async (response) => {
          await response.arrayBuffer();
          return true;
        },
        () => false,
      );
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    throw new Error(
      `${this.#o.name} not ready within ${this.#o.readyTimeoutMs} ms:\n${this.log()}`,
    );
  }
}
