import pg from 'pg';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, ok, restAs } from '../sales/helpers.js';

describe('PUT /v1/{object}/external-id/{externalId}', () => {
  let t: TestApp;
  let admin: UserFixture;
  let other: UserFixture;

  const rows = (tenantId: string, table: string, externalId: string) =>
    superSql<{ id: string; version: number }>(
      t.databaseUrl,
      `SELECT id, version FROM ${table} WHERE tenant_id = $1 AND external_id = $2`,
      [tenantId, externalId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    other = await newTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates (201 + Location + ETag), then updates (200) the same record', async () => {
    const api = restAs(t, admin);
    const created = await api.put('/v1/contacts/external-id/crm-42', {
      lastName: 'Lovelace',
      firstName: 'Ada',
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/contacts/${created.body.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      externalId: 'crm-42',
      lastName: 'Lovelace',
      firstName: 'Ada',
      version: 1,
    });
    const updated = await api.put('/v1/contacts/external-id/crm-42', {
      lastName: 'King',
      externalId: 'crm-42',
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.location).toBeUndefined();
    expect(updated.headers.etag).toBe('"2"');
    // A merge: what the body leaves out stays.
    expect(updated.body).toMatchObject({
      id: created.body.id,
      lastName: 'King',
      firstName: 'Ada',
      version: 2,
    });
    expect(await rows(admin.tenantId, 'contacts', 'crm-42')).toHaveLength(1);
  });

  it('works for every object with an externalId, with path-encoded ids', async () => {
    const api = restAs(t, admin);
    const account = await api.put('/v1/accounts/external-id/ACME%2F01', { name: 'Acme' });
    expect(account.status).toBe(201);
    expect(account.body.externalId).toBe('ACME/01');
    const lead = await api.put('/v1/leads/external-id/lead-1', { lastName: 'Lead', company: 'Acme' });
    expect(lead.status).toBe(201);
    const activity = await api.put('/v1/activities/external-id/act-1', {
      type: 'note',
      subject: 'Hello',
      accountId: account.body.id,
    });
    expect([activity.status, activity.body.code]).toEqual([201, undefined]);
    // Objects without an externalId have no such route.
    expect((await api.put('/v1/pipelines/external-id/p-1', { name: 'P' })).status).toBe(404);
  });

  it('refuses a different externalId in the body, bad input and a stale If-Match', async () => {
    const api = restAs(t, admin);
    const mismatch = await api.put('/v1/contacts/external-id/m-1', { lastName: 'X', externalId: 'm-2' });
    expect([mismatch.status, mismatch.body.errors?.[0]?.field]).toEqual([400, 'externalId']);
    const invalid = await api.put('/v1/contacts/external-id/m-1', { firstName: 'NoLastName' });
    expect(invalid.status).toBe(400);
    const long = await api.put(`/v1/contacts/external-id/${'x'.repeat(256)}`, { lastName: 'X' });
    expect(long.status).toBe(400);
    expect((await api.put(`/v1/contacts/external-id/${'é'.repeat(255)}`, { lastName: 'Long' })).status).toBe(
      201,
    );
    expect(await rows(admin.tenantId, 'contacts', 'm-1')).toHaveLength(0);
    ok(await api.put('/v1/contacts/external-id/v-1', { lastName: 'V' }), 201);
    const stale = await t.http
      .put('/v1/contacts/external-id/v-1')
      .set({ authorization: `Bearer ${admin.token}`, 'if-match': '"7"' })
      .send({ lastName: 'W' });
    expect([stale.status, stale.body.code]).toEqual([412, 'VERSION_MISMATCH']);
    const fresh = await t.http
      .put('/v1/contacts/external-id/v-1')
      .set({ authorization: `Bearer ${admin.token}`, 'if-match': '"1"' })
      .send({ lastName: 'W' });
    expect(fresh.status).toBe(200);
    const none = await t.http
      .put('/v1/contacts/external-id/v-none')
      .set({ authorization: `Bearer ${admin.token}`, 'if-match': '"1"' })
      .send({ lastName: 'W' });
    expect(none.status).toBe(412);
  });

  it('creates exactly one record when five upserts of one externalId race', async () => {
    const api = restAs(t, admin);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => api.put('/v1/contacts/external-id/race-1', { lastName: `Racer${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const [row] = await rows(admin.tenantId, 'contacts', 'race-1');
    expect(row.version).toBe(5);
    expect(await rows(admin.tenantId, 'contacts', 'race-1')).toHaveLength(1);
  });

  it('retries as an update when a create from elsewhere wins the race for the externalId', async () => {
    // Another writer (a POST, an import) has inserted the externalId and not committed yet.
    const writer = new pg.Client({ connectionString: t.databaseUrl });
    await writer.connect();
    try {
      const id = '01900000-0000-7000-8000-0000000000aa';
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO contacts (tenant_id, id, last_name, external_id) VALUES ($1, $2, 'Poster', 'race-2')`,
        [admin.tenantId, id],
      );
      const upsert = restAs(t, admin)
        .put('/v1/contacts/external-id/race-2', { lastName: 'Upserter', title: 'Upserted' })
        .then((r) => r);
      // The upsert finds nothing, inserts, and waits on the unique index for the writer to finish.
      const probe = new pg.Client({ connectionString: t.databaseUrl });
      await probe.connect();
      try {
        for (let waiting = 0; waiting === 0;) {
          const r = await probe.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE NOT l.granted AND a.datname = current_database() AND a.application_name = 'rapport'`,
          );
          waiting = r.rows[0].n;
        }
      } finally {
        await probe.end();
      }
      await writer.query('COMMIT');
      const res = await upsert;
      expect([res.status, res.body.id, res.body.lastName, res.body.title]).toEqual([
        200,
        id,
        'Upserter',
        'Upserted',
      ]);
      expect(await rows(admin.tenantId, 'contacts', 'race-2')).toHaveLength(1);
    } finally {
      await writer.end();
    }
  });

  it('keeps tenants apart: the same externalId in another tenant is another record', async () => {
    const mine = ok<{ id: string }>(
      await restAs(t, admin).put('/v1/contacts/external-id/shared-1', { lastName: 'A' }),
      201,
    );
    const theirs = await restAs(t, other).put('/v1/contacts/external-id/shared-1', { lastName: 'B' });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.id);
    expect((await rows(admin.tenantId, 'contacts', 'shared-1'))[0].version).toBe(1);
  });

  it('needs create and update: a role without contacts:create is refused (403), and a deleted match is a 409', async () => {
    const agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    const refused = await restAs(t, agent).put('/v1/contacts/external-id/agent-1', { lastName: 'Agent' });
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(await rows(admin.tenantId, 'contacts', 'agent-1')).toHaveLength(0);
    const api = restAs(t, admin);
    const gone = ok<{ id: string }>(
      await api.put('/v1/contacts/external-id/gone-1', { lastName: 'Gone' }),
      201,
    );
    expect((await api.del(`/v1/contacts/${gone.id}`)).status).toBe(204);
    const again = await api.put('/v1/contacts/external-id/gone-1', { lastName: 'Back' });
    expect([again.status, again.body.code]).toEqual([409, 'DUPLICATE_EXTERNAL_ID']);
  });

  it('a record the caller may not see is not updated through its externalId', async () => {
    const api = restAs(t, admin);
    ok(
      await t.http
        .put('/v1/sharing-settings/contacts')
        .set({ authorization: `Bearer ${admin.token}` })
        .send({ defaultAccess: 'private' }),
    );
    ok(await api.put('/v1/contacts/external-id/private-1', { lastName: 'Private' }), 201);
    const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    const res = await restAs(t, rep).put('/v1/contacts/external-id/private-1', { lastName: 'Hijack' });
    expect([res.status, res.body.code]).toEqual([409, 'DUPLICATE_EXTERNAL_ID']);
    const [row] = await superSql<{ last_name: string }>(
      t.databaseUrl,
      `SELECT last_name FROM contacts WHERE tenant_id = $1 AND external_id = 'private-1'`,
      [admin.tenantId],
    );
    expect(row.last_name).toBe('Private');
    ok(
      await t.http
        .put('/v1/sharing-settings/contacts')
        .set({ authorization: `Bearer ${admin.token}` })
        .send({ defaultAccess: 'readWrite' }),
    );
  });

  it('is upsertContact(externalId, input) in GraphQL', async () => {
    const gql = gqlAs(t, admin);
    const q = `mutation ($x: String!, $input: CreateContactInput!) { upsertContact(externalId: $x, input: $input) { created record { id lastName externalId version } } }`;
    const first = await gql<{ upsertContact: { created: boolean; record: { id: string; version: number } } }>(
      q,
      {
        x: 'gql-u1',
        input: { lastName: 'One' },
      },
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.upsertContact).toMatchObject({
      created: true,
      record: { lastName: 'One', externalId: 'gql-u1', version: 1 },
    });
    const second = await gql<{
      upsertContact: { created: boolean; record: { id: string; version: number } };
    }>(q, {
      x: 'gql-u1',
      input: { lastName: 'Two' },
    });
    expect(second.data!.upsertContact).toMatchObject({
      created: false,
      record: { id: first.data!.upsertContact.record.id, version: 2 },
    });
    const agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    const refused = await gqlAs(t, agent)(q, { x: 'gql-u2', input: { lastName: 'No' } });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
