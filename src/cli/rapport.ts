#!/usr/bin/env node
/**
 * `rapport`: bulk data for scripts (README "Bulk data (CLI)").
 *
 *   rapport import <file> --object contacts [--mode upsert] [--match externalId] [--map "CSV column=field"]…
 *                  [--ref accountId=externalId]… [--dry-run] [--errors errors.csv] [--idempotency-key K]
 *   rapport export --object contacts [--filter "…"] [--fields a,b] [--sort -createdAt] [--format csv] [-o out.csv]
 *
 * Talks to RAPPORT_URL (default http://localhost:3000) with the API key in RAPPORT_API_KEY. The
 * upload streams from disk; the job is polled with a progress bar (rows/s, ETA). Exit codes:
 * 0 done, 1 the job failed or some rows failed (or the server refused), 2 usage.
 */
import { SingleBar } from 'cli-progress';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { toolEnv } from '../platform/config/config.js';

const USAGE = `Usage:
  rapport import <file> --object <contacts|accounts|activities> [--mode create|update|upsert] [--match externalId|id|email|domain]
                 [--map "column=field"]... [--ref field=key]... [--format csv|ndjson] [--dry-run]
                 [--errors <errors.csv>] [--idempotency-key <key>] [--no-progress]
  rapport export --object <plural> [--filter <filter>] [--fields <a,b>] [--sort <sort>] [--format csv|ndjson] [-o <file>]

Environment: RAPPORT_URL (default http://localhost:3000), RAPPORT_API_KEY (an API key, rpk_…).
Exit codes: 0 done, 1 failed or some rows failed, 2 usage.`;

class UsageError extends Error {}

interface Job {
  id: string;
  status: string;
  counts: {
    received: number;
    processed: number;
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
  };
  progress: number;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  error: string | null;
}

const FINISHED = ['succeeded', 'partiallySucceeded', 'failed', 'cancelled'];
const env = toolEnv();

function headers(extra: Record<string, string> = {}): Record<string, string> {
  if (!env.RAPPORT_API_KEY)
    throw new UsageError('RAPPORT_API_KEY is not set (create an API key: POST /v1/api-keys).');
  return { authorization: `Bearer ${env.RAPPORT_API_KEY}`, ...extra };
}

