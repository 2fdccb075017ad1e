import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The production build the scenarios run against: `node dist/main.js`, started by the runner. */
export interface RunningServer {
  pid: number;
  baseUrl: string;
  /** milliseconds from spawn to the first 200 from /health/ready */
  startToReadyMs: number;
  /** what the server printed on stderr (start-up failures) */
  stderr(): string;
  stop(): Promise<void>;
}

const CLK_TCK = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s

export async function startServer(
  repoRoot: string,
  env: Record<string, string>,
  port: number,
  nodeArgs: string[] = [],
): Promise<RunningServer> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, 'dist', 'main.js')], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const code = await Promise.race([exited, delay(20).then(() => undefined)]);
    if (code !== undefined)
      throw new Error(`the server exited (${String(code)}) before it was ready:\n${stderr}`);
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready within 60 s:\n${stderr}`);
    }
  }
  const startToReadyMs = performance.now() - started;
  return {
    pid: child.pid!,
    baseUrl,
    startToReadyMs,
    stderr: () => stderr,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples a process's resident memory and CPU time from /proc while a scenario runs. */
export class ProcessSampler {
  private timer?: NodeJS.Timeout;
  private peakRssBytes = 0;
  private cpuStart = 0;
  private wallStart = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.peakRssBytes = this.rss();
    this.cpuStart = this.cpuTicks();
    this.wallStart = performance.now();
    this.timer = setInterval(() => {
      this.peakRssBytes = Math.max(this.peakRssBytes, this.rss());
    }, 100);
    this.timer.unref();
  }

  /** Peak RSS in MiB and the average CPU use in % of one core since start(). */
  stop(): { peakRssMb: number; cpuPercent: number } {
    clearInterval(this.timer);
    this.peakRssBytes = Math.max(this.peakRssBytes, this.rss());
    const seconds = (performance.now() - this.wallStart) / 1000;
    const cpuSeconds = (this.cpuTicks() - this.cpuStart) / CLK_TCK;
    return {
      peakRssMb: round(this.peakRssBytes / 1024 / 1024, 1),
      cpuPercent: round((100 * cpuSeconds) / seconds, 0),
    };
  }

  rss(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  private cpuTicks(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  }
}

export const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** The server's `db_statements_total` counter from /metrics: SQL statements sent so far. */
export async function statementsSent(baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`);
  const text = await res.text();
  const m = /^db_statements_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(text);
  if (!m) throw new Error('db_statements_total is missing from /metrics');
  return Number(m[1]);
}
