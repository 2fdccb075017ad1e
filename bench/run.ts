/**
 * `npm run bench -- [--size tiny|small|full] [--scenario a,b] [--connections 10,50] [--duration 10]
 *                  [--warmup 3] [--reseed] [--no-raw] [--profile] [--import-rows N]`
 *
 * Runs the scenarios of bench/lib/scenarios.ts with autocannon against the production build
 * (`node dist/main.js`, started here on the bench database), as a sales rep with a field policy,
 * and measures the raw-Postgres limit of the same SQL at the same concurrency in the same run.
 * Writes bench/results/<timestamp>.json and regenerates bench/RESULTS.md. See bench/README.md.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/platform/config/config.js';
import { migrate } from '../src/platform/database/migrator.js';
import { linkMigrations } from './lib/build.js';
import { benchDatabase, recreateDatabase, withDatabase } from './lib/database.js';
import { load } from './lib/load.js';
import { BenchManifest, BenchSize, MANIFEST_VERSION } from './lib/manifest.js';
import { summariseProfile } from './lib/profile.js';
import { RawResult, rawLimit } from './lib/raw.js';
import { BenchReport, ScenarioResult, writeReport } from './lib/report.js';
import { listPath, Scenario, ScenarioContext, SCENARIOS } from './lib/scenarios.js';
import {
  BULK_SCENARIOS,
  BulkResult,
  describeBulk,
  isBulkScenario,
  runBulkScenario,
} from './lib/import-bench.js';
import { ProcessSampler, round, startServer, statementsSent } from './lib/server.js';
import { generate } from './seed.js';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench');
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
/** Page 201 of the list: 200 pages of 50 = 10,000 rows in. */
const DEEP_PAGE = 201;
/** Access tokens live 15 minutes by default; a fresh one is taken before each scenario. */
const say = (m: string): void => void process.stdout.write(`${m}\n`);

/** The node flags of `npm run start:prod` (heap limits): the server is measured as it is deployed. */
function startProdFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts['start:prod'].split(/\s+/).filter((a) => a.startsWith('--'));
}

export interface RunOptions {
  size: BenchSize;
  scenarios: string[];
  connections: number[];
  durationSeconds: number;
  warmupSeconds: number;
  reseed: boolean;
  raw: boolean;
  port: number;
  /** write a V8 CPU profile of the server and print where its time went */
  profile: boolean;
  /** another database on the same server instead of rapport_bench_<size> (e.g. a copy) */
  database?: string;
  /** rows of the import-contacts file instead of the size's default */
  importRows?: number;
}

function parseArgs(argv: string[]): RunOptions {
  const opts: RunOptions = {
    size: 'small',
    scenarios: [...SCENARIOS.map((s) => s.name), ...BULK_SCENARIOS],
    connections: [10, 50],
    durationSeconds: 10,
    warmupSeconds: 3,
    reseed: false,
    raw: true,
    port: 3917,
    profile: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--size') {
      const v = value();
      if (v !== 'tiny' && v !== 'small' && v !== 'full') throw new Error('--size is tiny, small or full');
      opts.size = v;
    } else if (arg === '--scenario') {
      opts.scenarios = value().split(',');
      const unknown = opts.scenarios.filter(
        (s) => !SCENARIOS.some((x) => x.name === s) && !isBulkScenario(s),
      );
      if (unknown.length)
        throw new Error(
          `unknown scenario ${unknown.join(', ')}; known: ${[...SCENARIOS.map((s) => s.name), ...BULK_SCENARIOS].join(', ')}`,
        );
    } else if (arg === '--connections') {
      opts.connections = value().split(',').map(Number);
      if (opts.connections.some((c) => !Number.isInteger(c) || c < 1 || c > 1000))
        throw new Error('--connections is a comma-separated list of integers 1..1000');
    } else if (arg === '--duration') opts.durationSeconds = positive(arg, value());
    else if (arg === '--warmup') opts.warmupSeconds = Number(value());
    else if (arg === '--port') opts.port = positive(arg, value());
    else if (arg === '--reseed') opts.reseed = true;
    else if (arg === '--no-raw') opts.raw = false;
    else if (arg === '--profile') opts.profile = true;
    else if (arg === '--import-rows') opts.importRows = positive(arg, value());
    else if (arg === '--database') {
      opts.database = value();
      if (!/^[a-z_][a-z0-9_]*$/.test(opts.database))
        throw new Error('--database must be a plain database name');
    } else throw new Error(`unknown option ${arg}`);
  }
  return opts;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Removes the contacts that the create scenario and its raw counterpart added (in this run or an
 * earlier one) and vacuums, so that every run reads the dataset the generator made. Their audit
 * events stay: the audit chains are append-only.
 */
