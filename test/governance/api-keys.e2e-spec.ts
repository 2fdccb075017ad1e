import { createHash } from 'node:crypto';
import { UsersService } from '../../src/platform/auth/users.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';
import { bearer, createKey, newContact, postKey } from '../auth/credentials.js';

const KEY_RE = /^rpk_[A-Za-z0-9_-]{44}_[A-Za-z0-9_-]{43}$/;

describe('API keys', () => {
  let t: TestApp;
  let admin: UserFixture;
  let rep: UserFixture;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http.get('/v1/me').set(bearer(token));
  const keyRow = async (id: string) =>
    (
      await superSql<{ secret_hash: string; last_used_at: Date | null; revoked_at: Date | null }>(
        t.databaseUrl,
        'SELECT secret_hash, last_used_at, revoked_at FROM api_keys WHERE id = $1',
        [id],
      )
    )[0];

  describe('creating', () => {
    it('returns the key once, stores only its SHA-256, and never shows it again', async () => {
      const res = await postKey(t, rep.token, {
        name: 'Nightly export',
        scopes: ['contacts:read', 'accounts:read'],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: 'Nightly export',
        prefix: expect.stringMatching(/^rpk_[A-Za-z0-9_-]{44}$/),
        userId: rep.userId,
        createdBy: rep.userId,
        scopes: ['contacts:read', 'accounts:read'],
        status: 'active',
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        createdAt: expect.any(String),
        key: expect.stringMatching(KEY_RE),
      });
      const { key, id, prefix } = res.body as { key: string; id: string; prefix: string };
      expect(key.startsWith(`${prefix}_`)).toBe(true);
      const secret = key.slice(prefix.length + 1);
      expect((await keyRow(id)).secret_hash).toBe(createHash('sha256').update(secret).digest('base64url'));

      const list = await t.http.get('/v1/api-keys').set(bearer(rep.token));
      expect(list.status).toBe(200);
      const listed = (list.body.data as Record<string, unknown>[]).find((k) => k.id === id);
      expect(listed).toMatchObject({ id, name: 'Nightly export', prefix, status: 'active' });
      expect(JSON.stringify(list.body)).not.toContain(secret);
      const one = await t.http.get(`/v1/api-keys/${id}`).set(bearer(rep.token));
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty('key');
    });

    it('refuses a key stronger than its creator with 403 naming the scopes, on REST and GraphQL', async () => {
      const res = await postKey(t, rep.token, {
        name: 'too strong',
        scopes: ['contacts:read', 'contacts:delete', 'users:manage'],
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect(res.body.detail).toContain('contacts:delete, users:manage');
      expect(res.body.detail).not.toContain('contacts:read');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['scopes', 'scopes']);

      const g = await gql(
        t,
        rep.token,
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { id key } }`,
        { input: { name: 'too strong', scopes: ['contacts:delete'] } },
      );
      expect(g.data).toBeNull();
      expect(g.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(g.errors?.[0].message).toContain('contacts:delete');
      const rows = await superSql(t.databaseUrl, `SELECT 1 FROM api_keys WHERE name = 'too strong'`);
      expect(rows).toEqual([]);
    });

    it('refuses scopes beyond the scope of the token it is created with', async () => {
      const narrowed = await newUser(t, admin.tenantId, { role: 'salesRep', scope: 'contacts:read' });
      const res = await postKey(t, narrowed.token, { name: 'wider', scopes: ['contacts:update'] });
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('contacts:update');
      expect((await postKey(t, narrowed.token, { name: 'ok', scopes: ['contacts:read'] })).status).toBe(201);
    });

    it('validates names, scopes and expiry', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ name: 'x', scopes: [] }, 'scopes'],
        [{ name: 'x', scopes: ['contacts:fly'] }, 'scopes'],
        [{ name: '', scopes: ['contacts:read'] }, 'name'],
        [{ name: 'x', scopes: ['contacts:read'], expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
        [{ name: 'x', scopes: ['contacts:read'], expiresAt: 'tomorrow' }, 'expiresAt'],
        [{ name: 'x', scopes: ['contacts:read'], role: 'admin' }, 'role'],
      ];
      for (const [body, field] of cases) {
        const res = await postKey(t, rep.token, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('lets api-keys:manage holders make keys for others, within both their permissions', async () => {
      const res = await postKey(t, admin.token, {
        name: 'for the rep',
        scopes: ['contacts:read'],
        userId: rep.userId,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ userId: rep.userId, createdBy: admin.userId });
      expect((await me(res.body.key)).body.id).toBe(rep.userId);

      const beyondOwner = await postKey(t, admin.token, {
        name: 'x',
        scopes: ['users:manage'],
        userId: rep.userId,
      });
      expect(beyondOwner.status).toBe(400);
      expect(beyondOwner.body.detail).toContain('users:manage');

      const other = await newUser(t, admin.tenantId, { role: 'salesRep' });
      const notManager = await postKey(t, rep.token, {
        name: 'x',
        scopes: ['contacts:read'],
        userId: other.userId,
      });
      expect(notManager.status).toBe(403);
    });

    it('cannot be done with an API key (a leaked key cannot mint a successor)', async () => {
      const { key } = await createKey(t, admin.token, ['contacts:read', 'api-keys:manage']);
      const res = await postKey(t, key, { name: 'child', scopes: ['contacts:read'] });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/managed by users/);
    });
  });

  describe('authenticating', () => {
    it('acts as its owner on REST and GraphQL, with the key type in the context', async () => {
      const { key } = await createKey(t, rep.token, ['contacts:read']);
      const res = await me(key);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: rep.userId, tenantId: rep.tenantId });
      const g = await gql<{ viewer: { id: string } }>(t, key, '{ viewer { id } }');
      expect(g.errors).toBeUndefined();
      expect(g.data?.viewer.id).toBe(rep.userId);
    });

    it('reads what its scopes allow and refuses a DELETE with 403 insufficient_scope', async () => {
      const contact = await newContact(t, admin.token, 'Scoped');
      const { key } = await createKey(t, admin.token, ['contacts:read']);
      const read = await t.http.get(`/v1/contacts/${contact}`).set(bearer(key));
      expect(read.status).toBe(200);

      const del = await t.http.delete(`/v1/contacts/${contact}`).set(bearer(key));
      expect(del.status).toBe(403);
      expect(del.body.detail).toMatch(/insufficient_scope/);
      expect(del.body.reason).toBe('insufficient_scope');
      expect(del.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
      const g = await gql(t, key, `mutation($id: ID!) { deleteContact(id: $id) }`, { id: contact });
      expect(g.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'insufficient_scope' });
      const rows = await superSql(t.databaseUrl, 'SELECT deleted_at FROM contacts WHERE id = $1', [contact]);
      expect(rows).toEqual([{ deleted_at: null }]);
    });

    it('is refused at once after revocation, through REST and GraphQL revoke', async () => {
      const a = await createKey(t, rep.token, ['contacts:read']);
      expect((await me(a.key)).status).toBe(200);
      const revoked = await t.http.post(`/v1/api-keys/${a.id}/revoke`).set(bearer(rep.token));
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: a.id, status: 'revoked', revokedAt: expect.any(String) });
      const refused = await me(a.key);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(
        /error="invalid_token", error_description="The API key is not valid\."/,
      );

      const b = await createKey(t, rep.token, ['contacts:read']);
      const g = await gql(t, rep.token, `mutation($id: ID!) { revokeApiKey(id: $id) { status } }`, {
        id: b.id,
      });
      expect(g.data).toEqual({ revokeApiKey: { status: 'revoked' } });
      expect((await me(b.key)).status).toBe(401);
      expect((await gql(t, b.key, '{ viewer { id } }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('is refused once expired', async () => {
      const k = await createKey(t, rep.token, ['contacts:read'], {
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      expect((await me(k.key)).status).toBe(200);
      await superSql(
        t.databaseUrl,
        `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [k.id],
      );
      const res = await me(k.key);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/The API key has expired/);
      const listed = await t.http.get(`/v1/api-keys/${k.id}`).set(bearer(rep.token));
      expect(listed.body.status).toBe('expired');
    });

    it('refuses a wrong secret, a malformed key and a key of another tenant id alike', async () => {
      const k = await createKey(t, rep.token, ['contacts:read']);
      const wrongSecret = `${k.prefix}_${'A'.repeat(43)}`;
      const other = await newTenant(t);
      const otherTenant = `rpk_${Buffer.from(other.tenantId.replace(/-/g, ''), 'hex').toString('base64url')}${k.prefix.slice(26)}${k.key.slice(k.prefix.length)}`;
      for (const token of [wrongSecret, 'rpk_nope', `${k.key}x`, otherTenant]) {
        const res = await me(token);
        expect({ token, status: res.status }).toEqual({ token, status: 401 });
        expect(res.body.detail).toBe('The API key is not valid.');
      }
    });

    it("narrows to the owner's current permissions: demoting the owner demotes the key", async () => {
      const manager = await newUser(t, admin.tenantId, { role: 'salesManager' });
      const contact = await newContact(t, admin.token, 'Demoted');
      const { key } = await createKey(t, manager.token, ['contacts:read', 'contacts:delete']);
      await superSql(t.databaseUrl, 'UPDATE users SET role_id = $1 WHERE id = $2', [
        await roleId(t, admin.tenantId, 'readOnly'),
        manager.userId,
      ]);
      t.app.get(UsersService).forgetPrincipal(admin.tenantId, manager.userId);
      expect((await t.http.get(`/v1/contacts/${contact}`).set(bearer(key))).status).toBe(200);
      const del = await t.http.delete(`/v1/contacts/${contact}`).set(bearer(key));
      expect(del.status).toBe(403);
      expect(del.body.detail).not.toMatch(/insufficient_scope/);
      expect(del.body).toMatchObject({
        reason: 'missing_permission',
        detail: expect.stringMatching(/owner does not hold/),
      });
    });

    it('stops working when its owner is disabled', async () => {
      const owner = await newUser(t, admin.tenantId, { role: 'salesRep' });
      const { key } = await createKey(t, owner.token, ['contacts:read']);
      expect((await me(key)).status).toBe(200);
      await t.app.get(UsersService).setStatus(admin.tenantId, owner.userId, 'disabled');
      expect((await me(key)).status).toBe(401);
      await t.app.get(UsersService).setStatus(admin.tenantId, owner.userId, 'active');
      expect((await me(key)).status).toBe(200);
    });

    it('records last use at most once a minute', async () => {
      const k = await createKey(t, rep.token, ['contacts:read']);
      expect((await keyRow(k.id)).last_used_at).toBeNull();
      await me(k.key);
      const first = (await keyRow(k.id)).last_used_at;
      expect(first).toBeInstanceOf(Date);
      await me(k.key);
      await me(k.key);
      expect((await keyRow(k.id)).last_used_at).toEqual(first);
      await superSql(
        t.databaseUrl,
        `UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1`,
        [k.id],
      );
      await me(k.key);
      expect((await keyRow(k.id)).last_used_at!.getTime()).toBeGreaterThan(first!.getTime() - 1000);
      const listed = await t.http.get(`/v1/api-keys/${k.id}`).set(bearer(rep.token));
      expect(listed.body.lastUsedAt).toEqual(expect.any(String));
    });
  });

  describe('listing and visibility', () => {
    it('shows users their own keys only; api-keys:manage shows every key, filterable by user', async () => {
      const mine = await createKey(t, rep.token, ['contacts:read']);
      const other = await newUser(t, admin.tenantId, { role: 'salesRep' });
      const theirs = await createKey(t, other.token, ['contacts:read']);

      const repList = await t.http.get('/v1/api-keys').set(bearer(rep.token));
      const repIds = (repList.body.data as { id: string; userId: string }[]).map((k) => k.id);
      expect(repIds).toContain(mine.id);
      expect(repIds).not.toContain(theirs.id);
      expect((await t.http.get(`/v1/api-keys/${theirs.id}`).set(bearer(rep.token))).status).toBe(404);
      expect((await t.http.post(`/v1/api-keys/${theirs.id}/revoke`).set(bearer(rep.token))).status).toBe(404);
      expect((await t.http.get(`/v1/api-keys?userId=${other.userId}`).set(bearer(rep.token))).status).toBe(
        403,
      );

      const adminList = await t.http.get(`/v1/api-keys?userId=${other.userId}`).set(bearer(admin.token));
      expect((adminList.body.data as { id: string }[]).map((k) => k.id)).toEqual([theirs.id]);
      const g = await gql<{ apiKeys: { nodes: { id: string }[] } }>(
        t,
        admin.token,
        `query($u: ID) { apiKeys(userId: $u) { nodes { id userId scopes status } } }`,
        { u: other.userId },
      );
      expect(g.data?.apiKeys.nodes.map((k) => k.id)).toEqual([theirs.id]);
      expect((await t.http.post(`/v1/api-keys/${theirs.id}/revoke`).set(bearer(admin.token))).status).toBe(
        200,
      );
    });

    it("keeps tenants apart: a key of tenant B sees none of tenant A's records or keys", async () => {
      const a = await newTenant(t);
      const b = await newTenant(t);
      const contactA = await newContact(t, a.token, 'Tenant A only');
      const keyA = await createKey(t, a.token, ['contacts:read']);
      const keyB = await createKey(t, b.token, ['contacts:read', 'contacts:delete', 'api-keys:manage']);

      expect((await t.http.get(`/v1/contacts/${contactA}`).set(bearer(keyB.key))).status).toBe(404);
      expect((await t.http.delete(`/v1/contacts/${contactA}`).set(bearer(keyB.key))).status).toBe(404);
      const list = await t.http.get('/v1/contacts').set(bearer(keyB.key));
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([]);
      const g = await gql<{ contacts: { nodes: unknown[] } }>(t, keyB.key, '{ contacts { nodes { id } } }');
      expect(g.data?.contacts.nodes).toEqual([]);
      expect((await t.http.get(`/v1/api-keys/${keyA.id}`).set(bearer(b.token))).status).toBe(404);
      expect((await t.http.post(`/v1/api-keys/${keyA.id}/revoke`).set(bearer(b.token))).status).toBe(404);
      expect((await me(keyA.key)).status).toBe(200);
    });
  });
});
