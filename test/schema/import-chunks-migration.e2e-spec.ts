import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { readMigrations } from '../../src/platform/database/migrator.js';
import { chunkLines } from '../../src/modules/integration/import-staging.js';

/**
 * migrations/0015_import_chunks.sql carries the staged lines of unfinished import jobs over from
 * import_rows (one row per line) to import_chunks (one row per 5,000 lines): a database at 0014 with
 * a running CSV job, a queued NDJSON job and a finished job, migrated to 0015, keeps exactly the
 * lines still to do, in a form the worker reads (chunkLines), and drops the rest.
 */
describe('migration 0015: staged lines become chunks', () => {
  const T = '00000000-0000-7000-8000-000000000001';
  const RUNNING = '00000000-0000-7000-8000-0000000000a1';
  const QUEUED = '00000000-0000-7000-8000-0000000000a2';
  const DONE = '00000000-0000-7000-8000-0000000000a3';
  let admin: pg.Client;
  let db: pg.Client;
  const name = `rapport_m_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: process.env.RAPPORT_TEST_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(process.env.RAPPORT_TEST_ADMIN_URL!);
    u.pathname = `/${name}`;
    db = new pg.Client({ connectionString: u.toString() });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('keeps the lines still to do of unfinished jobs, as the worker reads them', async () => {
    const migrations = await readMigrations();
    for (const m of migrations.filter((x) => x.id < '0015')) await db.query(m.sql);
    await db.query(`INSERT INTO tenants (id, name) VALUES ($1, 'T1')`, [T]);
    await db.query(
      `INSERT INTO import_jobs (tenant_id, id, object, mode, match, format, status, principal, next_line)
       VALUES ($1, $2, 'contacts', 'upsert', 'externalId', 'csv', 'running', '{}', 4),
              ($1, $3, 'contacts', 'upsert', 'externalId', 'ndjson', 'queued', '{}', 0),
              ($1, $4, 'contacts', 'upsert', 'externalId', 'csv', 'succeeded', '{}', 0)`,
      [T, RUNNING, QUEUED, DONE],
    );
    // The running job: lines 2..12000 staged, 2 and 3 already done (next_line 4), then a malformed line.
    await db.query(
      `INSERT INTO import_rows (tenant_id, job_id, line_no, raw, parse_error)
       SELECT $1, $2, g, json_build_array('e-' || g, 'Last "q"')::text, NULL FROM generate_series(2, 12000) g`,
      [T, RUNNING],
    );
    await db.query(
      `INSERT INTO import_rows VALUES ($1, $2, 12001, 'bad "line', 'malformed CSV: Quote Not Closed'),
         ($1, $3, 1, '{"externalId":"n-1"}', NULL), ($1, $3, 3, '{broken', 'the line is not valid UTF-8'),
         ($1, $4, 2, '["x"]', NULL)`,
      [T, RUNNING, QUEUED, DONE],
    );
    const m15 = migrations.find((x) => x.id.startsWith('0015'))!;
    await db.query('BEGIN');
    await db.query(m15.sql);
    await db.query('COMMIT');

    const chunks = (
      await db.query<{ job_id: string; first_line: number; last_line: number; lines: number; data: string }>(
        `SELECT job_id, first_line, last_line, lines, data FROM import_chunks ORDER BY job_id, first_line`,
      )
    ).rows;
    expect(chunks.map((c) => [c.job_id, c.first_line, c.last_line, c.lines])).toEqual([
      [RUNNING, 4, 5001, 4998],
      [RUNNING, 5002, 10001, 5000],
      [RUNNING, 10002, 12001, 2000],
      [QUEUED, 1, 3, 2],
    ]);
    const first = chunkLines(chunks[0].data);
    expect(first[0]).toEqual({ lineNo: 4, value: ['e-4', 'Last "q"'], parseError: null });
    const last = chunkLines(chunks[2].data);
    expect(last[last.length - 1]).toEqual({
      lineNo: 12001,
      value: 'bad "line',
      parseError: 'malformed CSV: Quote Not Closed',
    });
    expect(chunkLines(chunks[3].data)).toEqual([
      { lineNo: 1, value: '{"externalId":"n-1"}', parseError: null },
      { lineNo: 3, value: '{broken', parseError: 'the line is not valid UTF-8' },
    ]);
    const tables = (
      await db.query<{ relname: string; forced: boolean }>(
        `SELECT relname, relforcerowsecurity AS forced FROM pg_class
          WHERE relname IN ('import_rows', 'import_jobs', 'import_chunks') AND relkind = 'r' ORDER BY 1`,
      )
    ).rows;
    expect(tables).toEqual([
      { relname: 'import_chunks', forced: true },
      { relname: 'import_jobs', forced: true },
    ]);
  });
});