function url(path: string, query: Record<string, string | undefined> = {}): string {
  const u = new URL(path, env.RAPPORT_URL);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

async function problem(res: Response): Promise<Error> {
  const text = await res.text();
  try {
    const p = JSON.parse(text) as { detail?: string; errors?: { field: string; message: string }[] };
    const fields = (p.errors ?? []).map((e) => `  ${e.field}: ${e.message}`).join('\n');
    return new Error(`${res.status}: ${p.detail ?? text}${fields ? `\n${fields}` : ''}`);
  } catch {
    return new Error(`${res.status}: ${text}`);
  }
}

function pairs(values: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.lastIndexOf('=');
    if (i <= 0) throw new UsageError(`${what} takes column=field pairs (got ${v})`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

async function importFile(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      object: { type: 'string' },
      mode: { type: 'string', default: 'upsert' },
      match: { type: 'string', default: 'externalId' },
      map: { type: 'string', multiple: true },
      ref: { type: 'string', multiple: true },
      format: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      errors: { type: 'string' },
      'idempotency-key': { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      'poll-ms': { type: 'string', default: '500' },
    },
  });
  const file = positionals[0];
  if (!file || !values.object) throw new UsageError('import needs a file and --object');
  const format = values.format ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : 'csv');
  if (format !== 'csv' && format !== 'ndjson') throw new UsageError('--format is csv or ndjson');
  const info = await stat(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  const mapping = pairs(values.map, '--map');
  const references = Object.fromEntries(
    Object.entries(pairs(values.ref, '--ref')).map(([f, by]) => [f, { by }]),
  );
  // Re-running the same command on the same unchanged file is the same request: the server
  // answers with the first job rather than starting a second one.
  const key =
    values['idempotency-key'] ??
    createHash('sha256')
      .update(`${file}\n${info.size}\n${info.mtimeMs}\n${argv.join('\u0000')}`)
      .digest('hex')
      .slice(0, 40);
  const res = await fetch(
    url('/v1/imports', {
      object: values.object,
      mode: values.mode,
      match: values.match,
      format,
      dryRun: values['dry-run'] ? 'true' : undefined,
      mapping: Object.keys(mapping).length ? JSON.stringify(mapping) : undefined,
      references: Object.keys(references).length ? JSON.stringify(references) : undefined,
    }),
    {
      method: 'POST',
      headers: headers({
        'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson',
        'content-length': String(info.size),
        'idempotency-key': key,
      }),
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit,
  );
  if (res.status !== 202) throw await problem(res);
  let job = (await res.json()) as Job;
  process.stderr.write(
    `import ${job.id}: ${job.counts.received} rows received${values['dry-run'] ? ' (dry run)' : ''}\n`,
  );
  const bar =
    values['no-progress'] || !process.stderr.isTTY
      ? undefined
      : new SingleBar({
          format: ' {bar} {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_s}s',
          hideCursor: true,
        });
  bar?.start(job.counts.received, 0, { rate: 0, eta_s: '?' });
  const poll = Number(values['poll-ms']);
  while (!FINISHED.includes(job.status)) {
    await new Promise((r) => setTimeout(r, poll));
    const r = await fetch(url(`/v1/imports/${job.id}`), { headers: headers() });
    if (!r.ok) throw await problem(r);
    job = (await r.json()) as Job;
    bar?.update(job.counts.processed, { rate: job.rowsPerSecond ?? 0, eta_s: job.etaSeconds ?? '?' });
  }
  bar?.stop();
  const c = job.counts;
  process.stdout.write(
    `${job.status}: ${c.processed}/${c.received} rows — created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, failed ${c.failed}` +
      `${job.rowsPerSecond ? ` (${job.rowsPerSecond} rows/s)` : ''}${job.error ? `\n${job.error}` : ''}\n`,
  );
  if (c.failed > 0) {
    const target = values.errors ?? `${file}.errors.csv`;
    const r = await fetch(url(`/v1/imports/${job.id}/errors`, { format: 'csv' }), { headers: headers() });
    if (!r.ok || !r.body) throw await problem(r);
    await pipeline(Readable.fromWeb(r.body as never), createWriteStream(target));
    process.stdout.write(`errors written to ${target}\n`);
  }
  return job.status === 'succeeded' ? 0 : 1;
}

async function exportData(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      object: { type: 'string' },
      filter: { type: 'string' },
      fields: { type: 'string' },
      sort: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      output: { type: 'string', short: 'o' },
    },
  });
  if (!values.object) throw new UsageError('export needs --object');
  const res = await fetch(url('/v1/exports'), {
    method: 'POST',
    headers: headers({ 'content-type': 'application/json' }),
    body: JSON.stringify({
      object: values.object,
      filter: values.filter,
      fields: values.fields,
      sort: values.sort,
      format: values.format,
    }),
  });
  if (res.status !== 202) throw await problem(res);
  const job = (await res.json()) as { id: string; downloadUrl: string };
  const file = await fetch(url(job.downloadUrl), { headers: headers() });
  if (!file.ok || !file.body) throw await problem(file);
  const out = values.output ? createWriteStream(values.output) : process.stdout;
  let rows = -1;
  const counted = Readable.fromWeb(file.body as never);
  counted.on('data', (chunk: Buffer) => {
    for (const b of chunk) if (b === 10) rows++;
  });
  await pipeline(counted, out);
  if (values.output) {
    if (values.format === 'ndjson') rows++;
    process.stderr.write(`exported ${Math.max(rows, 0)} rows to ${values.output}\n`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'import') return await importFile(rest);
    if (command === 'export') return await exportData(rest);
    if (command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(command ? `unknown command ${command}` : 'no command');
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`rapport: ${(e as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`rapport: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
