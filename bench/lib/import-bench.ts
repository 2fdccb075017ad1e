/**
 * Bulk scenarios (issue 6), run by bench/run.ts like the others (`--scenario import-contacts`):
 *
 * - import-contacts: a deterministic 12-column contacts CSV (tiny 10k, small 100k, full 1M rows)
 *   upserted on externalId through `POST /v1/imports` as the bench user (audit on, as always),
 *   timed from the first byte sent to the job's `succeeded` (end to end: upload, staging, chunks),
 *   with the server's peak RSS; then the raw limit in the same run: a plain `COPY` of the same
 *   file into a table with the contacts table's columns, indexes and generated search column.
 *   Reported: rows/s, % of raw COPY, and the multiple over 1.7k rows/s (Salesforce Bulk API 2.0's
 *   published 150M records per 24 h). Before they are removed, the imported rows are exported
 *   again (an export-contacts result filtered on their external ids: 1M contacts at full size).
 * - export-contacts: `POST /v1/exports` + the streamed CSV download of every contact the bench user
 *   may see: rows/s and peak RSS.
 */
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BenchManifest, BenchSize } from './manifest.js';
import { ProcessSampler, round } from './server.js';

export const BULK_SCENARIOS = ['import-contacts', 'export-contacts'] as const;
export type BulkScenario = (typeof BULK_SCENARIOS)[number];
export const isBulkScenario = (name: string): name is BulkScenario =>
  (BULK_SCENARIOS as readonly string[]).includes(name);

/** Salesforce Bulk API 2.0: 150,000,000 records per 24 hours. */
export const SALESFORCE_ROWS_PER_SECOND = 150_000_000 / 86_400;

const IMPORT_ROWS: Record<BenchSize, number> = { tiny: 10_000, small: 100_000, full: 1_000_000 };
const PREFIX = 'bench-import-';
const STAGES = ['subscriber', 'lead', 'marketingQualified', 'salesQualified', 'opportunity', 'customer'];
const CITIES = ['Berlin', 'Paris', 'Lisbon', 'Oslo', 'Madrid', 'Vienna', 'Dublin', 'Prague'];
const HEADER = [
  'externalId',
  'firstName',
  'lastName',
  'email',
  'title',
  'accountId',
  'lifecycleStage',
  'leadSource',
  'doNotContact',
  'tags',
  'address',
  'notes',
];
/** The same columns in the raw table (notes: a column the import ignores, kept by the raw side). */
const RAW_COLUMNS = [
  'external_id',
  'first_name',
  'last_name',
  'email',
  'title',
  'account_id',
  'lifecycle_stage',
  'lead_source',
  'do_not_contact',
  'tags',
  'address',
  'notes',
];

export interface BulkResult {
  scenario: BulkScenario;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  cpuPercent: number;
  status?: string;
  counts?: Record<string, number>;
  raw?: { rows: number; seconds: number; rowsPerSecond: number; method: string };
  ratioPercent?: number;
  overSalesforce?: number;
  /** an export's filter (export-contacts after import-contacts: the rows just imported) */
  filter?: string;
}

