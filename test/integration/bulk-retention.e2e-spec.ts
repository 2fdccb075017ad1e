import { BulkRetentionService } from '../../src/modules/integration/bulk-retention.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { runImport } from './helpers.js';

/**
 * Retention of bulk jobs: finished import jobs (with their row errors, which hold raw rows) and
 * export jobs older than BULK_JOB_RETENTION_DAYS are deleted, every tenant's, by the daily job;
 * newer ones and unfinished imports stay.
 */
describe('bulk job retention', () => {
  let t: TestApp;
  let a: UserFixture;
  let b: UserFixture;
  const auth = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const DAY = 86_400_000;

  beforeAll(async () => {
    t = await createTestApp({
      JOBS_ENABLED: 'true',
      BULK_JOB_RETENTION_DAYS: '30',
      IMPORT_SWEEP_SECONDS: '1',
    });
    a = await newTenant(t);
    b = await newTenant(t);
  });
  afterAll(() => t.close());

  /** An import that finishes with one row error, and an export, backdated by `days`. */
  async function jobs(u: UserFixture, days: number) {
    const imported = await runImport(t, u, { object: 'contacts' }, 'externalId,lastName\nr-1,Kept\nr-2,\n');
    expect(imported.counts.failed).toBe(1);
    const exported = await t.http
      .post('/v1/exports')
      .set(auth(u))
      .send({ object: 'contacts', format: 'csv' });
    expect(exported.status).toBe(202);
    await superSql(
      t.databaseUrl,
      `UPDATE import_jobs SET created_at = created_at - make_interval(days => $2), finished_at = finished_at - make_interval(days => $2) WHERE id = $1`,
      [imported.id, days],
    );
    await superSql(
      t.databaseUrl,
      `UPDATE export_jobs SET created_at = created_at - make_interval(days => $2) WHERE id = $1`,
      [exported.body.id, days],
    );
    return { importId: imported.id, exportId: exported.body.id as string };
  }

  const exists = async (table: 'import_jobs' | 'export_jobs' | 'import_errors', column: string, id: string) =>
    (
      await superSql<{ n: number }>(
        t.databaseUrl,
        `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`,
        [id],
      )
    )[0].n;

  it('deletes what is past retention in every tenant, and keeps the rest', async () => {
    const oldA = await jobs(a, 31);
    const newA = await jobs(a, 29);
    const oldB = await jobs(b, 45);
    expect(await exists('import_errors', 'job_id', oldA.importId)).toBe(1);
    const run = await t.app.get(BulkRetentionService).runOnce();
    expect(run.imports).toBeGreaterThanOrEqual(2);
    expect(run.exports).toBeGreaterThanOrEqual(2);
    for (const old of [oldA, oldB]) {
      expect(await exists('import_jobs', 'id', old.importId)).toBe(0);
      expect(await exists('import_errors', 'job_id', old.importId)).toBe(0);
      expect(await exists('export_jobs', 'id', old.exportId)).toBe(0);
    }
    expect(await exists('import_jobs', 'id', newA.importId)).toBe(1);
    expect(await exists('import_errors', 'job_id', newA.importId)).toBe(1);
    expect(await exists('export_jobs', 'id', newA.exportId)).toBe(1);
    // The owners no longer see the purged jobs; the kept one still answers.
    expect((await t.http.get(`/v1/imports/${oldA.importId}`).set(auth(a))).status).toBe(404);
    expect((await t.http.get(`/v1/imports/${newA.importId}`).set(auth(a))).status).toBe(200);
    // The records the purged import wrote are not touched.
    const kept = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND external_id = 'r-1'`,
      [b.tenantId],
    );
    expect(kept[0].n).toBe(1);
  });

  it('never deletes an unfinished import, however old', async () => {
    const u = await newTenant(t);
    // A job made to look as if it were still being worked (status running, not finished).
    const job = await runImport(t, u, { object: 'contacts' }, 'externalId,lastName\nq-1,Running\n');
    await superSql(
      t.databaseUrl,
      `UPDATE import_jobs SET status = 'running', finished_at = NULL, created_at = now() - interval '400 days' WHERE id = $1`,
      [job.id],
    );
    await t.app.get(BulkRetentionService).runOnce(new Date(Date.now() + 400 * DAY));
    expect(await exists('import_jobs', 'id', job.id)).toBe(1);
  });
});
