import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';

/**
 * Mass assignment (OWASP API3): a client may not set what the server owns (id, tenantId, version,
 * createdAt, updatedAt), nor hand a record to another owner without `<object>:assign`. Each is a
 * 400 naming the field, and nothing is written.
 */
describe('mass assignment', () => {
  let t: TestApp;
  let admin: UserFixture;
  let rep: UserFixture;
  let manager: UserFixture;
  let otherTenant: UserFixture;
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

  const SYSTEM_FIELDS: Record<string, unknown> = {
    id: '01900000-0000-7000-8000-000000000001',
    tenantId: '01900000-0000-7000-8000-000000000002',
    version: 99,
    createdAt: '2001-01-01T00:00:00Z',
    updatedAt: '2001-01-01T00:00:00Z',
  };
  const VALID: Record<string, Record<string, unknown>> = {
    accounts: { name: 'Acme' },
    contacts: { lastName: 'Lovelace' },
    activities: { type: 'note', subject: 'Hello' },
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    manager = await newUser(t, admin.tenantId, { role: 'salesManager' });
    otherTenant = await newTenant(t);
  });
  afterAll(() => t.close());

  describe.each(Object.keys(VALID))('%s', (plural) => {
    it.each(Object.keys(SYSTEM_FIELDS))('refuses %s in a create body, naming it (REST)', async (field) => {
      const res = await t.http
        .post(`/v1/${plural}`)
        .set(as(admin))
        .send({ ...VALID[plural], [field]: SYSTEM_FIELDS[field] });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(res.body)).toEqual([field]);
      expect(res.body.detail).toContain(field);
    });

    it.each(Object.keys(SYSTEM_FIELDS))('refuses %s in an update body, naming it (REST)', async (field) => {
      const created = await t.http.post(`/v1/${plural}`).set(as(admin)).send(VALID[plural]);
      const res = await t.http
        .patch(`/v1/${plural}/${created.body.id}`)
        .set(as(admin))
        .send({ [field]: SYSTEM_FIELDS[field] });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual([field]);
      const after = await t.http.get(`/v1/${plural}/${created.body.id}`).set(as(admin));
      expect(after.body).toMatchObject({ id: created.body.id, version: 1 });
    });
  });

  it('refuses system fields in GraphQL inputs, naming them', async () => {
    for (const field of Object.keys(SYSTEM_FIELDS)) {
      const res = await gql(
        t,
        admin.token,
        'mutation($input: CreateContactInput!) { createContact(input: $input) { id } }',
        {
          input: { lastName: 'X', [field]: SYSTEM_FIELDS[field] },
        },
      );
      expect(res.data).toBeNull();
      expect(res.errors?.[0].extensions?.code).toMatch(/^(VALIDATION_FAILED|BAD_REQUEST)$/);
      expect(res.errors?.[0].message).toContain(`"${field}"`);
    }
    const rows = await superSql(t.databaseUrl, `SELECT 1 FROM contacts WHERE last_name = 'X'`);
    expect(rows).toEqual([]);
  });

  describe('ownerId', () => {
    it('defaults to the calling user on create', async () => {
      const res = await t.http.post('/v1/contacts').set(as(rep)).send({ lastName: 'Mine' });
      expect(res.status).toBe(201);
      expect(res.body.ownerId).toBe(rep.userId);
      const rows = await superSql(t.databaseUrl, 'SELECT owner_id FROM contacts WHERE id = $1', [
        res.body.id,
      ]);
      expect(rows).toEqual([{ owner_id: rep.userId }]);
    });

    it('may name yourself on create without :assign (it is the default anyway)', async () => {
      const res = await t.http.post('/v1/accounts').set(as(rep)).send({ name: 'Self', ownerId: rep.userId });
      expect(res.status).toBe(201);
      expect(res.body.ownerId).toBe(rep.userId);
    });

    it('refuses another owner without :assign, naming ownerId, on create and update (REST and GraphQL)', async () => {
      const create = await t.http
        .post('/v1/contacts')
        .set(as(rep))
        .send({ lastName: 'Gift', ownerId: manager.userId });
      expect(create.status).toBe(400);
      expect(create.body.errors).toEqual([expect.objectContaining({ field: 'ownerId', code: 'forbidden' })]);
      expect(create.body.detail).toContain('contacts:assign');
      expect(await superSql(t.databaseUrl, `SELECT 1 FROM contacts WHERE last_name = 'Gift'`)).toEqual([]);

      const own = await t.http.post('/v1/contacts').set(as(rep)).send({ lastName: 'Kept' });
      for (const ownerId of [manager.userId, null, rep.userId]) {
        const patch = await t.http.patch(`/v1/contacts/${own.body.id}`).set(as(rep)).send({ ownerId });
        expect(patch.status).toBe(400);
        expect(fieldsOf(patch.body)).toEqual(['ownerId']);
      }
      expect((await t.http.get(`/v1/contacts/${own.body.id}`).set(as(rep))).body).toMatchObject({
        ownerId: rep.userId,
        version: 1,
      });

      const viaGraphql = await gql(
        t,
        rep.token,
        'mutation($id: ID!, $owner: ID) { updateContact(id: $id, input: { ownerId: $owner }) { id } }',
        { id: own.body.id, owner: manager.userId },
      );
      expect(viaGraphql.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      expect(viaGraphql.errors?.[0].extensions?.errors?.map((e) => e.field)).toEqual(['ownerId']);
    });

    it('lets a holder of :assign give records to others', async () => {
      const res = await t.http
        .post('/v1/accounts')
        .set(as(manager))
        .send({ name: 'Delegated', ownerId: rep.userId });
      expect(res.status).toBe(201);
      expect(res.body.ownerId).toBe(rep.userId);
      const back = await t.http
        .patch(`/v1/accounts/${res.body.id}`)
        .set(as(manager))
        .send({ ownerId: manager.userId });
      expect(back.status).toBe(200);
      expect(back.body.ownerId).toBe(manager.userId);
    });

    it('refuses an owner from another tenant as a reference that does not exist', async () => {
      const res = await t.http
        .post('/v1/accounts')
        .set(as(manager))
        .send({ name: 'Cross', ownerId: otherTenant.userId });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['ownerId']);
    });
  });
});
