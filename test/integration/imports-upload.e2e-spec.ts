import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { JobBody, postImport, waitForJob } from './helpers.js';

/**
 * Import uploads as multipart/form-data (a `file` part, an optional `options` part), and
 * Idempotency-Key on uploads: the key covers the options and the file's content (sha256).
 */
describe('import uploads: multipart and idempotency', () => {
  let t: TestApp;
  let admin: UserFixture;
  const auth = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const names = async (tenantId: string) =>
    (
      await superSql<{ external_id: string; last_name: string }>(
        t.databaseUrl,
        `SELECT external_id, last_name FROM contacts WHERE tenant_id = $1 ORDER BY external_id`,
        [tenantId],
      )
    ).map((r) => [r.external_id, r.last_name]);

  beforeAll(async () => {
    t = await createTestApp({
      JOBS_ENABLED: 'true',
      IMPORT_MAX_BYTES: '20000',
      IMPORT_CHUNK_ROWS: '3',
      IMPORT_SWEEP_SECONDS: '1',
    });
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  it('takes a multipart CSV file part with its options in an options part', async () => {
    const u = await newTenant(t);
    const res = await t.http
      .post('/v1/imports')
      .set(auth(u))
      .field(
        'options',
        JSON.stringify({
          object: 'contacts',
          mode: 'upsert',
          match: 'externalId',
          mapping: { Surname: 'lastName' },
        }),
      )
      .attach('file', Buffer.from('externalId,Surname\nmp-1,One\nmp-2,Two\n'), {
        filename: 'contacts.csv',
        contentType: 'text/csv',
      });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/v1/imports/${res.body.id as string}`);
    const job = await waitForJob(t, u, res.body.id as string);
    expect(job).toMatchObject({ status: 'succeeded', format: 'csv', counts: { created: 2, failed: 0 } });
    expect(await names(u.tenantId)).toEqual([
      ['mp-1', 'One'],
      ['mp-2', 'Two'],
    ]);
  });

  it('takes the options from the query and the format from the file name (NDJSON)', async () => {
    const u = await newTenant(t);
    const res = await t.http
      .post('/v1/imports')
      .query({ object: 'contacts', dryRun: 'false' })
      .set(auth(u))
      .attach('file', Buffer.from('{"externalId":"nd-1","lastName":"Nd"}\n'), {
        filename: 'contacts.ndjson',
        contentType: 'application/octet-stream',
      });
    expect(res.status).toBe(202);
    const job = await waitForJob(t, u, res.body.id as string);
    expect(job).toMatchObject({ format: 'ndjson', counts: { created: 1 } });
  });

  it('refuses a multipart upload without a file part (400), bad options (400) and a file over IMPORT_MAX_BYTES (413)', async () => {
    const noFile = await t.http
      .post('/v1/imports')
      .set(auth(admin))
      .field('options', JSON.stringify({ object: 'contacts' }));
    expect(noFile.status).toBe(400);
    expect(noFile.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'file', code: 'required' }],
    });
    const badOptions = await t.http
      .post('/v1/imports')
      .set(auth(admin))
      .field('options', '{"object":')
      .attach('file', Buffer.from('externalId,lastName\nx,X\n'), {
        filename: 'a.csv',
        contentType: 'text/csv',
      });
    expect(badOptions.status).toBe(400);
    expect(badOptions.body.errors[0].field).toBe('options');
    const noObject = await t.http
      .post('/v1/imports')
      .set(auth(admin))
      .attach('file', Buffer.from('externalId,lastName\nx,X\n'), {
        filename: 'a.csv',
        contentType: 'text/csv',
      });
    expect(noObject.status).toBe(400);
    expect(noObject.body.errors[0].field).toBe('object');
    const big = await t.http
      .post('/v1/imports')
      .set(auth(admin))
      .field('options', JSON.stringify({ object: 'contacts' }))
      .attach('file', Buffer.from(`externalId,lastName\n${'big,Row\n'.repeat(3000)}`), {
        filename: 'big.csv',
        contentType: 'text/csv',
      });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    const jobs = await superSql(t.databaseUrl, `SELECT 1 FROM import_jobs WHERE tenant_id = $1`, [
      admin.tenantId,
    ]);
    expect(jobs).toEqual([]);
  });

  it('multipart needs the same permissions (403), and a job is not visible to another tenant', async () => {
    const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
    const denied = await t.http
      .post('/v1/imports')
      .set(auth(reader))
      .field('options', JSON.stringify({ object: 'contacts' }))
      .attach('file', Buffer.from('externalId,lastName\nx,X\n'), {
        filename: 'a.csv',
        contentType: 'text/csv',
      });
    expect(denied.status).toBe(403);
    const u = await newTenant(t);
    const res = await t.http
      .post('/v1/imports')
      .set(auth(u))
      .field('options', JSON.stringify({ object: 'contacts' }))
      .attach('file', Buffer.from('externalId,lastName\niso,X\n'), {
        filename: 'a.csv',
        contentType: 'text/csv',
      });
    expect(res.status).toBe(202);
    await waitForJob(t, u, res.body.id as string);
    expect((await t.http.get(`/v1/imports/${res.body.id as string}`).set(auth(admin))).status).toBe(404);
  });

  it('Idempotency-Key covers the file content: same file replays, another file of the same size is a 422', async () => {
    const u = await newTenant(t);
    const file = 'externalId,lastName\nid-1,Aaaa\n';
    const same = 'externalId,lastName\nid-1,Bbbb\n';
    expect(same.length).toBe(file.length);
    const key = { 'idempotency-key': 'file-key-1' };
    const first = await postImport(t, u, { object: 'contacts' }, file, 'text/csv', key);
    expect(first.status).toBe(202);
    await waitForJob(t, u, first.body.id as string);
    const replay = await postImport(t, u, { object: 'contacts' }, file, 'text/csv', key);
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers.location).toBe(`/v1/imports/${first.body.id as string}`);
    expect((replay.body as JobBody).id).toBe(first.body.id);
    const other = await postImport(t, u, { object: 'contacts' }, same, 'text/csv', key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The same file and options sent as multipart is the same request: replayed.
    const multipart = await t.http
      .post('/v1/imports')
      .set({ ...auth(u), ...key })
      .field('options', JSON.stringify({ object: 'contacts' }))
      .attach('file', Buffer.from(file), { filename: 'again.csv', contentType: 'text/csv' });
    expect(multipart.status).toBe(202);
    expect(multipart.body.id).toBe(first.body.id);
    expect(multipart.headers['idempotent-replayed']).toBe('true');
    const otherOptions = await postImport(
      t,
      u,
      { object: 'contacts', mode: 'create' },
      file,
      'text/csv',
      key,
    );
    expect(otherOptions.status).toBe(422);
    const [{ n }] = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM import_jobs WHERE tenant_id = $1`,
      [u.tenantId],
    );
    expect(n).toBe(1);
    expect(await names(u.tenantId)).toEqual([['id-1', 'Aaaa']]);
  });
});