async function restoreDataset(url: string): Promise<void> {
  // Nothing references these rows; skipping the foreign-key triggers (replica mode, this session
  // only) spares a lookup per row in every table that references contacts.
  await query(
    url,
    `SET session_replication_role = replica;
     DELETE FROM contacts WHERE email LIKE 'bench.created.%@example.com' OR email LIKE 'bench.raw.%@example.com'`,
  );
  await query(url, 'VACUUM (ANALYZE) contacts');
}

export async function readManifest(url: string): Promise<BenchManifest | undefined> {
  try {
    const rows = await query<{ body: BenchManifest }>(url, 'SELECT body FROM bench.manifest WHERE id = 1');
    return rows[0]?.body;
  } catch {
    return undefined;
  }
}

/** A fresh access token of the bench user, through the password grant like any client. */
export async function signIn(baseUrl: string, m: BenchManifest): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: m.user.email, password: m.user.password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The current version of each contact in bench.ids (the update scenario sends them as If-Match). */
export async function loadVersions(url: string, m: BenchManifest): Promise<Map<string, number>> {
  const rows = await query<{ id: string; version: number }>(
    url,
    'SELECT c.id, c.version FROM contacts c JOIN bench.ids b ON b.id = c.id WHERE c.tenant_id = $1',
    [m.tenantId],
  );
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** Everything a scenario needs, read from the bench database and the running server. */
export async function prepareContext(
  url: string,
  baseUrl: string,
  m: BenchManifest,
): Promise<ScenarioContext> {
  const ids = (
    await query<{ id: string }>(url, 'SELECT id FROM bench.ids WHERE n <= $1 ORDER BY n', [m.idCount])
  ).map((r) => r.id);
  const versions = await loadVersions(url, m);
  const ctx: ScenarioContext = { manifest: m, token: await signIn(baseUrl, m), ids, versions };
  ctx.deepCursor = await findDeepCursor(baseUrl, ctx);
  return ctx;
}

/** Follows nextCursor from the first page to page 201 (or the last page with a successor). */
async function findDeepCursor(baseUrl: string, ctx: ScenarioContext): Promise<ScenarioContext['deepCursor']> {
  let cursor: string | null = null;
  let rowsBefore = 0;
  let last: { id: string; createdAt: string } | undefined;
  for (let page = 1; page < DEEP_PAGE; page++) {
    const res = await fetch(
      `${baseUrl}${listPath(ctx.manifest, cursor ? `&cursor=${encodeURIComponent(cursor)}` : '')}`,
      {
        headers: { authorization: `Bearer ${ctx.token}` },
      },
    );
    if (res.status !== 200) throw new Error(`list page ${page}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as {
      data: { id: string; createdAt: string }[];
      nextCursor: string | null;
    };
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
    rowsBefore += body.data.length;
    last = body.data[body.data.length - 1];
  }
  if (!cursor || !last) return undefined;
  return { cursor, rowsBefore, createdAt: last.createdAt, id: last.id };
}

export interface MeasureOptions {
  baseUrl: string;
  /** the server's pid, for RSS and CPU; undefined measures none */
  pid?: number;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** the bench database, for the raw limit; undefined skips it */
  rawUrl?: string;
  rawCache?: Map<string, RawResult>;
}

/** One scenario at one concurrency: load, statements per request, RSS/CPU, raw limit, ratio. */
export async function measure(
  scenario: Scenario,
  ctx: ScenarioContext,
  o: MeasureOptions,
): Promise<ScenarioResult> {
  const sampler = o.pid ? new ProcessSampler(o.pid) : undefined;
  const next = scenario.requests(ctx);
  const onResponse = scenario.onResponse?.(ctx);
  const spec = {
    baseUrl: o.baseUrl,
    connections: o.connections,
    next,
    ...(onResponse ? { onResponse } : {}),
  };
  const samples = new Set<string>();
  if (o.warmupSeconds > 0)
    await load({ ...spec, durationSeconds: o.warmupSeconds }, (status, body) => {
      if ((status < 200 || status >= 300) && samples.size < 3) samples.add(`${status} ${body.slice(0, 300)}`);
    });
  const before = await statementsSent(o.baseUrl);
  sampler?.start();
  const result = await load({ ...spec, durationSeconds: o.durationSeconds });
  const usage = sampler?.stop() ?? { peakRssMb: 0, cpuPercent: 0 };
  // /metrics scrapes send no SQL, so the difference is the scenario's own.
  const after = await statementsSent(o.baseUrl);
  const out: ScenarioResult = {
    scenario: scenario.name,
    description: scenario.description,
    connections: o.connections,
    ...result,
    statementsPerRequest: round((after - before) / Math.max(1, result.requests), 1),
    ...usage,
    ...(samples.size ? { samples: [...samples] } : {}),
  };
  if (o.rawUrl && scenario.raw) {
    const script = scenario.raw(ctx);
    const key = `${script.sql}@${o.connections}`;
    let raw = o.rawCache?.get(key);
    if (!raw) {
      raw = await rawLimit(o.rawUrl, ctx.manifest.tenantId, script, o.connections, o.durationSeconds);
      o.rawCache?.set(key, raw);
    }
    out.raw = { ...raw, label: script.label, sql: script.sql };
    if (raw.tps > 0) out.ratioPercent = round((100 * result.rps) / raw.tps, 1);
  }
  return out;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  linkMigrations();
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'main.js')))
    throw new Error('dist/main.js is missing: run `npm run build` (npm run bench does it for you)');
  const server0 = await benchDatabase(opts.size, say);
  const db = opts.database
    ? {
        ...server0,
        url: withDatabase(server0.url, opts.database),
        description: `${server0.description.replace(/database \S+$/, '')}database ${opts.database}`,
      }
    : server0;
  try {
    say(`bench database: ${db.description}`);
    // A dataset made under a migration that has since changed cannot serve this build: re-seed it.
    const schemaOk = await migrate(db.url).then(
      () => true,
      (e: unknown) => (say(`the bench database must be regenerated: ${String(e)}`), false),
    );
    const found = schemaOk ? await readManifest(db.url) : undefined;
    let manifest: BenchManifest;
    if (opts.reseed || !found || found.version !== MANIFEST_VERSION || found.size !== opts.size) {
      say(`generating the ${opts.size} dataset (npm run bench:seed -- --size ${opts.size} does this alone)`);
      await recreateDatabase(db.serverUrl, new URL(db.url).pathname.slice(1));
      manifest = await generate(db.url, opts.size, say);
    } else manifest = found;
    await restoreDataset(db.url);
    const config = loadConfig({});
    const serverEnv = { DATABASE_URL: db.url, RAPPORT_EMBEDDED_DATABASE: 'false' };
    // A first start primes the OS file cache and lets the server bootstrap the database (an admin
    // for an empty install); the second start is the one measured, "warm".
    const prime = await startServer(REPO_ROOT, serverEnv, opts.port, startProdFlags());
    await prime.stop();
    const profileDir = path.join(BENCH_DIR, 'results', `profile-${Date.now()}.tmp`);
    const nodeArgs = [
      ...startProdFlags(),
      ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ];
    const server = await startServer(REPO_ROOT, serverEnv, opts.port, nodeArgs);
    say(`server ready in ${Math.round(server.startToReadyMs)} ms (pid ${server.pid})`);
    const startedAt = new Date().toISOString();
    const results: ScenarioResult[] = [];
    const bulk: BulkResult[] = [];
    let peakRssMb = 0;
    let deepPage: BenchReport['deepPage'];
    try {
      const ctx = await prepareContext(db.url, server.baseUrl, manifest);
      if (ctx.deepCursor)
        deepPage = { pageNumber: ctx.deepCursor.rowsBefore / 50 + 1, rowsBefore: ctx.deepCursor.rowsBefore };
      const rawCache = new Map<string, RawResult>();
      for (const name of opts.scenarios) {
        // Bulk scenarios (issue 6, bench/lib/import-bench.ts) run once, not per connection count.
        if (isBulkScenario(name)) {
          try {
            const r = await runBulkScenario(name, {
              baseUrl: server.baseUrl,
              pid: server.pid,
              dbUrl: db.url,
              token: await signIn(server.baseUrl, manifest),
              manifest,
              size: opts.size,
              raw: opts.raw,
              importRows: opts.importRows,
              say,
            });
            for (const one of r) {
              bulk.push(one);
              peakRssMb = Math.max(peakRssMb, one.peakRssMb);
              say(describeBulk(one));
            }
          } catch (e) {
            say(`${name}: FAILED ${e instanceof Error ? e.message : String(e)}`);
          }
          continue;
        }
        const scenario = SCENARIOS.find((s) => s.name === name)!;
        if (scenario.name === 'deep-page-rest' && !ctx.deepCursor) {
          say(`${name}: skipped, the list has a single page at this size`);
          continue;
        }
        for (const connections of opts.connections) {
          ctx.token = await signIn(server.baseUrl, manifest);
          // The raw update of the previous round bumped versions behind the runner's back.
          if (scenario.name === 'update-rest') ctx.versions = await loadVersions(db.url, manifest);
          let r: ScenarioResult;
          try {
            r = await measure(scenario, ctx, {
              baseUrl: server.baseUrl,
              pid: server.pid,
              connections,
              durationSeconds: opts.durationSeconds,
              warmupSeconds: opts.warmupSeconds,
              ...(opts.raw ? { rawUrl: db.url } : {}),
              rawCache,
            });
          } catch (e) {
            // One scenario's failure (a raw run that could not finish, say) must not lose the others.
            say(`${name} c=${connections}: FAILED ${e instanceof Error ? e.message : String(e)}`);
            continue;
          }
          peakRssMb = Math.max(peakRssMb, r.peakRssMb);
          results.push(r);
          // Rows the create scenario added would sit at the head of every later "newest first" list.
          if (scenario.name === 'create-rest') await restoreDataset(db.url);
          say(
            `${name.padEnd(18)} c=${String(connections).padStart(3)}  ${String(r.rps).padStart(6)} rps  p50 ${r.p50} ms  p99 ${r.p99} ms` +
              `  raw ${r.raw ? `${r.raw.tps} tps (${r.ratioPercent}%)` : '—'}  rss ${r.peakRssMb} MB  cpu ${r.cpuPercent}%` +
              `  sql/req ${r.statementsPerRequest}${r.errors + r.non2xx ? `  ERRORS ${r.errors} non2xx ${r.non2xx}: ${r.samples?.join(' | ')}` : ''}`,
          );
        }
      }
    } finally {
      await server.stop();
    }
    if (opts.profile)
      for (const f of readdirSync(profileDir))
        say(`${path.join(profileDir, f)}\n${summariseProfile(path.join(profileDir, f))}`);
    const settings = await query<{ name: string; setting: string; unit: string | null }>(
      db.url,
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('shared_buffers', 'work_mem', 'max_connections', 'jit', 'synchronous_commit', 'max_parallel_workers_per_gather')`,
    );
    const [version] = await query<{ v: string }>(db.url, "SELECT current_setting('server_version') AS v");
    const report: BenchReport = {
      startedAt,
      finishedAt: new Date().toISOString(),
      size: opts.size,
      database: db.description,
      postgres: `PostgreSQL ${version.v.split(' ')[0]}`,
      postgresSettings: Object.fromEntries(
        settings.map((x) => [
          x.name,
          x.unit === '8kB' ? `${(Number(x.setting) * 8) / 1024} MB` : `${x.setting}${x.unit ?? ''}`,
        ]),
      ),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        memoryGb: Math.round(os.totalmem() / 1024 ** 3),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      settings: {
        durationSeconds: opts.durationSeconds,
        warmupSeconds: opts.warmupSeconds,
        connections: opts.connections,
        pool: config.DATABASE_POOL_SIZE,
      },
      startToReadyMs: Math.round(server.startToReadyMs),
      peakRssMb,
      rowCounts: {
        tenants: manifest.tenants.length,
        contacts: manifest.tenants.reduce((s, t) => s + t.contacts, 0),
        accounts: manifest.tenants.reduce((s, t) => s + t.accounts, 0),
        activities: manifest.tenants.reduce((s, t) => s + t.activities, 0),
      },
      ...(deepPage ? { deepPage } : {}),
      results,
    };
    // bench/RESULTS.md is the table of a complete run; a run of some scenarios writes its JSON only.
    const complete = SCENARIOS.every((x) => opts.scenarios.includes(x.name));
    const file = writeReport(BENCH_DIR, report, complete);
    say(`wrote ${path.relative(REPO_ROOT, file)}${complete ? ' and bench/RESULTS.md' : ''}`);
    if (bulk.length) {
      const bulkFile = file.replace(/\.json$/, '-bulk.json');
      writeFileSync(bulkFile, `${JSON.stringify({ size: opts.size, startedAt, bulk }, null, 2)}\n`);
      say(`wrote ${path.relative(REPO_ROOT, bulkFile)}`);
    }
  } finally {
    await db.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
