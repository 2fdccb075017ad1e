import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { round } from './server.js';

const run = promisify(execFile);

/**
 * The raw-Postgres limit of one scenario's SQL: a pgbench custom script. `:n` is a random row
 * number (1..idCount) whose contact id `bench.ids` holds, so a by-id script can name a different
 * row each time without the client knowing the uuids.
 */
export interface RawScript {
  /** pgbench script: `\set` lines allowed, then one SQL statement using :t (tenant id) and :n */
  sql: string;
  /** upper bound for :n */
  idCount: number;
}

export interface RawResult {
  tool: 'pgbench' | 'pg';
  tps: number;
  latencyAvgMs: number;
  /** why tps is 0 */
  note?: string;
}

/** pgbench from the PostgreSQL server package (it is not on the PATH on Debian), else none. */
export function findPgbench(): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((d) => path.join(d, 'pgbench'))
    .find((p) => existsSync(p));
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const p = path.join(root, v, 'bin', 'pgbench');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Runs the script at the given concurrency for `seconds`: pgbench with prepared statements and
 * one client thread (as autocannon drives the server from one thread), else a `pg` loop of
 * `connections` clients in this process.
 */
export async function rawLimit(
  url: string,
  tenantId: string,
  script: RawScript,
  connections: number,
  seconds: number,
): Promise<RawResult> {
  const pgbench = findPgbench();
  if (pgbench) return viaPgbench(pgbench, url, tenantId, script, connections, seconds);
  return viaPgLoop(url, tenantId, script, connections, seconds);
}

async function viaPgbench(
  bin: string,
  url: string,
  tenantId: string,
  script: RawScript,
  connections: number,
  seconds: number,
): Promise<RawResult> {
  const file = path.join(os.tmpdir(), `rapport-bench-${process.pid}.sql`);
  writeFileSync(file, `\\set n random(1, ${script.idCount})\n${script.sql.trim()}\n`);
  const args = ['-n', '-M', 'prepared', '-c', String(connections), '-j', '1', '-T', String(seconds)];
  const { stdout } = await run(bin, [...args, '-D', `t=${tenantId}`, '-f', file], {
    env: { ...process.env, ...pgEnv(url) },
    maxBuffer: 1 << 20,
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`pgbench failed: ${e.stderr ?? e.message}`);
  });
  const tps = /tps = ([\d.]+)/.exec(stdout);
  const lat = /latency average = ([\d.]+) ms/.exec(stdout);
  // No transaction finished within the duration (statements longer than it, under this concurrency).
  if (!tps || /actually processed: 0\b/.test(stdout))
    return { tool: 'pgbench', tps: 0, latencyAvgMs: 0, note: `no transaction completed within ${seconds} s` };
  return { tool: 'pgbench', tps: round(Number(tps[1]), 0), latencyAvgMs: round(Number(lat?.[1] ?? 0), 3) };
}

/** libpq environment for pgbench from a postgres:// URL. */
function pgEnv(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    // The same session settings as the server's request pool (TenantDb): no JIT.
    PGOPTIONS: '-c jit=off',
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username || 'postgres'),
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')),
    ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}),
  };
}

async function viaPgLoop(
  url: string,
  tenantId: string,
  script: RawScript,
  connections: number,
  seconds: number,
): Promise<RawResult> {
  const statement = script.sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('\\'))
    .join('\n')
    .trim()
    .replace(/;$/, '');
  const params: string[] = [];
  const text = statement.replace(/:([tn])\b/g, (_m, v: string) => {
    if (!params.includes(v)) params.push(v);
    return `$${params.indexOf(v) + 1}`;
  });
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url, options: '-c jit=off' });
      await c.connect();
      return c;
    }),
  );
  let done = 0;
  let latencyTotal = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        const n = 1 + Math.floor(Math.random() * script.idCount);
        const t0 = performance.now();
        await c.query({
          name: 'raw',
          text,
          values: params.map((p) => (p === 't' ? tenantId : n)),
        });
        latencyTotal += performance.now() - t0;
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return {
    tool: 'pg',
    tps: round(done / elapsed, 0),
    latencyAvgMs: round(latencyTotal / Math.max(1, done), 3),
  };
}
