import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { downloadExport, errorsOf, runImport } from './helpers.js';

/**
 * Record-level security in bulk loads: an import may not write a record the importer can see
 * but not change (shared read-only), nor match one it cannot see; an export holds only the
 * records the exporter may see. Org-wide default `private` for contacts and leads.
 */
describe('record-level security of imports and exports', () => {
  let t: TestApp;
  let admin: UserFixture;
  let repA: UserFixture;
  let repB: UserFixture;
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const create = async (u: UserFixture, plural: string, body: object): Promise<string> => {
    const res = await t.http.post(`/v1/${plural}`).set(as(u)).send(body);
    if (res.status !== 201) throw new Error(`create ${plural}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const shareRead = async (plural: string, id: string, u: UserFixture) => {
    const res = await t.http
      .post(`/v1/${plural}/${id}/shares`)
      .set(as(admin))
      .send({ granteeType: 'user', granteeId: u.userId, access: 'read' });
    expect([200, 201]).toContain(res.status);
  };

  beforeAll(async () => {
    t = await createTestApp({ JOBS_ENABLED: 'true', IMPORT_CHUNK_ROWS: '10', IMPORT_SWEEP_SECONDS: '1' });
    admin = await newTenant(t);
    repA = await newUser(t, admin.tenantId, { role: 'salesRep' });
    repB = await newUser(t, admin.tenantId, { role: 'salesRep' });
    for (const plural of ['contacts', 'leads']) {
      const res = await t.http
        .put(`/v1/sharing-settings/${plural}`)
        .set(as(admin))
        .send({ defaultAccess: 'private' });
      expect(res.status).toBe(200);
    }
    const shared = await create(repB, 'contacts', { lastName: 'Shared', externalId: 'sh-1' });
    await create(repB, 'contacts', { lastName: 'Hidden', externalId: 'hid-1' });
    await shareRead('contacts', shared, repA);
    const lead = await create(repB, 'leads', { lastName: 'SharedLead', externalId: 'lsh-1' });
    await create(repB, 'leads', { lastName: 'HiddenLead', externalId: 'lhid-1' });
    await shareRead('leads', lead, repA);
  });
  afterAll(() => t.close());

  it('an upsert over a record shared read-only fails that row as forbidden (contacts, set-based)', async () => {
    const job = await runImport(
      t,
      repA,
      { object: 'contacts', mode: 'upsert' },
      'externalId,lastName\nsh-1,Overwritten\nhid-1,Overwritten\nmine-1,Mine\n',
    );
    expect(job).toMatchObject({
      status: 'partiallySucceeded',
      counts: { created: 1, updated: 0, failed: 2 },
    });
    expect((await errorsOf(t, repA, job.id)).map((e) => [e.line, e.field, e.code])).toEqual([
      [2, 'externalId', 'forbidden'],
      // invisible: not matched, and its external id is taken
      [3, 'externalId', 'conflict'],
    ]);
    const rows = await superSql<{ external_id: string; last_name: string; version: number }>(
      t.databaseUrl,
      `SELECT external_id, last_name, version FROM contacts WHERE tenant_id = $1 ORDER BY external_id`,
      [admin.tenantId],
    );
    expect(rows.map((r) => [r.external_id, r.last_name, r.version])).toEqual([
      ['hid-1', 'Hidden', 1],
      ['mine-1', 'Mine', 1],
      ['sh-1', 'Shared', 1],
    ]);
  });

  it('the same holds for leads imported row by row through their service', async () => {
    const job = await runImport(
      t,
      repA,
      { object: 'leads', mode: 'upsert' },
      'externalId,lastName\nlsh-1,Overwritten\nlhid-1,Overwritten\n',
    );
    expect(job.counts).toMatchObject({ created: 0, updated: 0, failed: 2 });
    const errors = await errorsOf(t, repA, job.id);
    expect(errors[0]).toMatchObject({ line: 2, field: 'externalId', code: 'forbidden' });
    expect(errors[1]).toMatchObject({ line: 3, field: 'externalId', code: 'conflict' });
    const rows = await superSql<{ external_id: string; last_name: string; version: number }>(
      t.databaseUrl,
      `SELECT external_id, last_name, version FROM leads WHERE tenant_id = $1 ORDER BY external_id`,
      [admin.tenantId],
    );
    expect(rows.map((r) => [r.external_id, r.last_name])).toEqual([
      ['lhid-1', 'HiddenLead'],
      ['lsh-1', 'SharedLead'],
    ]);
  });

  it('an export by a rep holds only the records they may see', async () => {
    const role = await t.http
      .post('/v1/roles')
      .set(as(admin))
      .send({ name: 'Exporting rep', permissions: ['contacts:read', 'data:export'] });
    expect(role.status).toBe(201);
    const rep = await newUser(t, admin.tenantId, { role: role.body.id as string });
    const own = await create(admin, 'contacts', { lastName: 'OwnedByRep', ownerId: rep.userId });
    const shared = await superSql<{ id: string }>(
      t.databaseUrl,
      `SELECT id FROM contacts WHERE tenant_id = $1 AND external_id = 'sh-1'`,
      [admin.tenantId],
    );
    await shareRead('contacts', shared[0].id, rep);
    const res = await t.http
      .post('/v1/exports')
      .set(as(rep))
      .send({ object: 'contacts', fields: 'id,lastName', format: 'ndjson' });
    expect(res.status).toBe(202);
    const file = await downloadExport(t, rep, res.body.id as string);
    expect(file.status).toBe(200);
    const rows = String(file.body)
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { id: string; lastName: string });
    expect(rows.map((r) => r.lastName).sort()).toEqual(['OwnedByRep', 'Shared']);
    expect(rows.map((r) => r.id)).toContain(own);
    const [{ n }] = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1`,
      [admin.tenantId],
    );
    expect(n).toBeGreaterThan(2);
  });
});
