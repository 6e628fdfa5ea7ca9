import { readFileSync } from 'node:fs';

/** Peak memory of one process as seen in /proc. */
export interface RssPeak {
  /** Highest VmRSS sampled, MB. */
  sampledMaxMb: number;
  /** VmHWM (the kernel's own peak RSS since start) at the last sample, MB. */
  hwmMb: number;
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples VmRSS of named processes every `intervalMs` (200 ms) and keeps each
 * one's maximum, plus VmHWM, the kernel's exact peak, which catches spikes
 * between samples. Linux only (/proc).
 */
export class RssSampler {
  readonly #peaks = new Map<string, RssPeak>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => Record<string, number | undefined>,
    intervalMs = 200,
  ) {
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  /** Takes one sample now. */
  sample(): void {
    for (const [name, pid] of Object.entries(this.pids())) {
      if (pid === undefined) continue;
      const rss = readStatusKb(pid, 'VmRSS');
      const hwm = readStatusKb(pid, 'VmHWM');
      if (rss === undefined || hwm === undefined) continue;
      const peak = this.#peaks.get(name) ?? { sampledMaxMb: 0, hwmMb: 0 };
      peak.sampledMaxMb = Math.max(peak.sampledMaxMb, rss / 1024);
      peak.hwmMb = Math.max(peak.hwmMb, hwm / 1024);
      this.#peaks.set(name, peak);
    }
  }

  peak(name: string): RssPeak {
    return this.#peaks.get(name) ?? { sampledMaxMb: Number.NaN, hwmMb: Number.NaN };
  }

  stop(): void {
    this.sample();
    clearInterval(this.#timer);
  }
}

/** CPU time (user + system) a process has used so far, in seconds; NaN when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of several processes at one moment. */
export function cpuSnapshot(pids: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
}

/** CPU time the whole machine has spent busy (all cores, /proc/stat), in seconds. */
export function machineCpuSeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
    const [user, nice, system, , , irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100
    );
  } catch {
    return Number.NaN;
  }
}
