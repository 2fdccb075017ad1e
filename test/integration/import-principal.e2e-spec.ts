import { ImportRunner } from '../../src/modules/integration/import-runner.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';

/**
 * A queued import runs as whoever uploaded it, re-checked when it runs: a user deactivated, or an
 * API key revoked, since the upload makes the job fail and writes nothing.
 */
describe('imports: the importing principal is re-checked when the job runs', () => {
  let t: TestApp;
  let admin: UserFixture;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  const upload = (authorization: string, lastName: string) =>
    t.http
      .post('/v1/imports')
      .query({ object: 'contacts', mode: 'create' })
      .set({ authorization, 'content-type': 'text/csv' })
      .send(Buffer.from(`lastName\n${lastName}\n`, 'utf8'));

  const runAndRead = async (jobId: string) => {
    await t.app.get(ImportRunner).run(admin.tenantId, jobId);
    const job = await t.http.get(`/v1/imports/${jobId}`).set({ authorization: `Bearer ${admin.token}` });
    expect(job.status).toBe(200);
    return job.body as { status: string; error: string | null; counts: { created: number } };
  };

  const contactsNamed = async (lastName: string) =>
    (
      await superSql<{ n: number }>(
        t.databaseUrl,
        'SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND last_name = $2',
        [admin.tenantId, lastName],
      )
    )[0].n;

  it('an API key revoked after the upload: the job fails, nothing is written', async () => {
    const key = await t.http
      .post('/v1/api-keys')
      .set({ authorization: `Bearer ${admin.token}` })
      .send({ name: 'loader', scopes: ['contacts:read', 'contacts:create'] });
    expect(key.status).toBe(201);
    const res = await upload(`Bearer ${key.body.key as string}`, 'ViaRevokedKey');
    expect(res.status).toBe(202);
    const revoked = await t.http
      .post(`/v1/api-keys/${key.body.id as string}/revoke`)
      .set({ authorization: `Bearer ${admin.token}` });
    expect(revoked.status).toBeLessThan(300);

    const job = await runAndRead(res.body.id as string);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/API key .* revoked or has expired/);
    expect(job.counts.created).toBe(0);
    expect(await contactsNamed('ViaRevokedKey')).toBe(0);
  });

  it('a user deactivated after the upload: the job fails, nothing is written', async () => {
    const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    const res = await upload(`Bearer ${rep.token}`, 'ViaDeactivatedUser');
    expect(res.status).toBe(202);
    const off = await t.http
      .post(`/v1/users/${rep.userId}/deactivate`)
      .set({ authorization: `Bearer ${admin.token}` });
    expect(off.status).toBeLessThan(300);

    const job = await runAndRead(res.body.id as string);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/no longer active/);
    expect(await contactsNamed('ViaDeactivatedUser')).toBe(0);
  });

  it('a live key: the same upload succeeds', async () => {
    const key = await t.http
      .post('/v1/api-keys')
      .set({ authorization: `Bearer ${admin.token}` })
      .send({ name: 'loader 2', scopes: ['contacts:read', 'contacts:create'] });
    const res = await upload(`Bearer ${key.body.key as string}`, 'ViaLiveKey');
    expect(res.status).toBe(202);
    const job = await runAndRead(res.body.id as string);
    expect(job).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    expect(await contactsNamed('ViaLiveKey')).toBe(1);
  });
});
