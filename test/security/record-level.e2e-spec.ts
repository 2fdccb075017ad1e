import { createTestApp, TestApp } from '../harness/app.js';
import { newTeam, newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';

/**
 * Record-level security (DESIGN §7): org-wide defaults, owner, role hierarchy, team/role/user
 * shares, compiled into every read and write. Cast: an admin; rep A and manager M in team East
 * (salesRep sits below salesManager); rep B in team West.
 */
describe('record-level security', () => {
  let t: TestApp;
  let admin: UserFixture;
  let repA: UserFixture;
  let repB: UserFixture;
  let manager: UserFixture;
  let east: string;
  const ids: Record<string, string> = {};
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });

  const create = async (u: UserFixture, plural: string, body: object): Promise<string> => {
    const res = await t.http.post(`/v1/${plural}`).set(as(u)).send(body);
    if (res.status !== 201) throw new Error(`create ${plural}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const setDefault = async (plural: string, defaultAccess: string) => {
    const res = await t.http.put(`/v1/sharing-settings/${plural}`).set(as(admin)).send({ defaultAccess });
    expect(res.status).toBe(200);
  };
  const share = async (
    plural: string,
    id: string,
    granteeType: string,
    granteeId: string,
    access: string,
  ) => {
    const res = await t.http
      .post(`/v1/${plural}/${id}/shares`)
      .set(as(admin))
      .send({ granteeType, granteeId, access });
    expect([200, 201]).toContain(res.status);
    return res.body.id as string;
  };
  const listIds = async (u: UserFixture, plural: string, query: Record<string, string> = {}) => {
    const res = await t.http.get(`/v1/${plural}`).query(query).set(as(u));
    expect(res.status).toBe(200);
    return (res.body.data as { id: string }[]).map((r) => r.id);
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    east = await newTeam(t, admin.tenantId, 'East');
    const west = await newTeam(t, admin.tenantId, 'West');
    repA = await newUser(t, admin.tenantId, { role: 'salesRep', teamIds: [east] });
    repB = await newUser(t, admin.tenantId, { role: 'salesRep', teamIds: [west] });
    manager = await newUser(t, admin.tenantId, { role: 'salesManager', teamIds: [east] });
    for (const plural of ['accounts', 'contacts', 'activities']) await setDefault(plural, 'private');

    ids.accA = await create(repA, 'accounts', { name: 'Alpha Corp' });
    ids.cA = await create(repA, 'contacts', {
      lastName: 'Alphason',
      email: 'a@alpha.test',
      accountId: ids.accA,
    });
    ids.accB = await create(repB, 'accounts', { name: 'Bravo Corp', industry: 'bravo-industry' });
    ids.cB = await create(repB, 'contacts', {
      lastName: 'Bravoson',
      email: 'b@bravo.test',
      accountId: ids.accB,
    });
    ids.actB = await create(repB, 'activities', { type: 'call', subject: 'bravo call', contactId: ids.cB });
    // A's contact at B's account, with an activity of B's on it (made by the admin for the owners).
    ids.cX = await create(admin, 'contacts', {
      lastName: 'Crosser',
      accountId: ids.accB,
      ownerId: repA.userId,
    });
    ids.actAX = await create(admin, 'activities', {
      type: 'note',
      subject: 'alpha note',
      contactId: ids.cX,
      ownerId: repA.userId,
    });
    ids.actBX = await create(admin, 'activities', {
      type: 'note',
      subject: 'bravo secret note',
      contactId: ids.cX,
      ownerId: repB.userId,
    });
  });
  afterAll(() => t.close());

  describe('private default', () => {
    it('a rep cannot get another rep’s records: 404, as if absent', async () => {
      for (const [plural, key] of [
        ['contacts', 'cB'],
        ['accounts', 'accB'],
        ['activities', 'actB'],
      ]) {
        const res = await t.http.get(`/v1/${plural}/${ids[key]}`).set(as(repA));
        expect({ plural, status: res.status }).toEqual({ plural, status: 404 });
        expect(res.body.code).toBe('NOT_FOUND');
      }
      expect((await t.http.get(`/v1/contacts/${ids.cA}`).set(as(repA))).status).toBe(200);
    });

    it('lists, counts, q, filters and search bodies show only visible records', async () => {
      expect((await listIds(repA, 'contacts')).sort()).toEqual([ids.cA, ids.cX].sort());
      const counted = await t.http.get('/v1/contacts').query({ count: 'true' }).set(as(repA));
      expect(counted.body.total).toBe(2);
      expect(await listIds(repA, 'contacts', { q: 'Bravoson' })).toEqual([]);
      expect(await listIds(repB, 'contacts', { q: 'Bravoson' })).toEqual([ids.cB]);
      expect(await listIds(repA, 'contacts', { filter: `id eq '${ids.cB}'` })).toEqual([]);
      const search = await t.http.post('/v1/accounts/search').set(as(repA)).send({ count: true });
      expect(search.body.data.map((r: { id: string }) => r.id)).toEqual([ids.accA]);
      expect(search.body.total).toBe(1);
    });

    it('filters through relations only match related records the caller may see', async () => {
      // cX (A's) belongs to Bravo Corp (B's): A cannot filter by what they cannot see.
      expect(await listIds(repA, 'contacts', { filter: "account.name eq 'Bravo Corp'" })).toEqual([]);
      expect(await listIds(repB, 'accounts', { filter: "contacts any (lastName eq 'Crosser')" })).toEqual([]);
      expect(await listIds(admin, 'accounts', { filter: "contacts any (lastName eq 'Crosser')" })).toEqual([
        ids.accB,
      ]);
    });

    it('expand: an invisible to-one is null, invisible to-many children are left out', async () => {
      const cx = await t.http
        .get(`/v1/contacts/${ids.cX}`)
        .query({ expand: 'account,activities' })
        .set(as(repA));
      expect(cx.status).toBe(200);
      expect(cx.body.account).toBeNull();
      expect(cx.body.accountId).toBe(ids.accB);
      expect(cx.body.activities.map((a: { id: string }) => a.id)).toEqual([ids.actAX]);
      const accB = await t.http.get(`/v1/accounts/${ids.accB}`).query({ expand: 'contacts' }).set(as(repB));
      expect(accB.body.contacts.map((c: { id: string }) => c.id)).toEqual([ids.cB]);
      const list = await t.http.get('/v1/contacts').query({ expand: 'account' }).set(as(repA));
      const byId = new Map((list.body.data as { id: string; account: unknown }[]).map((c) => [c.id, c]));
      expect(byId.get(ids.cX)?.account).toBeNull();
      expect((byId.get(ids.cA)?.account as { id: string }).id).toBe(ids.accA);
    });

    it('timelines: 404 for an invisible parent, and only visible activities', async () => {
      const own = await t.http.get(`/v1/contacts/${ids.cX}/timeline`).set(as(repA));
      expect(own.status).toBe(200);
      expect(own.body.data.map((a: { id: string }) => a.id)).toEqual([ids.actAX]);
      expect((await t.http.get(`/v1/contacts/${ids.cX}/timeline`).set(as(repB))).status).toBe(404);
      expect((await t.http.get(`/v1/accounts/${ids.accB}/timeline`).set(as(repA))).status).toBe(404);
      const bravo = await t.http.get(`/v1/accounts/${ids.accB}/timeline`).set(as(repB));
      expect(bravo.body.data.map((a: { id: string }) => a.id).sort()).toEqual([ids.actB, ids.actBX].sort());
    });

    it('GraphQL: one, list, nested to-one, nested connection and totalCount', async () => {
      const one = await gql(t, repA.token, `query($id: ID!) { contact(id: $id) { id } }`, { id: ids.cB });
      expect(one.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const res = await gql<{
        contacts: {
          totalCount: number;
          nodes: { id: string; account: { id: string } | null; activities: { nodes: { id: string }[] } }[];
        };
      }>(
        t,
        repA.token,
        `{ contacts { totalCount nodes { id account { id } activities { nodes { id } } } } }`,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.contacts.totalCount).toBe(2);
      const cx = res.data?.contacts.nodes.find((n) => n.id === ids.cX);
      expect(cx?.account).toBeNull();
      expect(cx?.activities.nodes.map((a) => a.id)).toEqual([ids.actAX]);
      const bravo = await gql<{ account: { contacts: { nodes: { id: string }[] } } }>(
        t,
        repB.token,
        `query($id: ID!) { account(id: $id) { contacts { nodes { id } } } }`,
        { id: ids.accB },
      );
      expect(bravo.data?.account.contacts.nodes.map((n) => n.id)).toEqual([ids.cB]);
    });

    it('writes: another rep’s record is 404 for update, delete and restore; nothing changes', async () => {
      expect(
        (await t.http.patch(`/v1/contacts/${ids.cB}`).set(as(repA)).send({ title: 'pwned' })).status,
      ).toBe(404);
      // reps may delete activities (not contacts): record-level security decides
      const path = `/v1/activities/${ids.actB}`;
      expect((await t.http.patch(path).set(as(repA)).send({ subject: 'pwned' })).status).toBe(404);
      expect((await t.http.delete(path).set(as(repA))).status).toBe(404);
      expect((await t.http.post(`${path}/restore`).set(as(repA))).status).toBe(404);
      const upd = await gql(
        t,
        repA.token,
        `mutation($id: ID!) { updateContact(id: $id, input: { title: "x" }) { id } }`,
        {
          id: ids.cB,
        },
      );
      expect(upd.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const rows = await superSql(t.databaseUrl, 'SELECT title, deleted_at FROM contacts WHERE id = $1', [
        ids.cB,
      ]);
      expect(rows).toEqual([{ title: null, deleted_at: null }]);
    });

    it('cannot link a record to one the caller cannot see', async () => {
      const res = await t.http
        .post('/v1/contacts')
        .set(as(repA))
        .send({ lastName: 'Sneaky', accountId: ids.accB });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ field: 'accountId', code: 'not_found' });
    });

    it('a deleted record of another rep stays invisible to restore', async () => {
      const id = await create(repB, 'activities', { type: 'task', subject: 'gone' });
      expect((await t.http.delete(`/v1/activities/${id}`).set(as(repB))).status).toBe(204);
      expect((await t.http.post(`/v1/activities/${id}/restore`).set(as(repA))).status).toBe(404);
      expect((await t.http.post(`/v1/activities/${id}/restore`).set(as(repB))).status).toBe(200);
    });
  });

  describe('role hierarchy', () => {
    it('a manager sees and edits records owned by roles below theirs', async () => {
      const ids2 = await listIds(manager, 'contacts');
      expect(ids2).toEqual(expect.arrayContaining([ids.cA, ids.cB, ids.cX]));
      const res = await t.http.patch(`/v1/contacts/${ids.cA}`).set(as(manager)).send({ title: 'Reviewed' });
      expect(res.status).toBe(200);
      expect(res.body.title).toBe('Reviewed');
    });

    it('a rep does not see the manager’s records (hierarchy goes down only)', async () => {
      const mine = await create(manager, 'contacts', { lastName: 'Managerial' });
      expect((await t.http.get(`/v1/contacts/${mine}`).set(as(repA))).status).toBe(404);
      expect((await t.http.get(`/v1/contacts/${mine}`).set(as(manager))).status).toBe(200);
    });
  });

  describe('shares', () => {
    it('a team share grants read: get and list work, update/delete/restore are 403', async () => {
      await share('contacts', ids.cB, 'team', east, 'read');
      expect((await t.http.get(`/v1/contacts/${ids.cB}`).set(as(repA))).status).toBe(200);
      expect(await listIds(repA, 'contacts', { q: 'Bravoson' })).toEqual([ids.cB]);
      const upd = await t.http.patch(`/v1/contacts/${ids.cB}`).set(as(repA)).send({ title: 'nope' });
      expect(upd.status).toBe(403);
      expect(upd.body.code).toBe('FORBIDDEN');
      const activity = await create(repB, 'activities', { type: 'call', subject: 'team call' });
      await share('activities', activity, 'team', east, 'read');
      const path = `/v1/activities/${activity}`;
      expect((await t.http.get(path).set(as(repA))).status).toBe(200);
      expect((await t.http.patch(path).set(as(repA)).send({ subject: 'nope' })).status).toBe(403);
      expect((await t.http.delete(path).set(as(repA))).status).toBe(403);
      expect((await t.http.post(`${path}/restore`).set(as(repA))).status).toBe(403);
      const gqlDel = await gql(t, repA.token, `mutation($id: ID!) { deleteActivity(id: $id) }`, {
        id: activity,
      });
      expect(gqlDel.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const rows = await superSql(t.databaseUrl, 'SELECT subject, deleted_at FROM activities WHERE id = $1', [
        activity,
      ]);
      expect(rows).toEqual([{ subject: 'team call', deleted_at: null }]);
      // rep B's other team sees nothing new; the share is for team East only
      expect((await t.http.get(`/v1/contacts/${ids.cA}`).set(as(repB))).status).toBe(404);
    });

    it('a readWrite user share allows update', async () => {
      await share('contacts', ids.cB, 'user', repA.userId, 'readWrite');
      const res = await t.http.patch(`/v1/contacts/${ids.cB}`).set(as(repA)).send({ title: 'Shared edit' });
      expect(res.status).toBe(200);
      expect(res.body.title).toBe('Shared edit');
    });

    it('a role share reaches every holder of the role', async () => {
      await share('accounts', ids.accB, 'role', await roleId(t, admin.tenantId, 'salesRep'), 'read');
      expect((await t.http.get(`/v1/accounts/${ids.accB}`).set(as(repA))).status).toBe(200);
      expect((await t.http.patch(`/v1/accounts/${ids.accB}`).set(as(repA)).send({ phone: '1' })).status).toBe(
        403,
      );
    });

    it('removing a share takes the access away at once', async () => {
      const other = await create(repB, 'activities', { type: 'task', subject: 'shared task' });
      const shareId = await share('activities', other, 'user', repA.userId, 'read');
      expect((await t.http.get(`/v1/activities/${other}`).set(as(repA))).status).toBe(200);
      const listed = await t.http.get('/v1/shares').query({ recordId: other }).set(as(admin));
      expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([shareId]);
      expect((await t.http.delete(`/v1/shares/${shareId}`).set(as(admin))).status).toBe(204);
      expect((await t.http.get(`/v1/activities/${other}`).set(as(repA))).status).toBe(404);
    });

    it('validates shares: unknown object, record or grantee', async () => {
      const bad = (body: object) => t.http.post('/v1/shares').set(as(admin)).send(body);
      const record = await create(repA, 'contacts', { lastName: 'Sharable' });
      const base = {
        object: 'contacts',
        recordId: record,
        granteeType: 'user',
        granteeId: repB.userId,
        access: 'read',
      };
      expect((await bad({ ...base, object: 'widgets' })).status).toBe(404);
      expect((await bad({ ...base, recordId: ids.accA })).status).toBe(404);
      const grantee = await bad({ ...base, granteeId: ids.accA });
      expect(grantee.status).toBe(400);
      expect(grantee.body.errors[0].field).toBe('granteeId');
      expect((await bad({ ...base, access: 'owner' })).status).toBe(400);
      const first = await bad(base);
      expect(first.status).toBe(201);
      const again = await bad({ ...base, access: 'readWrite' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, access: 'readWrite' });
    });
  });

  describe('principals without a user', () => {
    it('an OAuth client is role-based only: hierarchy below its role and role shares, never owner rules', async () => {
      const scopes = ['contacts:read', 'contacts:create'];
      const client = await t.http
        .post('/v1/oauth-clients')
        .set(as(admin))
        .send({
          name: 'Rep-level partner',
          roleId: await roleId(t, admin.tenantId, 'salesRep'),
          allowedScopes: scopes,
        });
      expect(client.status).toBe(201);
      const token = await t.http
        .post('/oauth/token')
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_id: client.body.clientId,
          client_secret: client.body.clientSecret,
          scope: scopes.join(' '),
        });
      expect(token.status).toBe(200);
      const partner = { ...repA, token: token.body.access_token as string };
      // reps own cA and cB: the same role as the client's, not below it, and not shared with the role
      expect((await t.http.get(`/v1/contacts/${ids.cA}`).set(as(partner))).status).toBe(404);
      expect((await t.http.get(`/v1/contacts/${ids.cB}`).set(as(partner))).status).toBe(404);
      const shared = await create(repB, 'contacts', { lastName: 'For reps' });
      await share('contacts', shared, 'role', await roleId(t, admin.tenantId, 'salesRep'), 'read');
      expect(await listIds(partner, 'contacts')).toEqual([shared]);
      // what it creates has no owner: under a private default only the role rules can reach it
      const made = await t.http.post('/v1/contacts').set(as(partner)).send({ lastName: 'Partner-made' });
      expect(made.status).toBe(201);
      expect(made.body.ownerId).toBeNull();
      expect((await t.http.get(`/v1/contacts/${made.body.id}`).set(as(partner))).status).toBe(404);
    });
  });

  describe('org-wide defaults', () => {
    it('read: everyone reads, only owner/hierarchy/readWrite shares write', async () => {
      await setDefault('activities', 'read');
      try {
        expect((await t.http.get(`/v1/activities/${ids.actB}`).set(as(repA))).status).toBe(200);
        const upd = await t.http.patch(`/v1/activities/${ids.actB}`).set(as(repA)).send({ subject: 'x' });
        expect(upd.status).toBe(403);
        expect(
          (await t.http.patch(`/v1/activities/${ids.actB}`).set(as(repB)).send({ subject: 'mine' })).status,
        ).toBe(200);
      } finally {
        await setDefault('activities', 'private');
      }
      expect((await t.http.get(`/v1/activities/${ids.actB}`).set(as(repA))).status).toBe(404);
    });

    it('readWrite: everyone reads and writes; an object never configured is readWrite', async () => {
      await setDefault('activities', 'readWrite');
      try {
        const upd = await t.http
          .patch(`/v1/activities/${ids.actB}`)
          .set(as(repA))
          .send({ subject: 'team edit' });
        expect(upd.status).toBe(200);
      } finally {
        await setDefault('activities', 'private');
      }
      const other = await newTenant(t);
      const settings = await t.http.get('/v1/sharing-settings').set(as(other));
      expect(settings.body).toEqual(
        expect.arrayContaining([
          { object: 'contacts', defaultAccess: 'readWrite', isDefault: true, updatedAt: null },
        ]),
      );
      const gqlSetting = await gql<{ sharingSetting: { defaultAccess: string } }>(
        t,
        admin.token,
        `{ sharingSetting(object: "contacts") { defaultAccess isDefault } }`,
      );
      expect(gqlSetting.data?.sharingSetting).toEqual({ defaultAccess: 'private', isDefault: false });
    });

    it('needs sharing:manage to change or read the sharing configuration', async () => {
      const res = await t.http
        .put('/v1/sharing-settings/contacts')
        .set(as(manager))
        .send({ defaultAccess: 'readWrite' });
      expect(res.status).toBe(403);
      expect((await t.http.get('/v1/shares').set(as(repA))).status).toBe(403);
      expect((await t.http.get(`/v1/contacts/${ids.cA}/access`).set(as(repA))).status).toBe(403);
      const g = await gql(t, repA.token, `{ sharingSettings { object } }`);
      expect(g.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('access explanation', () => {
    type Explained = {
      read: { allowed: boolean; rule: string };
      write: { allowed: boolean; rule: string };
      rules: { rule: string; grants: string; shareIds: string[] }[];
    };
    const explain = async (plural: string, id: string, userId: string): Promise<Explained> => {
      const res = await t.http.get(`/v1/${plural}/${id}/access`).query({ userId }).set(as(admin));
      expect(res.status).toBe(200);
      return res.body as Explained;
    };

    it('names the rule that grants or denies, and agrees with what is enforced', async () => {
      const own = await explain('contacts', ids.cA, repA.userId);
      expect(own.read).toEqual({ allowed: true, rule: 'owner' });
      expect(own.write).toEqual({ allowed: true, rule: 'owner' });

      const boss = await explain('contacts', ids.cA, manager.userId);
      expect(boss.read.rule).toBe('hierarchy');
      expect(boss.write.rule).toBe('hierarchy');

      const none = await explain('contacts', ids.cA, repB.userId);
      expect(none.read).toEqual({ allowed: false, rule: 'none' });
      expect(none.rules.find((r) => r.rule === 'orgDefault')?.grants).toBe('none');

      const team = await explain('contacts', ids.cB, manager.userId);
      expect(team.read.rule).toBe('hierarchy');
      const shared = await explain('contacts', ids.cB, repA.userId);
      // the user share (readWrite) beats the team share (read); both are listed
      expect(shared.read.rule).toBe('userShare');
      expect(shared.write.rule).toBe('userShare');
      expect(shared.rules.find((r) => r.rule === 'teamShare')).toMatchObject({ grants: 'read' });
      expect(shared.rules.find((r) => r.rule === 'teamShare')?.shareIds).toHaveLength(1);

      const role = await explain('accounts', ids.accB, repA.userId);
      expect(role.read.rule).toBe('roleShare');
      expect(role.write).toEqual({ allowed: false, rule: 'none' });

      const adm = await explain('contacts', ids.cB, admin.userId);
      expect(adm.read.rule).toBe('admin');
    });

    it('GraphQL recordAccess, and 404s for an unknown record or user', async () => {
      const g = await gql<{ recordAccess: { read: { rule: string }; fields: Record<string, string> } }>(
        t,
        admin.token,
        `query($id: ID!, $u: ID) { recordAccess(object: "contacts", id: $id, userId: $u) { read { allowed rule } fields } }`,
        { id: ids.cA, u: repA.userId },
      );
      expect(g.errors).toBeUndefined();
      expect(g.data?.recordAccess.read.rule).toBe('owner');
      expect(g.data?.recordAccess.fields.email).toBe('edit');
      expect((await t.http.get(`/v1/contacts/${ids.accA}/access`).set(as(admin))).status).toBe(404);
      expect(
        (await t.http.get(`/v1/contacts/${ids.cA}/access`).query({ userId: ids.accA }).set(as(admin))).status,
      ).toBe(404);
      expect((await t.http.get(`/v1/widgets/${ids.cA}/access`).set(as(admin))).status).toBe(404);
    });
  });
});
