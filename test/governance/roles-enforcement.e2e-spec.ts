import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { gql, GqlResult } from '../harness/graphql.js';

/** What roles and token scopes allow on the record routes, through REST and GraphQL alike. */
describe('permission enforcement by role and scope', () => {
  let t: TestApp;
  let admin: UserFixture;
  const ids: Record<string, string> = {};
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const codes = (res: GqlResult) => res.errors?.map((e) => e.extensions?.code);
  const reason = (res: GqlResult) => (res.errors?.[0].extensions as { reason?: string } | undefined)?.reason;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    ids.account = (
      await t.http.post('/v1/accounts').set(as(admin)).send({ name: 'Acme', industry: 'saas' })
    ).body.id;
    ids.contact = (
      await t.http.post('/v1/contacts').set(as(admin)).send({ lastName: 'Lovelace', accountId: ids.account })
    ).body.id;
    ids.activity = (
      await t.http
        .post('/v1/activities')
        .set(as(admin))
        .send({ type: 'note', subject: 'Hi', contactId: ids.contact })
    ).body.id;
  });
  afterAll(() => t.close());

  describe('a read-only user', () => {
    let reader: UserFixture;
    beforeAll(async () => {
      reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
    });

    it.each(['accounts', 'contacts', 'activities'])(
      'reads %s but may not create, update or delete them (REST)',
      async (plural) => {
        const id = ids[plural === 'activities' ? 'activity' : plural.slice(0, -1)];
        expect((await t.http.get(`/v1/${plural}`).set(as(reader))).status).toBe(200);
        expect((await t.http.get(`/v1/${plural}/${id}`).set(as(reader))).status).toBe(200);
        expect((await t.http.post(`/v1/${plural}/search`).set(as(reader)).send({})).status).toBe(200);
        const create = await t.http.post(`/v1/${plural}`).set(as(reader)).send({});
        expect(create.status).toBe(403);
        expect(create.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(create.body).toMatchObject({ code: 'FORBIDDEN', status: 403 });
        expect(create.body.detail).toContain(`${plural}:create`);
        // A role refusal is not a scope problem: no insufficient_scope challenge.
        expect(create.headers['www-authenticate']).toBeUndefined();
        expect((await t.http.patch(`/v1/${plural}/${id}`).set(as(reader)).send({})).status).toBe(403);
        expect((await t.http.delete(`/v1/${plural}/${id}`).set(as(reader))).status).toBe(403);
        expect((await t.http.post(`/v1/${plural}/${id}/restore`).set(as(reader))).status).toBe(403);
      },
    );

    it('is refused the same through GraphQL', async () => {
      const read = await gql(t, reader.token, '{ contacts { nodes { id lastName } } }');
      expect(read.errors).toBeUndefined();
      const create = await gql(
        t,
        reader.token,
        'mutation { createContact(input: { lastName: "X" }) { id } }',
      );
      expect(create.data).toBeNull();
      expect(codes(create)).toEqual(['FORBIDDEN']);
      expect(reason(create)).toBe('missing_permission');
      const del = await gql(t, reader.token, 'mutation($id: ID!) { deleteAccount(id: $id) }', {
        id: ids.account,
      });
      expect(codes(del)).toEqual(['FORBIDDEN']);
    });

    it('changed nothing in the database', async () => {
      const list = await t.http.get('/v1/contacts').set(as(admin));
      expect(list.body.data.map((c: { lastName: string }) => c.lastName)).toEqual(['Lovelace']);
    });
  });

  describe('the other built-in roles', () => {
    it('lets a sales rep create and update but not delete accounts, and delete activities', async () => {
      const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
      const account = await t.http.post('/v1/accounts').set(as(rep)).send({ name: 'Rep Corp' });
      expect(account.status).toBe(201);
      expect(
        (await t.http.patch(`/v1/accounts/${account.body.id}`).set(as(rep)).send({ industry: 'x' })).status,
      ).toBe(200);
      expect((await t.http.delete(`/v1/accounts/${account.body.id}`).set(as(rep))).status).toBe(403);
      const activity = await t.http
        .post('/v1/activities')
        .set(as(rep))
        .send({ type: 'call', subject: 'Oops' });
      expect((await t.http.delete(`/v1/activities/${activity.body.id}`).set(as(rep))).status).toBe(204);
    });

    it('lets a support agent log activities but not touch contacts', async () => {
      const agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
      expect(
        (await t.http.post('/v1/activities').set(as(agent)).send({ type: 'call', subject: 'Help' })).status,
      ).toBe(201);
      expect(
        (await t.http.patch(`/v1/contacts/${ids.contact}`).set(as(agent)).send({ title: 'x' })).status,
      ).toBe(403);
      expect((await t.http.get(`/v1/contacts/${ids.contact}/timeline`).set(as(agent))).status).toBe(200);
    });

    it('lets marketing maintain contacts but only read accounts', async () => {
      const marketer = await newUser(t, admin.tenantId, { role: 'marketing' });
      expect((await t.http.post('/v1/contacts').set(as(marketer)).send({ lastName: 'Lead' })).status).toBe(
        201,
      );
      expect((await t.http.post('/v1/accounts').set(as(marketer)).send({ name: 'No' })).status).toBe(403);
      expect(
        (await t.http.post('/v1/activities').set(as(marketer)).send({ type: 'note', subject: 'No' })).status,
      ).toBe(403);
    });

    it('leaves a user without a role nothing but their own profile', async () => {
      const role = await t.http.post('/v1/roles').set(as(admin)).send({ name: 'Nothing', permissions: [] });
      const nobody = await newUser(t, admin.tenantId, { role: role.body.id });
      expect((await t.http.get('/v1/me').set(as(nobody))).status).toBe(200);
      expect((await t.http.get('/v1/contacts').set(as(nobody))).status).toBe(403);
      expect(codes(await gql(t, nobody.token, '{ accounts { nodes { id } } }'))).toEqual(['FORBIDDEN']);
    });
  });

  describe('related objects need their own read permission', () => {
    let contactsOnly: UserFixture;
    beforeAll(async () => {
      const role = await t.http
        .post('/v1/roles')
        .set(as(admin))
        .send({ name: 'Contacts only', permissions: ['contacts:read'] });
      contactsOnly = await newUser(t, admin.tenantId, { role: role.body.id });
    });

    it('refuses expanding, filtering through, or listing the timeline of what the role cannot read (REST)', async () => {
      expect((await t.http.get(`/v1/contacts/${ids.contact}`).set(as(contactsOnly))).status).toBe(200);
      const expand = await t.http.get(`/v1/contacts/${ids.contact}?expand=account`).set(as(contactsOnly));
      expect(expand.status).toBe(403);
      expect(expand.body.detail).toContain('accounts:read');
      const listExpand = await t.http.get('/v1/contacts?expand=activities').set(as(contactsOnly));
      expect(listExpand.status).toBe(403);
      const filter = await t.http
        .get('/v1/contacts')
        .query({ filter: "account.industry eq 'saas'" })
        .set(as(contactsOnly));
      expect(filter.status).toBe(403);
      const any = await t.http
        .post('/v1/contacts/search')
        .set(as(contactsOnly))
        .send({ filter: { activities: { any: { subject: { eq: 'Hi' } } } } });
      expect(any.status).toBe(403);
      const timeline = await t.http.get(`/v1/contacts/${ids.contact}/timeline`).set(as(contactsOnly));
      expect(timeline.status).toBe(403);
      expect(timeline.body.detail).toContain('activities:read');
    });

    it('answers a nested relation with null and a FORBIDDEN error (GraphQL)', async () => {
      const res = await gql<{ contact: { lastName: string; account: unknown } }>(
        t,
        contactsOnly.token,
        'query($id: ID!) { contact(id: $id) { lastName account { name } } }',
        { id: ids.contact },
      );
      expect(res.data).toEqual({ contact: { lastName: 'Lovelace', account: null } });
      expect(codes(res)).toEqual(['FORBIDDEN']);
      expect(res.errors![0].path).toEqual(['contact', 'account']);
    });
  });

  describe('token scopes', () => {
    it('narrow what the role grants: a contacts:read token reads contacts but gets insufficient_scope on create', async () => {
      const scoped = await newUser(t, admin.tenantId, { role: 'salesManager', scope: 'contacts:read' });
      expect((await t.http.get('/v1/contacts').set(as(scoped))).status).toBe(200);

      const create = await t.http.post('/v1/contacts').set(as(scoped)).send({ lastName: 'X' });
      expect(create.status).toBe(403);
      expect(create.body.code).toBe('FORBIDDEN');
      expect(create.body.detail).toMatch(/insufficient_scope/);
      expect(create.headers['www-authenticate']).toBe(
        'Bearer realm="rapport", error="insufficient_scope", scope="contacts:create"',
      );
      const del = await t.http.delete(`/v1/contacts/${ids.contact}`).set(as(scoped));
      expect(del.status).toBe(403);
      expect(del.headers['www-authenticate']).toMatch(/error="insufficient_scope", scope="contacts:delete"/);
      // Outside the scope entirely, even for reading.
      expect((await t.http.get('/v1/accounts').set(as(scoped))).status).toBe(403);

      const gqlCreate = await gql(
        t,
        scoped.token,
        'mutation { createContact(input: { lastName: "X" }) { id } }',
      );
      expect(codes(gqlCreate)).toEqual(['FORBIDDEN']);
      expect(reason(gqlCreate)).toBe('insufficient_scope');
    });

    it('can only narrow what the user holds: the password grant answers invalid_scope beyond it', async () => {
      const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
      const beyond = await t.http.post('/oauth/token').type('form').send({
        grant_type: 'password',
        username: reader.email,
        password: reader.password,
        scope: 'contacts:read contacts:delete',
      });
      expect(beyond.status).toBe(400);
      expect(beyond.body.error).toBe('invalid_scope');
      const unknown = await t.http.post('/oauth/token').type('form').send({
        grant_type: 'password',
        username: admin.email,
        password: admin.password,
        scope: 'tickets:read',
      });
      expect(unknown.body.error).toBe('invalid_scope');
      const within = await t.http.post('/oauth/token').type('form').send({
        grant_type: 'password',
        username: reader.email,
        password: reader.password,
        scope: 'contacts:read',
      });
      expect(within.status).toBe(200);
      expect(within.body.scope).toBe('contacts:read');
    });

    it('an empty scope narrows nothing', async () => {
      const manager = await newUser(t, admin.tenantId, { role: 'salesManager', scope: '' });
      expect((await t.http.post('/v1/accounts').set(as(manager)).send({ name: 'Full' })).status).toBe(201);
    });
  });
});