export interface BulkContext {
  baseUrl: string;
  pid: number;
  dbUrl: string;
  token: string;
  manifest: BenchManifest;
  size: BenchSize;
  raw: boolean;
  /** rows of the import file instead of the size's default (IMPORT_ROWS) */
  importRows?: number;
  say: (m: string) => void;
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

/** A small deterministic PRNG (mulberry32): the same file every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the CSV (streamed, never whole in memory); values are valid for both the API and COPY. */
export async function writeContactsCsv(
  file: string,
  rows: number,
  accountIds: readonly string[],
): Promise<void> {
  const rnd = prng(20261124);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  async function* lines(): AsyncGenerator<string> {
    yield `${HEADER.join(',')}\n`;
    let batch = '';
    for (let i = 0; i < rows; i++) {
      const city = pick(CITIES);
      const account = accountIds.length && rnd() < 0.8 ? pick(accountIds) : '';
      batch +=
        `${PREFIX}${i},First${i},Last${(i * 7919) % 100_000},person${i}@import.example.com,${pick(['CEO', 'CTO', 'Buyer', 'Engineer', ''])},` +
        `${account},${pick(STAGES)},${pick(['web', 'event', 'referral', 'partner'])},${rnd() < 0.05 ? 'true' : 'false'},` +
        `"{import,${pick(['a', 'b', 'c'])}}","{""city"":""${city}"",""country"":""EU""}",row ${i}\n`;
      if (i % 1000 === 999) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
  await pipeline(Readable.from(lines()), createWriteStream(file));
}

async function removeImported(url: string, tenantId: string): Promise<void> {
  await query(
    url,
    `SET session_replication_role = replica;
     DELETE FROM contacts WHERE tenant_id = '${tenantId}' AND external_id LIKE '${PREFIX}%'`,
  );
  await query(url, 'VACUUM (ANALYZE) contacts');
}

interface Job {
  id: string;
  status: string;
  counts: Record<string, number>;
  error: string | null;
}

export async function runImportBench(c: BulkContext): Promise<BulkResult[]> {
  const rows = c.importRows ?? IMPORT_ROWS[c.size];
  const m = c.manifest;
  // References the bench user may see: accounts they own (record-level security applies).
  const accounts = (
    await query<{ id: string }>(
      c.dbUrl,
      'SELECT id FROM accounts WHERE tenant_id = $1 AND owner_id = $2 AND deleted_at IS NULL ORDER BY id LIMIT 500',
      [m.tenantId, m.user.userId],
    )
  ).map((r) => r.id);
  const file = path.join(tmpdir(), `rapport-bench-import-${c.size}.csv`);
  c.say(`import-contacts: writing ${rows} rows to ${file}`);
  await writeContactsCsv(file, rows, accounts);
  const bytes = statSync(file).size;
  await removeImported(c.dbUrl, m.tenantId);
  const auth = { authorization: `Bearer ${c.token}` };
  const sampler = new ProcessSampler(c.pid);
  sampler.start();
  const importStarted = (await query<{ t: string }>(c.dbUrl, `SELECT to_json(now())#>>'{}' AS t`))[0].t;
  const started = performance.now();
  const res = await fetch(
    `${c.baseUrl}/v1/imports?object=contacts&mode=upsert&match=externalId&mapping=${encodeURIComponent(JSON.stringify({ notes: '' }))}`,
    {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv', 'content-length': String(bytes) },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit,
  );
  if (res.status !== 202) throw new Error(`import: ${res.status} ${await res.text()}`);
  let job = (await res.json()) as Job;
  const uploadedSeconds = (performance.now() - started) / 1000;
  while (!['succeeded', 'partiallySucceeded', 'failed', 'cancelled'].includes(job.status)) {
    await new Promise((r) => setTimeout(r, 250));
    const r = await fetch(`${c.baseUrl}/v1/imports/${job.id}`, { headers: auth });
    job = (await r.json()) as Job;
  }
  const seconds = (performance.now() - started) / 1000;
  const usage = sampler.stop();
  c.say(
    `import-contacts: upload+staging ${round(uploadedSeconds, 1)} s, total ${round(seconds, 1)} s, ${job.status}`,
  );
  const result: BulkResult = {
    scenario: 'import-contacts',
    rows,
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMb: usage.peakRssMb,
    cpuPercent: usage.cpuPercent,
    status: job.status,
    counts: job.counts,
    overSalesforce: round(rows / seconds / SALESFORCE_ROWS_PER_SECOND, 1),
  };
  // The rows just imported, exported again (the bench user owns them): an export of exactly as
  // many contacts as the import wrote (1,000,000 at full size). Selected by creation time, not by
  // `externalId startswith`: that is case-insensitive (ILIKE), which no index serves, and the
  // generic plan of its keyset pages scans the tenant's whole external-id index for every page.
  const exported = await runExportBench(c, `createdAt ge '${importStarted}'`);
  if (c.raw) {
    const raw = await rawCopy(c.dbUrl, m.tenantId, file, rows);
    result.raw = raw;
    result.ratioPercent = round((100 * result.rowsPerSecond) / raw.rowsPerSecond, 1);
  }
  await removeImported(c.dbUrl, m.tenantId);
  rmSync(file, { force: true });
  return [result, exported];
}

/** Plain COPY of the same file into a copy of the contacts table (same columns, indexes, generated column). */
async function rawCopy(
  url: string,
  tenantId: string,
  file: string,
  rows: number,
): Promise<NonNullable<BulkResult['raw']>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE SCHEMA IF NOT EXISTS bench');
    await client.query('DROP TABLE IF EXISTS bench.raw_import');
    await client.query('CREATE TABLE bench.raw_import (LIKE public.contacts INCLUDING ALL)');
    await client.query(
      `ALTER TABLE bench.raw_import ALTER COLUMN id SET DEFAULT gen_random_uuid(),
         ALTER COLUMN tenant_id SET DEFAULT '${tenantId}', ADD COLUMN notes text`,
    );
    const started = performance.now();
    await pipeline(
      createReadStream(file),
      client.query(
        copyFrom(`COPY bench.raw_import (${RAW_COLUMNS.join(', ')}) FROM STDIN (FORMAT csv, HEADER true)`),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await client.query('DROP TABLE bench.raw_import');
    return {
      rows,
      seconds: round(seconds, 2),
      rowsPerSecond: Math.round(rows / seconds),
      method: 'COPY (pg-copy-streams)',
    };
  } finally {
    await client.end();
  }
}

export async function runExportBench(c: BulkContext, filter?: string): Promise<BulkResult> {
  // The bench user (a sales rep) holds no data:export: its role gets it for this scenario only,
  // so that the export runs under the rep's record- and field-level security like every scenario.
  const m = c.manifest;
  const granted = await query<{ id: string }>(
    c.dbUrl,
    `UPDATE roles SET permissions = array_append(permissions, 'data:export')
      WHERE tenant_id = $1 AND id = (SELECT role_id FROM users WHERE tenant_id = $1 AND id = $2)
        AND NOT 'data:export' = ANY(permissions) RETURNING id`,
    [m.tenantId, m.user.userId],
  );
  try {
    // The server caches a principal's permissions for 5 s.
    if (granted.length) await new Promise((r) => setTimeout(r, 5500));
    return await exportOnce(c, filter);
  } finally {
    if (granted.length)
      await query(
        c.dbUrl,
        `UPDATE roles SET permissions = array_remove(permissions, 'data:export') WHERE tenant_id = $1 AND id = $2`,
        [m.tenantId, granted[0].id],
      );
  }
}

async function exportOnce(c: BulkContext, filter?: string): Promise<BulkResult> {
  const auth = { authorization: `Bearer ${c.token}` };
  const sampler = new ProcessSampler(c.pid);
  sampler.start();
  const started = performance.now();
  const res = await fetch(`${c.baseUrl}/v1/exports`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ object: 'contacts', format: 'csv', ...(filter ? { filter } : {}) }),
  });
  if (res.status !== 202) throw new Error(`export: ${res.status} ${await res.text()}`);
  const job = (await res.json()) as { downloadUrl: string };
  const file = await fetch(`${c.baseUrl}${job.downloadUrl}`, { headers: auth });
  if (!file.ok || !file.body) throw new Error(`download: ${file.status}`);
  let newlines = 0;
  for await (const chunk of Readable.fromWeb(file.body as never) as AsyncIterable<Buffer>)
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) newlines++;
  const seconds = (performance.now() - started) / 1000;
  const usage = sampler.stop();
  const rows = Math.max(newlines - 1, 0);
  return {
    scenario: 'export-contacts',
    rows,
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMb: usage.peakRssMb,
    cpuPercent: usage.cpuPercent,
    ...(filter ? { filter } : {}),
  };
}

export async function runBulkScenario(name: BulkScenario, c: BulkContext): Promise<BulkResult[]> {
  return name === 'import-contacts' ? runImportBench(c) : [await runExportBench(c)];
}

export function describeBulk(r: BulkResult): string {
  const raw = r.raw ? `  raw COPY ${r.raw.rowsPerSecond} rows/s (${r.ratioPercent}%)` : '';
  const sf = r.overSalesforce ? `  ${r.overSalesforce}× Salesforce Bulk API 2.0` : '';
  return `${r.scenario.padEnd(18)}${r.filter ? ` (${r.filter})` : ''} ${r.rows} rows in ${r.seconds} s: ${r.rowsPerSecond} rows/s${raw}${sf}  rss ${r.peakRssMb} MB  cpu ${r.cpuPercent}%${r.status ? `  ${r.status} ${JSON.stringify(r.counts)}` : ''}`;
}
