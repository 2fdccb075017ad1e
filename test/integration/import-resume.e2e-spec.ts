import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createTestDatabase } from '../harness/database.js';
import { superSql } from '../harness/sql.js';
import { buildPrivate, removeBuild } from './build.js';

const ROWS = 200_000;
const ADMIN_EMAIL = 'resume@rapport.test';
const ADMIN_PASSWORD = 'resume-test-password';

interface Job {
  id: string;
  status: string;
  progress: number;
  counts: {
    received: number;
    processed: number;
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * DESIGN §9 for real: the built server is started as a process, sent a 200,000-row import, killed
 * with SIGKILL while the job is between 10% and 80%, and started again. The job resumes from its
 * last checkpoint: every row is created or failed exactly once, no external id twice, and one
 * audit event per created record.
 */
describe('import resume after kill -9', () => {
  let db: { url: string; drop(): Promise<void> };
  let dist: string;
  let port: number;
  let server: ChildProcess | undefined;
  const base = () => `http://127.0.0.1:${port}`;

  const start = async () => {
    const child = spawn(process.execPath, [`${dist}/main.js`], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RAPPORT_ADMIN_EMAIL: ADMIN_EMAIL,
        RAPPORT_ADMIN_PASSWORD: ADMIN_PASSWORD,
        JOBS_ENABLED: 'true',
        IMPORT_CHUNK_ROWS: '5000',
        IMPORT_SWEEP_SECONDS: '1',
        JWT_ISSUER: 'http://localhost:3000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    server = child;
    const until = Date.now() + 30000;
    for (;;) {
      const ready = await fetch(`${base()}/health/ready`).catch(() => undefined);
      if (ready?.status === 200) return;
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      if (Date.now() > until) throw new Error('server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const kill9 = async () => {
    const child = server!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    server = undefined;
  };

  beforeAll(async () => {
    [db, dist, port] = await Promise.all([createTestDatabase(), buildPrivate('resume'), freePort()]);
  }, 60000);
  afterAll(async () => {
    if (server) await kill9();
    await db.drop();
    removeBuild(dist);
  });

  it('resumes from its checkpoint: created + failed = rows, no duplicates, one audit event per record', async () => {
    await start();
    const tokenRes = await fetch(`${base()}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    expect(tokenRes.status).toBe(200);
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };

    // Every 1000th row has no lastName: a row error, so failed > 0 too.
    const lines = ['externalId,firstName,lastName,email,lifecycleStage'];
    for (let i = 0; i < ROWS; i++)
      lines.push(
        `r-${i},First${i},${i % 1000 === 999 ? '' : `Last${i}`},p${i}@x.test,${i % 2 ? 'lead' : 'customer'}`,
      );
    const post = await fetch(`${base()}/v1/imports?object=contacts&mode=upsert&match=externalId`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: `${lines.join('\n')}\n`,
    });
    expect(post.status).toBe(202);
    const { id } = (await post.json()) as Job;
    const poll = async () => {
      const res = await fetch(`${base()}/v1/imports/${id}`, { headers: auth });
      return (await res.json()) as Job;
    };

    let seen: Job;
    for (;;) {
      seen = await poll();
      if (seen.progress >= 10) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen.progress).toBeLessThanOrEqual(80);
    await kill9();

    const [atKill] = await superSql<{ processed: number; status: string }>(
      db.url,
      `SELECT processed, status FROM import_jobs WHERE id = $1`,
      [id],
    );
    expect(atKill.status).toBe('running');
    expect(atKill.processed).toBeLessThan(ROWS);

    await start();
    let job: Job;
    const until = Date.now() + 150000;
    for (;;) {
      job = await poll();
      if (['succeeded', 'partiallySucceeded', 'failed', 'cancelled'].includes(job.status)) break;
      if (Date.now() > until) throw new Error(`did not finish: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.status).toBe('partiallySucceeded');
    expect(job.counts).toEqual({
      received: ROWS,
      processed: ROWS,
      created: ROWS - ROWS / 1000,
      updated: 0,
      unchanged: 0,
      failed: ROWS / 1000,
    });
    const [tenant] = await superSql<{ tenant_id: string }>(
      db.url,
      `SELECT tenant_id FROM import_jobs WHERE id = $1`,
      [id],
    );
    const [counts] = await superSql<{
      records: number;
      distinct_ids: number;
      audited: number;
      errors: number;
      staged: number;
    }>(
      db.url,
      `SELECT (SELECT count(*)::int FROM contacts WHERE tenant_id = $1) AS records,
              (SELECT count(DISTINCT external_id)::int FROM contacts WHERE tenant_id = $1) AS distinct_ids,
              (SELECT count(*)::int FROM audit_events WHERE tenant_id = $1 AND channel = 'bulk' AND action = 'create') AS audited,
              (SELECT count(*)::int FROM import_errors WHERE job_id = $2) AS errors,
              (SELECT count(*)::int FROM import_chunks WHERE job_id = $2) AS staged`,
      [tenant.tenant_id, id],
    );
    expect(counts).toEqual({
      records: job.counts.created,
      distinct_ids: job.counts.created,
      audited: job.counts.created,
      errors: job.counts.failed,
      staged: 0,
    });
    expect(job.counts.created + job.counts.failed).toBe(ROWS);
  }, 240000);
});
