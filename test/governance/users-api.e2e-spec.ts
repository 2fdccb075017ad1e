import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, signIn, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';
import { RECORD_OBJECTS } from '../../src/platform/security/permissions.js';

describe('users (/v1/users and GraphQL)', () => {
  let t: TestApp;
  let admin: UserFixture;
  const as = (u: UserFixture | string) => ({
    authorization: `Bearer ${typeof u === 'string' ? u : u.token}`,
  });
  const me = (token: string) => t.http.get('/v1/me').set(as(token));
  const refresh = (token: string) =>
    t.http.post('/oauth/token').type('form').send({ grant_type: 'refresh_token', refresh_token: token });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  it('creates a user with a role, who can then sign in and act within it', async () => {
    const rep = await roleId(t, admin.tenantId, 'salesRep');
    const res = await t.http.post('/v1/users').set(as(admin)).send({
      email: 'Rita.Rep@Example.test',
      displayName: 'Rita Rep',
      password: 'a-long-enough-password',
      roleId: rep,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: 'rita.rep@example.test',
      displayName: 'Rita Rep',
      roleId: rep,
      isAdmin: false,
      status: 'active',
      teamIds: [],
      version: 1,
    });
    expect(res.body).not.toHaveProperty('password');
    expect(res.body).not.toHaveProperty('passwordHash');
    const { accessToken } = await signIn(t, 'rita.rep@example.test', 'a-long-enough-password');
    expect((await t.http.post('/v1/contacts').set(as(accessToken)).send({ lastName: 'Lead' })).status).toBe(
      201,
    );
    expect(
      (await t.http.post('/v1/roles').set(as(accessToken)).send({ name: 'x', permissions: [] })).status,
    ).toBe(403);

    const dup = await t.http.post('/v1/users').set(as(admin)).send({ email: 'rita.rep@example.test' });
    expect(dup.status).toBe(409);
  });

  it('gives a new user the read-only role by default', async () => {
    const res = await t.http.post('/v1/users').set(as(admin)).send({ email: 'quiet@example.test' });
    expect(res.status).toBe(201);
    expect(res.body.roleId).toBe(await roleId(t, admin.tenantId, 'readOnly'));
  });

  it('lists and gets users; any signed-in user may read them', async () => {
    const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
    const list = await t.http.get('/v1/users?limit=200').set(as(reader));
    expect(list.status).toBe(200);
    expect(list.body.data.map((u: { id: string }) => u.id)).toEqual(
      expect.arrayContaining([admin.userId, reader.userId]),
    );
    const one = await t.http.get(`/v1/users/${admin.userId}`).set(as(reader));
    expect(one.body).toMatchObject({ id: admin.userId, isAdmin: true });
    expect((await t.http.get('/v1/users/01900000-0000-7000-8000-000000000000').set(as(reader))).status).toBe(
      404,
    );
    // Writing needs users:manage.
    expect((await t.http.post('/v1/users').set(as(reader)).send({ email: 'x@example.test' })).status).toBe(
      403,
    );
  });

  it('changes a user’s role and display name; the new role applies to their current token', async () => {
    const u = await newUser(t, admin.tenantId, { role: 'readOnly' });
    expect((await t.http.post('/v1/accounts').set(as(u)).send({ name: 'A' })).status).toBe(403);
    const res = await t.http
      .patch(`/v1/users/${u.userId}`)
      .set(as(admin))
      .send({ roleId: await roleId(t, admin.tenantId, 'salesManager'), displayName: 'Promoted' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Promoted', version: 2 });
    expect((await t.http.post('/v1/accounts').set(as(u)).send({ name: 'A' })).status).toBe(201);
  });

  describe('deactivation', () => {
    it('refuses the user’s access token at once, revokes their refresh tokens, and activation does not revive them', async () => {
      const u = await newUser(t, admin.tenantId, { role: 'salesRep' });
      expect((await me(u.token)).status).toBe(200);

      const res = await t.http.post(`/v1/users/${u.userId}/deactivate`).set(as(admin));
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('disabled');

      const refused = await me(u.token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/invalid_token/);
      expect((await refresh(u.refreshToken)).body.error).toBe('invalid_grant');
      const rows = await superSql<{ open: number }>(
        t.databaseUrl,
        'SELECT count(*)::int AS open FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL',
        [u.userId],
      );
      expect(rows[0].open).toBe(0);
      const signInAgain = await t.http
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'password', username: u.email, password: u.password });
      expect(signInAgain.body.error).toBe('invalid_grant');

      const audited = await superSql(
        t.databaseUrl,
        `SELECT action, changes FROM audit_events WHERE object = 'user' AND record_id = $1`,
        [u.userId],
      );
      expect(audited).toContainEqual({
        action: 'permission_change',
        changes: { status: { before: 'active', after: 'disabled' } },
      });

      const back = await t.http.post(`/v1/users/${u.userId}/activate`).set(as(admin));
      expect(back.body.status).toBe('active');
      expect((await refresh(u.refreshToken)).body.error).toBe('invalid_grant');
      await expect(signIn(t, u.email, u.password)).resolves.toHaveProperty('accessToken');
    });

    it('refuses deactivating yourself', async () => {
      const res = await t.http.post(`/v1/users/${admin.userId}/deactivate`).set(as(admin));
      expect(res.status).toBe(409);
    });

    it('works through GraphQL too', async () => {
      const u = await newUser(t, admin.tenantId);
      const res = await gql<{ deactivateUser: { status: string } }>(
        t,
        admin.token,
        'mutation($id: ID!) { deactivateUser(id: $id) { status } }',
        { id: u.userId },
      );
      expect(res.data).toEqual({ deactivateUser: { status: 'disabled' } });
      expect((await me(u.token)).status).toBe(401);
    });
  });

  describe('privilege escalation', () => {
    let helpdesk: UserFixture;

    beforeAll(async () => {
      // Can manage users, but holds only read access to the record objects (what Read-only holds).
      const role = await t.http
        .post('/v1/roles')
        .set(as(admin))
        .send({
          name: 'Helpdesk',
          permissions: ['users:manage', ...RECORD_OBJECTS.map((o) => `${o}:read`)],
        });
      helpdesk = await newUser(t, admin.tenantId, { role: role.body.id });
    });

    it('lets a user manager give roles within their own permissions', async () => {
      const res = await t.http
        .post('/v1/users')
        .set(as(helpdesk))
        .send({ email: 'intern@example.test', roleId: await roleId(t, admin.tenantId, 'readOnly') });
      expect(res.status).toBe(201);
    });

    it('refuses giving a role stronger than the caller, on create and on update', async () => {
      const adminRole = await roleId(t, admin.tenantId, 'admin');
      const create = await t.http
        .post('/v1/users')
        .set(as(helpdesk))
        .send({ email: 'mole@example.test', roleId: adminRole });
      expect(create.status).toBe(403);
      expect(create.body.detail).toMatch(/roles:manage/);
      expect(
        (await superSql(t.databaseUrl, `SELECT 1 FROM users WHERE email = 'mole@example.test'`)).length,
      ).toBe(0);

      const self = await t.http
        .patch(`/v1/users/${helpdesk.userId}`)
        .set(as(helpdesk))
        .send({ roleId: adminRole });
      expect(self.status).toBe(403);
      const rep = await t.http
        .patch(`/v1/users/${helpdesk.userId}`)
        .set(as(helpdesk))
        .send({ roleId: await roleId(t, admin.tenantId, 'salesRep') });
      expect(rep.status).toBe(403);
    });

    it('refuses changing or deactivating a user stronger than the caller', async () => {
      expect((await t.http.post(`/v1/users/${admin.userId}/deactivate`).set(as(helpdesk))).status).toBe(403);
      expect(
        (await t.http.patch(`/v1/users/${admin.userId}`).set(as(helpdesk)).send({ displayName: 'Pwned' }))
          .status,
      ).toBe(403);
      expect((await me(admin.token)).status).toBe(200);
    });
  });
});
