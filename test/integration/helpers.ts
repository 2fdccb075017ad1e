import type { Response } from 'superagent';
import { TestApp } from '../harness/app.js';
import { UserFixture } from '../harness/factories.js';

export interface JobBody {
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
  error: string | null;
  [k: string]: unknown;
}

const FINISHED = ['succeeded', 'partiallySucceeded', 'failed', 'cancelled'];

/** POST /v1/imports with the file as the streamed body. */
export function postImport(
  t: TestApp,
  u: UserFixture,
  query: Record<string, string>,
  data: string | Buffer,
  type = 'text/csv',
  headers: Record<string, string> = {},
) {
  return t.http
    .post('/v1/imports')
    .query(query)
    .set({ authorization: `Bearer ${u.token}`, 'content-type': type, ...headers })
    .send(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
}

/** Polls the job until it finishes (the worker runs in the app under test). */
export async function waitForJob(
  t: TestApp,
  u: UserFixture,
  id: string,
  timeoutMs = 30000,
): Promise<JobBody> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http.get(`/v1/imports/${id}`).set({ authorization: `Bearer ${u.token}` });
    if (res.status !== 200) throw new Error(`GET import ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    const job = res.body as JobBody;
    if (FINISHED.includes(job.status)) return job;
    if (Date.now() > until) throw new Error(`import ${id} did not finish: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Imports and waits: the finished job. */
export async function runImport(
  t: TestApp,
  u: UserFixture,
  query: Record<string, string>,
  data: string | Buffer,
  type = 'text/csv',
): Promise<JobBody> {
  const res = await postImport(t, u, query, data, type);
  if (res.status !== 202) throw new Error(`POST import: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForJob(t, u, (res.body as JobBody).id);
}

/** A supertest parser that keeps a streamed body (CSV, NDJSON) as one string. */
export function asText(r: Response, cb: (err: Error | null, body: unknown) => void): void {
  let s = '';
  r.setEncoding('utf8');
  r.on('data', (c: string) => (s += c));
  r.on('end', () => cb(null, s));
}

/** GET an export's download, its body as text. */
export function downloadExport(t: TestApp, u: UserFixture, id: string) {
  return t.http
    .get(`/v1/exports/${id}/download`)
    .set({ authorization: `Bearer ${u.token}` })
    .buffer(true)
    .parse(asText);
}

/** The job's errors as parsed NDJSON. */
export async function errorsOf(t: TestApp, u: UserFixture, id: string) {
  const res = await t.http
    .get(`/v1/imports/${id}/errors`)
    .query({ format: 'ndjson' })
    .set({ authorization: `Bearer ${u.token}` })
    .buffer(true)
    .parse(asText);
  if (res.status !== 200) throw new Error(`errors: ${res.status}`);
  return (res.body as string)
    .split('\n')
    .filter((l) => l.length > 0)
    .map(
      (l) =>
        JSON.parse(l) as {
          line: number;
          field: string | null;
          code: string;
          message: string;
          raw: string | null;
        },
    );
}
