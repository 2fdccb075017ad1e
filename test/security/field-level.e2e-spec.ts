import { AUDIT_FIELD_FILTER, type AuditFieldFilter } from '../../src/platform/audit/audit.types.js';
import { RequestContext } from '../../src/platform/context/request-context.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';

/**
 * Field-level security (DESIGN §7). The salesRep role gets:
 * - contacts: deny-list {email: hidden, phone: read} (everything else editable);
 * - accounts: allow-list {name: edit, industry: read, ownerId: read, tags: edit} (the rest hidden);
 * - activities: deny-list {body: hidden, contactId: hidden}.
 */
describe('field-level security', () => {
  let t: TestApp;
  let admin: UserFixture;
  let rep: UserFixture;
  let repRole: string;
  const ids: Record<string, string> = {};
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });

  const create = async (plural: string, body: object): Promise<string> => {
    const res = await t.http.post(`/v1/${plural}`).set(as(admin)).send(body);
    if (res.status !== 201) throw new Error(`create ${plural}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const putPolicy = async (object: string, body: object) => {
    const res = await t.http.put(`/v1/field-policies/${repRole}/${object}`).set(as(admin)).send(body);
    if (res.status !== 200) throw new Error(`policy ${object}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { effective: Record<string, string> };
  };
  const forbiddenField = (
    res: { status: number; body: { code: string; errors?: { field: string }[] } },
    field: string,
  ) => {
    expect({ status: res.status, code: res.body.code, field: res.body.errors?.[0]?.field }).toEqual({
      status: 403,
      code: 'FORBIDDEN_FIELD',
      field,
    });
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    repRole = await roleId(t, admin.tenantId, 'salesRep');
    await putPolicy('contacts', { mode: 'denyList', rules: { email: 'hidden', phone: 'read' } });
    await putPolicy('accounts', {
      mode: 'allowList',
      rules: { name: 'edit', industry: 'read', ownerId: 'read', tags: 'edit' },
    });
    await putPolicy('activities', { mode: 'denyList', rules: { body: 'hidden', contactId: 'hidden' } });
    ids.account = await create('accounts', {
      name: 'Acme',
      domain: 'acme.test',
      industry: 'saas',
      employees: 50,
    });
    ids.contact = await create('contacts', {
      lastName: 'Lovelace',
      email: 'ada@acme.test',
      phone: '+1 555',
      accountId: ids.account,
      ownerId: rep.userId,
    });
    ids.activity = await create('activities', {
      type: 'note',
      subject: 'met Ada',
      body: 'private notes',
      contactId: ids.contact,
      accountId: ids.account,
    });
  });
  afterAll(() => t.close());

  describe('hidden fields are absent from REST output', () => {
    it('list and get', async () => {
      const list = await t.http.get('/v1/contacts').set(as(rep));
      expect(list.status).toBe(200);
      const row = list.body.data[0] as Record<string, unknown>;
      expect(row).toMatchObject({ id: ids.contact, lastName: 'Lovelace', phone: '+1 555' });
      expect(row).not.toHaveProperty('email');
      const one = await t.http.get(`/v1/contacts/${ids.contact}`).set(as(rep));
      expect(one.body).not.toHaveProperty('email');
      expect(one.body.phone).toBe('+1 555');
      const account = await t.http.get(`/v1/accounts/${ids.account}`).set(as(rep));
      expect(Object.keys(account.body).sort()).toEqual(
        ['id', 'createdAt', 'updatedAt', 'version', 'name', 'industry', 'ownerId', 'tags'].sort(),
      );
      const adminView = await t.http.get(`/v1/contacts/${ids.contact}`).set(as(admin));
      expect(adminView.body.email).toBe('ada@acme.test');
    });

    it('inside expands (to-one and to-many) and timelines', async () => {
      const acc = await t.http.get(`/v1/accounts/${ids.account}`).query({ expand: 'contacts' }).set(as(rep));
      expect(acc.status).toBe(200);
      expect(acc.body.contacts[0].lastName).toBe('Lovelace');
      expect(acc.body.contacts[0]).not.toHaveProperty('email');
      const contact = await t.http
        .get(`/v1/contacts/${ids.contact}`)
        .query({ expand: 'account' })
        .set(as(rep));
      expect(contact.body.account.name).toBe('Acme');
      expect(contact.body.account).not.toHaveProperty('domain');
      const timeline = await t.http.get(`/v1/accounts/${ids.account}/timeline`).set(as(rep));
      expect(timeline.status).toBe(200);
      expect(timeline.body.data[0].subject).toBe('met Ada');
      expect(timeline.body.data[0]).not.toHaveProperty('body');
      expect(timeline.body.data[0]).not.toHaveProperty('contactId');
    });

    it('in what writes return', async () => {
      const res = await t.http.patch(`/v1/contacts/${ids.contact}`).set(as(rep)).send({ title: 'Countess' });
      expect(res.status).toBe(200);
      expect(res.body.title).toBe('Countess');
      expect(res.body).not.toHaveProperty('email');
    });

    it('from audit diffs (the filter the audit API applies)', async () => {
      const filter = t.app.get<AuditFieldFilter>(AUDIT_FIELD_FILTER);
      const ctxOf = (u: UserFixture, isAdmin: boolean) =>
        new RequestContext(
          u.tenantId,
          { type: 'user', id: u.userId, userId: u.userId, isAdmin, roleId: repRole },
          'rest',
          'test',
        );
      expect([...(await filter.hiddenFields(ctxOf(rep, false), 'contact'))]).toEqual(['email']);
      expect([...(await filter.hiddenFields(ctxOf(admin, true), 'contact'))]).toEqual([]);
      expect([...(await filter.hiddenFields(ctxOf(rep, false), 'role'))]).toEqual([]);
    });
  });

  describe('GraphQL: null plus FORBIDDEN_FIELD for each hidden field selected', () => {
    it('on a list, with the path of every hidden value', async () => {
      const res = await gql<{
        contacts: { nodes: { id: string; lastName: string; email: string | null }[] };
      }>(t, rep.token, `{ contacts { nodes { id lastName email } } }`);
      expect(res.data?.contacts.nodes).toEqual([{ id: ids.contact, lastName: 'Lovelace', email: null }]);
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
      expect(res.errors?.[0].path).toEqual(['contacts', 'nodes', 0, 'email']);
    });

    it('on nested records and on relations whose foreign key is hidden', async () => {
      const res = await gql<{
        account: {
          domain: string | null;
          name: string;
          contacts: { nodes: { email: string | null; phone: string }[] };
        };
        activity: { subject: string; contact: unknown };
      }>(
        t,
        rep.token,
        `query($a: ID!, $x: ID!) {
          account(id: $a) { name domain contacts { nodes { email phone } } }
          activity(id: $x) { subject contact { id } }
        }`,
        { a: ids.account, x: ids.activity },
      );
      expect(res.data?.account).toEqual({
        name: 'Acme',
        domain: null,
        contacts: { nodes: [{ email: null, phone: '+1 555' }] },
      });
      expect(res.data?.activity).toEqual({ subject: 'met Ada', contact: null });
      const paths = (res.errors ?? []).map((e) => [e.extensions?.code, e.path?.join('.')]);
      expect(paths).toEqual(
        expect.arrayContaining([
          ['FORBIDDEN_FIELD', 'account.domain'],
          ['FORBIDDEN_FIELD', 'account.contacts.nodes.0.email'],
          ['FORBIDDEN_FIELD', 'activity.contact'],
        ]),
      );
      expect(paths).toHaveLength(3);
    });

    it('an administrator gets every field without errors', async () => {
      const res = await gql(t, admin.token, `{ contacts { nodes { email } } }`);
      expect(res.errors).toBeUndefined();
    });
  });

  describe('a hidden field cannot be used to filter, sort, select, expand or search: 403 naming it', () => {
    it('REST', async () => {
      const get = (path: string, query: Record<string, string>) => t.http.get(path).query(query).set(as(rep));
      forbiddenField(await get('/v1/contacts', { filter: "email eq 'ada@acme.test'" }), 'email');
      forbiddenField(await get('/v1/contacts', { filter: "email endswith '@acme.test'" }), 'email');
      forbiddenField(await get('/v1/contacts', { sort: '-email' }), 'email');
      forbiddenField(await get('/v1/contacts', { fields: 'id,email' }), 'email');
      forbiddenField(await get(`/v1/contacts/${ids.contact}`, { fields: 'lastName,email' }), 'email');
      forbiddenField(
        await get('/v1/contacts', { filter: "account.domain eq 'acme.test'" }),
        'account.domain',
      );
      forbiddenField(await get('/v1/accounts', { filter: "contacts any (email eq 'x')" }), 'contact.email');
      forbiddenField(await get('/v1/contacts', { q: 'ada' }), 'email');
      forbiddenField(await get('/v1/accounts', { q: 'acme' }), 'domain');
      forbiddenField(await get('/v1/activities', { expand: 'contact' }), 'contactId');
      forbiddenField(
        await get(`/v1/contacts/${ids.contact}`, { expand: 'activities' }),
        'activity.contactId',
      );
      forbiddenField(
        await get(`/v1/contacts/${ids.contact}/timeline`, { filter: "body contains 'x'" }),
        'body',
      );
      const search = await t.http
        .post('/v1/contacts/search')
        .set(as(rep))
        .send({ filter: { email: { eq: 'x' } } });
      forbiddenField(search, 'email');
      // visible fields still work, and read-only ones can be filtered
      expect(
        (await get('/v1/contacts', { filter: "phone eq '+1 555'", sort: 'lastName' })).body.data,
      ).toHaveLength(1);
      expect((await get('/v1/activities', { q: 'ada' })).status).toBe(403);
      expect((await get('/v1/activities', { expand: 'account' })).status).toBe(200);
    });

    it('GraphQL', async () => {
      const res = await gql(t, rep.token, `{ contacts(filter: "email eq 'x'") { nodes { id } } }`);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
      expect(res.errors?.[0].extensions?.errors?.[0].field).toBe('email');
      const sorted = await gql(t, rep.token, `{ accounts(sort: "domain") { nodes { id } } }`);
      expect(sorted.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
      const nested = await gql(
        t,
        rep.token,
        `query($id: ID!) { contact(id: $id) { lastName activities { nodes { id } } } }`,
        { id: ids.contact },
      );
      expect(nested.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
      expect(nested.errors?.[0].path).toEqual(['contact', 'activities']);
      expect(nested.data).toEqual({ contact: { lastName: 'Lovelace', activities: null } });
    });
  });

  describe('writing a field the caller may not edit: 403 naming it', () => {
    it('REST create and update', async () => {
      const path = `/v1/contacts/${ids.contact}`;
      forbiddenField(await t.http.patch(path).set(as(rep)).send({ phone: '+1 000' }), 'phone');
      forbiddenField(await t.http.patch(path).set(as(rep)).send({ title: 'x', email: 'e@x.test' }), 'email');
      forbiddenField(
        await t.http.post('/v1/contacts').set(as(rep)).send({ lastName: 'N', email: 'n@x.test' }),
        'email',
      );
      forbiddenField(
        await t.http.post('/v1/accounts').set(as(rep)).send({ name: 'N', industry: 'saas' }),
        'industry',
      );
      forbiddenField(
        await t.http.post('/v1/accounts').set(as(rep)).send({ name: 'N', domain: 'n.test' }),
        'domain',
      );
      // what the rep may edit works, and becoming the owner of what you create is not a field edit
      const ok = await t.http
        .post('/v1/accounts')
        .set(as(rep))
        .send({ name: 'Rep Inc', tags: ['new'] });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ name: 'Rep Inc', ownerId: rep.userId });
      const stored = await t.http.get(`/v1/contacts/${ids.contact}`).set(as(admin));
      expect(stored.body).toMatchObject({ phone: '+1 555', email: 'ada@acme.test' });
    });

    it('GraphQL', async () => {
      const res = await gql(
        t,
        rep.token,
        `mutation($id: ID!) { updateContact(id: $id, input: { phone: "0" }) { id } }`,
        { id: ids.contact },
      );
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
      expect(res.errors?.[0].extensions?.errors?.[0].field).toBe('phone');
    });
  });

  describe('the policy admin API', () => {
    it('shows stored rules and the effective access; system and default-sort fields stay readable', async () => {
      const res = await t.http.get(`/v1/field-policies/${repRole}/accounts`).set(as(admin));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ configured: true, mode: 'allowList', rules: { name: 'edit' } });
      expect(res.body.effective).toMatchObject({
        name: 'edit',
        industry: 'read',
        domain: 'hidden',
        id: 'read',
        createdAt: 'read',
      });
      const none = await t.http
        .get(`/v1/field-policies/${await roleId(t, admin.tenantId, 'marketing')}/contacts`)
        .set(as(admin));
      expect(none.body).toMatchObject({ configured: false, mode: 'denyList', rules: {} });
      expect(none.body.effective.email).toBe('edit');
    });

    it('refuses unknown fields, bad access values and hiding pinned fields, naming each', async () => {
      const res = await t.http
        .put(`/v1/field-policies/${repRole}/activities`)
        .set(as(admin))
        .send({
          mode: 'denyList',
          rules: { colour: 'hidden', subject: 'secret', occurredAt: 'hidden', id: 'hidden' },
        });
      expect(res.status).toBe(400);
      expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(
        ['rules.colour', 'rules.id', 'rules.occurredAt', 'rules.subject'].sort(),
      );
      expect(
        (
          await t.http
            .put(`/v1/field-policies/${repRole}/widgets`)
            .set(as(admin))
            .send({ mode: 'denyList', rules: {} })
        ).status,
      ).toBe(404);
      expect(
        (
          await t.http
            .put(`/v1/field-policies/${ids.account}/contacts`)
            .set(as(admin))
            .send({ mode: 'denyList', rules: {} })
        ).status,
      ).toBe(404);
      expect(
        (
          await t.http
            .put(`/v1/field-policies/${repRole}/contacts`)
            .set(as(rep))
            .send({ mode: 'denyList', rules: {} })
        ).status,
      ).toBe(403);
    });

    it('a change applies at once; removing the policy makes every field editable', async () => {
      const marketing = await newUser(t, admin.tenantId, { role: 'marketing' });
      const role = await roleId(t, admin.tenantId, 'marketing');
      const before = await t.http.get(`/v1/contacts/${ids.contact}`).set(as(marketing));
      expect(before.body.email).toBe('ada@acme.test');
      const put = await t.http
        .put(`/v1/field-policies/${role}/contacts`)
        .set(as(admin))
        .send({ mode: 'allowList', rules: { lastName: 'read', email: 'edit' } });
      expect(put.status).toBe(200);
      const after = await t.http.get(`/v1/contacts/${ids.contact}`).set(as(marketing));
      expect(Object.keys(after.body).sort()).toEqual([
        'createdAt',
        'email',
        'id',
        'lastName',
        'updatedAt',
        'version',
      ]);
      const explained = await t.http
        .get(`/v1/contacts/${ids.contact}/access`)
        .query({ userId: marketing.userId })
        .set(as(admin));
      expect(explained.body.fields).toMatchObject({ email: 'edit', lastName: 'read', phone: 'hidden' });
      const g = await gql<{ fieldPolicy: { mode: string } }>(
        t,
        admin.token,
        `query($r: ID!) { fieldPolicy(roleId: $r, object: "contacts") { mode effective } }`,
        { r: role },
      );
      expect(g.data?.fieldPolicy.mode).toBe('allowList');
      expect((await t.http.delete(`/v1/field-policies/${role}/contacts`).set(as(admin))).status).toBe(204);
      const restored = await t.http.get(`/v1/contacts/${ids.contact}`).set(as(marketing));
      expect(restored.body.phone).toBe('+1 555');
    });
  });
});
