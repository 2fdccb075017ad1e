import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';

describe('record lifecycle over REST (accounts, contacts, activities)', () => {
  let t: TestApp;
  let a: UserFixture;
  const auth = () => ({ authorization: `Bearer ${a.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    a = await newTenant(t);
  });
  afterAll(() => t.close());

  it('creates an account: 201, Location, ETag, and the row in the database', async () => {
    const res = await t.http
      .post('/v1/accounts')
      .set(auth())
      .send({
        name: 'Acme GmbH',
        industry: 'saas',
        annualRevenue: '1250000.50',
        currency: 'EUR',
        tags: ['key'],
        billingAddress: { city: 'Berlin', country: 'DE' },
      });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/accounts/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      name: 'Acme GmbH',
      industry: 'saas',
      annualRevenue: '1250000.50',
      currency: 'EUR',
      tags: ['key'],
      version: 1,
      billingAddress: { city: 'Berlin', country: 'DE' },
    });
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const rows = await superSql(
      t.databaseUrl,
      'SELECT tenant_id, name, annual_revenue::text AS rev FROM accounts WHERE id = $1',
      [res.body.id],
    );
    expect(rows).toEqual([{ tenant_id: a.tenantId, name: 'Acme GmbH', rev: '1250000.50' }]);
  });

  it('names every invalid field and refuses unknown properties', async () => {
    const res = await t.http
      .post('/v1/contacts')
      .set(auth())
      .send({ email: 'not-an-email', lifecycleStage: 'vip', color: 'red' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['color', 'email', 'lastName', 'lifecycleStage']));
    expect(JSON.stringify(res.body)).not.toMatch(/stack|SELECT|INSERT/);
  });

  it('refuses an amount without a currency, and a link to a record that does not exist', async () => {
    const money = await t.http.post('/v1/accounts').set(auth()).send({ name: 'X', annualRevenue: '10.00' });
    expect(money.status).toBe(400);
    expect(money.body.errors[0].field).toBe('currency');
    const link = await t.http
      .post('/v1/contacts')
      .set(auth())
      .send({ lastName: 'Nobody', accountId: '01900000-0000-7000-8000-000000000000' });
    expect(link.status).toBe(400);
    expect(link.body.errors).toEqual([expect.objectContaining({ field: 'accountId', code: 'not_found' })]);
  });

  it('gets by id with an ETag and answers If-None-Match with 304', async () => {
    const created = await t.http
      .post('/v1/contacts')
      .set(auth())
      .send({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.com' });
    const res = await t.http.get(`/v1/contacts/${created.body.id}`).set(auth());
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ id: created.body.id, firstName: 'Ada', doNotContact: false, tags: [] });
    const again = await t.http.get(`/v1/contacts/${created.body.id}`).set(auth()).set('if-none-match', '"1"');
    expect(again.status).toBe(304);
    expect((await t.http.get('/v1/contacts/not-a-uuid').set(auth())).status).toBe(404);
    expect(
      (await t.http.get('/v1/contacts/01900000-0000-7000-8000-000000000000').set(auth())).body.code,
    ).toBe('NOT_FOUND');
  });

  it('merge-patches: absent stays, null clears, JSON objects merge, required fields cannot be cleared', async () => {
    const created = await t.http
      .post('/v1/accounts')
      .set(auth())
      .send({
        name: 'Patchy',
        domain: 'patchy.io',
        industry: 'retail',
        billingAddress: { city: 'Paris', country: 'FR' },
      });
    const id = created.body.id as string;
    const res = await t.http
      .patch(`/v1/accounts/${id}`)
      .set(auth())
      .set('content-type', 'application/merge-patch+json')
      .send(JSON.stringify({ domain: null, billingAddress: { street: '1 Rue X', country: null } }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Patchy',
      domain: null,
      industry: 'retail',
      version: 2,
      billingAddress: { city: 'Paris', street: '1 Rue X' },
    });
    expect(res.body.billingAddress.country).toBeUndefined();
    expect(res.headers.etag).toBe('"2"');
    const bad = await t.http.patch(`/v1/accounts/${id}`).set(auth()).send({ name: null });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'name' });
    const sys = await t.http.patch(`/v1/accounts/${id}`).set(auth()).send({ version: 9 });
    expect(sys.status).toBe(400);
  });

  it('enforces If-Match: a stale version is 412 and nothing changes', async () => {
    const created = await t.http.post('/v1/accounts').set(auth()).send({ name: 'Versioned' });
    const id = created.body.id as string;
    const ok = await t.http
      .patch(`/v1/accounts/${id}`)
      .set(auth())
      .set('if-match', '"1"')
      .send({ industry: 'a' });
    expect(ok.status).toBe(200);
    const stale = await t.http
      .patch(`/v1/accounts/${id}`)
      .set(auth())
      .set('if-match', '"1"')
      .send({ industry: 'b' });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('VERSION_MISMATCH');
    const rows = await superSql(t.databaseUrl, 'SELECT industry, version FROM accounts WHERE id = $1', [id]);
    expect(rows).toEqual([{ industry: 'a', version: 2 }]);
    const staleDelete = await t.http.delete(`/v1/accounts/${id}`).set(auth()).set('if-match', '"1"');
    expect(staleDelete.status).toBe(412);
  });

  it('soft-deletes (204, then 404 and absent from lists) and restores', async () => {
    const created = await t.http
      .post('/v1/contacts')
      .set(auth())
      .send({ lastName: 'Temporary', externalId: 'tmp-1' });
    const id = created.body.id as string;
    expect((await t.http.delete(`/v1/contacts/${id}`).set(auth())).status).toBe(204);
    expect((await t.http.get(`/v1/contacts/${id}`).set(auth())).status).toBe(404);
    expect((await t.http.delete(`/v1/contacts/${id}`).set(auth())).status).toBe(404);
    const list = await t.http.get('/v1/contacts').query({ filter: "externalId eq 'tmp-1'" }).set(auth());
    expect(list.body.data).toEqual([]);
    const [row] = await superSql<{ deleted_at: Date | null }>(
      t.databaseUrl,
      'SELECT deleted_at FROM contacts WHERE id = $1',
      [id],
    );
    expect(row.deleted_at).toBeInstanceOf(Date);
    const restored = await t.http.post(`/v1/contacts/${id}/restore`).set(auth());
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id, lastName: 'Temporary', version: 3 });
    expect((await t.http.get(`/v1/contacts/${id}`).set(auth())).status).toBe(200);
  });

  it('keeps externalId unique per tenant: 409 naming the field', async () => {
    await t.http.post('/v1/accounts').set(auth()).send({ name: 'One', externalId: 'erp-42' });
    const dup = await t.http.post('/v1/accounts').set(auth()).send({ name: 'Two', externalId: 'erp-42' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'DUPLICATE_EXTERNAL_ID', errors: [{ field: 'externalId' }] });
    const other = await newTenant(t);
    const elsewhere = await t.http
      .post('/v1/accounts')
      .set({ authorization: `Bearer ${other.token}` })
      .send({ name: 'Two', externalId: 'erp-42' });
    expect(elsewhere.status).toBe(201);
  });

  it('refuses an account hierarchy cycle', async () => {
    const parent = await t.http.post('/v1/accounts').set(auth()).send({ name: 'Parent' });
    const child = await t.http
      .post('/v1/accounts')
      .set(auth())
      .send({ name: 'Child', parentAccountId: parent.body.id });
    expect(child.status).toBe(201);
    const cycle = await t.http
      .patch(`/v1/accounts/${parent.body.id}`)
      .set(auth())
      .send({ parentAccountId: child.body.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors[0]).toMatchObject({ field: 'parentAccountId', code: 'cycle' });
  });

  it('defaults an activity status by type: tasks start open', async () => {
    const task = await t.http
      .post('/v1/activities')
      .set(auth())
      .send({ type: 'task', subject: 'Send quote', dueAt: '2026-12-01T10:00:00Z' });
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({ type: 'task', status: 'open', dueAt: '2026-12-01T10:00:00.000Z' });
    const call = await t.http.post('/v1/activities').set(auth()).send({ type: 'call', subject: 'Intro' });
    expect(call.body.status).toBe('completed');
    const bad = await t.http
      .post('/v1/activities')
      .set(auth())
      .send({ type: 'fax', subject: 'x', occurredAt: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['occurredAt', 'type']);
  });

  it('answers malformed JSON and oversized bodies with problem+json, never a 500', async () => {
    const res = await t.http
      .post('/v1/accounts')
      .set(auth())
      .set('content-type', 'application/json')
      .send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const big = await t.http
      .post('/v1/accounts')
      .set(auth())
      .send({ name: 'x'.repeat(2_000_000) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
