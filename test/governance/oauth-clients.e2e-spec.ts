import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { KeysService } from '../../src/platform/auth/keys.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';
import { bearer, clientCredentials, createClient, createKey, newContact } from '../auth/credentials.js';

describe('OAuth clients and the client_credentials grant', () => {
  let t: TestApp;
  let admin: UserFixture;
  beforeAll(async () => {
    t = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: '7200' });
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  const tokenOf = async (
    clientId: string,
    secret: string,
    options: Parameters<typeof clientCredentials>[3] = {},
  ) => {
    const res = await clientCredentials(t, clientId, secret, options);
    if (res.status !== 200) throw new Error(`grant failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { access_token: string; scope: string; expires_in: number };
  };

  describe('registering', () => {
    it('returns client_id and a secret shown once, stored as SHA-256', async () => {
      const res = await t.http
        .post('/v1/oauth-clients')
        .set(bearer(admin.token))
        .send({
          name: 'Billing sync',
          roleId: await roleId(t, admin.tenantId, 'readOnly'),
          allowedScopes: ['contacts:read', 'accounts:read'],
        });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        clientId: expect.stringMatching(/^rpc_[A-Za-z0-9_-]{44}$/),
        name: 'Billing sync',
        roleId: await roleId(t, admin.tenantId, 'readOnly'),
        allowedScopes: ['contacts:read', 'accounts:read'],
        // the server's access token lifetime (2 h here) capped at 1 h
        tokenLifetimeSeconds: 3600,
        status: 'active',
        secretRotatedAt: null,
        previousSecretExpiresAt: null,
        createdBy: admin.userId,
        revokedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
        clientSecret: expect.stringMatching(/^rcs_[A-Za-z0-9_-]{43}$/),
      });
      const [row] = await superSql<{ secret_hash: string }>(
        t.databaseUrl,
        'SELECT secret_hash FROM oauth_clients WHERE id = $1',
        [res.body.id],
      );
      expect(row.secret_hash).toBe(
        createHash('sha256').update(res.body.clientSecret.slice(4)).digest('base64url'),
      );
      const list = await t.http.get('/v1/oauth-clients').set(bearer(admin.token));
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain(res.body.clientSecret.slice(4));
      expect((list.body.data as { id: string }[]).map((c) => c.id)).toContain(res.body.id);
    });

    it('needs oauth-clients:manage, on REST and GraphQL', async () => {
      const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
      const res = await t.http
        .post('/v1/oauth-clients')
        .set(bearer(rep.token))
        .send({
          name: 'x',
          roleId: await roleId(t, admin.tenantId, 'readOnly'),
          allowedScopes: ['contacts:read'],
        });
      expect(res.status).toBe(403);
      expect((await t.http.get('/v1/oauth-clients').set(bearer(rep.token))).status).toBe(403);
      const g = await gql(t, rep.token, '{ oauthClients { nodes { id } } }');
      expect(g.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });

    it('refuses allowed scopes beyond the creating admin with 403 naming them, and an unknown role with 400', async () => {
      // An admin whose token is narrowed to oauth-clients:manage and contacts:read holds nothing else.
      const narrowed = await newUser(t, admin.tenantId, {
        isAdmin: true,
        scope: 'oauth-clients:manage contacts:read',
      });
      const res = await t.http
        .post('/v1/oauth-clients')
        .set(bearer(narrowed.token))
        .send({
          name: 'x',
          roleId: await roleId(t, admin.tenantId, 'admin'),
          allowedScopes: ['contacts:read', 'contacts:delete'],
        });
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('contacts:delete');
      expect(res.body.detail).not.toContain('contacts:read,');

      const badRole = await t.http
        .post('/v1/oauth-clients')
        .set(bearer(admin.token))
        .send({
          name: 'x',
          roleId: '0190b9f4-8d7e-7000-8000-000000000000',
          allowedScopes: ['contacts:read'],
        });
      expect(badRole.status).toBe(400);
      expect(badRole.body.errors[0].field).toBe('roleId');

      const g = await gql(
        t,
        narrowed.token,
        `mutation($input: CreateOAuthClientInput!) { createOAuthClient(input: $input) { id } }`,
        {
          input: {
            name: 'x',
            roleId: await roleId(t, admin.tenantId, 'admin'),
            allowedScopes: ['users:manage'],
          },
        },
      );
      expect(g.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(g.errors?.[0].message).toContain('users:manage');
    });

    it('refuses a token lifetime over one hour', async () => {
      const res = await t.http
        .post('/v1/oauth-clients')
        .set(bearer(admin.token))
        .send({
          name: 'x',
          roleId: await roleId(t, admin.tenantId, 'readOnly'),
          allowedScopes: ['contacts:read'],
          tokenLifetimeSeconds: 3601,
        });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('tokenLifetimeSeconds');
    });
  });

  describe('POST /oauth/token grant_type=client_credentials', () => {
    it('issues a short-lived client token with client_secret_basic and client_secret_post', async () => {
      const c = await createClient(
        t,
        admin.token,
        admin.tenantId,
        ['contacts:read', 'accounts:read'],
        'readOnly',
        {
          tokenLifetimeSeconds: 600,
        },
      );
      for (const method of ['basic', 'post'] as const) {
        const res = await clientCredentials(t, c.clientId, c.clientSecret, { method });
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.body).toEqual({
          access_token: expect.any(String),
          token_type: 'Bearer',
          expires_in: 600,
          scope: 'contacts:read accounts:read',
        });
        const claims = decodeJwt(res.body.access_token);
        expect(decodeProtectedHeader(res.body.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
        expect(claims).toMatchObject({
          ptyp: 'client',
          sub: c.clientId,
          client_id: c.clientId,
          tid: admin.tenantId,
          scope: 'contacts:read accounts:read',
        });
        expect(claims.exp! - claims.iat!).toBe(600);
      }
    });

    it('narrows to the requested scope, and answers a scope beyond the allowed set with 400 invalid_scope', async () => {
      const c = await createClient(
        t,
        admin.token,
        admin.tenantId,
        ['contacts:read', 'accounts:read'],
        'readOnly',
      );
      expect((await tokenOf(c.clientId, c.clientSecret, { scope: 'contacts:read' })).scope).toBe(
        'contacts:read',
      );
      const res = await clientCredentials(t, c.clientId, c.clientSecret, {
        scope: 'contacts:read contacts:delete',
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_scope',
        error_description: expect.stringContaining('contacts:delete'),
      });
    });

    it("grants only what the client's role grants too (requested ∩ allowed ∩ role)", async () => {
      // readOnly grants no contacts:update, so the allowed scope is dropped from the token.
      const c = await createClient(
        t,
        admin.token,
        admin.tenantId,
        ['contacts:read', 'contacts:update'],
        'readOnly',
      );
      expect((await tokenOf(c.clientId, c.clientSecret)).scope).toBe('contacts:read');
      const none = await clientCredentials(t, c.clientId, c.clientSecret, { scope: 'contacts:update' });
      expect(none.status).toBe(400);
      expect(none.body.error).toBe('invalid_scope');
    });

    it('answers bad client authentication with 401 invalid_client and a Basic challenge', async () => {
      const c = await createClient(t, admin.token, admin.tenantId, ['contacts:read'], 'readOnly');
      const attempts = [
        clientCredentials(t, c.clientId, `rcs_${'A'.repeat(43)}`),
        clientCredentials(t, c.clientId, 'not-a-secret', { method: 'post' }),
        clientCredentials(t, `rpc_${'A'.repeat(44)}`, c.clientSecret),
        clientCredentials(t, 'someone', c.clientSecret, { method: 'post' }),
        t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials' }),
        t.http
          .post('/oauth/token')
          .type('form')
          .send({ grant_type: 'client_credentials', client_id: c.clientId }),
        t.http
          .post('/oauth/token')
          .set('authorization', 'Basic !!!')
          .type('form')
          .send({ grant_type: 'client_credentials' }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
        expect(res.headers['www-authenticate']).toMatch(/^Basic realm="rapport"/);
      }
    });

    it('refuses two authentication methods at once, and other grants for a client', async () => {
      const c = await createClient(t, admin.token, admin.tenantId, ['contacts:read'], 'readOnly');
      const basic = Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64');
      const both = await t.http
        .post('/oauth/token')
        .set('authorization', `Basic ${basic}`)
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
      expect(both.status).toBe(400);
      expect(both.body.error).toBe('invalid_request');
      const password = await t.http
        .post('/oauth/token')
        .set('authorization', `Basic ${basic}`)
        .type('form')
        .send({ grant_type: 'password', username: admin.email, password: admin.password });
      expect(password.status).toBe(400);
      expect(password.body.error).toBe('unauthorized_client');
    });

    it('keeps the old secret working during the rotation overlap window, then only the new one', async () => {
      const c = await createClient(t, admin.token, admin.tenantId, ['contacts:read'], 'readOnly');
      const rotated = await t.http
        .post(`/v1/oauth-clients/${c.id}/rotate-secret`)
        .set(bearer(admin.token))
        .send({ previousSecretTtlSeconds: 3600 });
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({
        id: c.id,
        clientId: c.clientId,
        clientSecret: expect.stringMatching(/^rcs_/),
        secretRotatedAt: expect.any(String),
        previousSecretExpiresAt: expect.any(String),
        version: 2,
      });
      const remaining = new Date(rotated.body.previousSecretExpiresAt).getTime() - Date.now();
      expect(remaining).toBeGreaterThan(3500_000);
      expect(remaining).toBeLessThanOrEqual(3600_000);
      const fresh = rotated.body.clientSecret as string;
      expect(fresh).not.toBe(c.clientSecret);

      expect((await clientCredentials(t, c.clientId, c.clientSecret)).status).toBe(200);
      expect((await clientCredentials(t, c.clientId, fresh)).status).toBe(200);

      // The window passes.
      await superSql(
        t.databaseUrl,
        `UPDATE oauth_clients SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
        [c.id],
      );
      expect((await clientCredentials(t, c.clientId, c.clientSecret)).status).toBe(401);
      expect((await clientCredentials(t, c.clientId, fresh)).status).toBe(200);
      const shown = await t.http.get(`/v1/oauth-clients/${c.id}`).set(bearer(admin.token));
      expect(shown.body.previousSecretExpiresAt).toBeNull();
    });

    it('rotates through GraphQL too, and an overlap of 0 ends the old secret at once', async () => {
      const c = await createClient(t, admin.token, admin.tenantId, ['contacts:read'], 'readOnly');
      const g = await gql<{
        rotateOAuthClientSecret: { clientSecret: string; previousSecretExpiresAt: null };
      }>(
        t,
        admin.token,
        `mutation($id: ID!) { rotateOAuthClientSecret(id: $id, input: { previousSecretTtlSeconds: 0 }) {
           clientSecret previousSecretExpiresAt } }`,
        { id: c.id },
      );
      expect(g.errors).toBeUndefined();
      expect(g.data?.rotateOAuthClientSecret.previousSecretExpiresAt).toBeNull();
      expect((await clientCredentials(t, c.clientId, c.clientSecret)).status).toBe(401);
      expect(
        (await clientCredentials(t, c.clientId, g.data!.rotateOAuthClientSecret.clientSecret)).status,
      ).toBe(200);

      // Without input: the default overlap of 24 hours, on GraphQL and on REST (no body).
      const byDefault = await gql<{ rotateOAuthClientSecret: { previousSecretExpiresAt: string } }>(
        t,
        admin.token,
        `mutation($id: ID!) { rotateOAuthClientSecret(id: $id) { previousSecretExpiresAt } }`,
        { id: c.id },
      );
      expect(byDefault.errors).toBeUndefined();
      const overlap = new Date(byDefault.data!.rotateOAuthClientSecret.previousSecretExpiresAt).getTime();
      expect(overlap - Date.now()).toBeGreaterThan(86_000_000);
      const rest = await t.http.post(`/v1/oauth-clients/${c.id}/rotate-secret`).set(bearer(admin.token));
      expect(rest.status).toBe(200);
      expect(new Date(rest.body.previousSecretExpiresAt).getTime() - Date.now()).toBeGreaterThan(86_000_000);
    });
  });

  describe('client tokens', () => {
    it('are refused when their claims do not fit together, even signed by us', async () => {
      const c = await createClient(t, admin.token, admin.tenantId, ['contacts:read'], 'readOnly');
      const other = await newTenant(t);
      const { access_token: good } = await tokenOf(c.clientId, c.clientSecret);
      const claims = decodeJwt(good);
      const keys = t.app.get(KeysService);
      const forged = [
        { ...claims, client_id: 'rpc_other' },
        { ...claims, tid: other.tenantId },
        { ...claims, sub: `rpc_${'A'.repeat(44)}`, client_id: `rpc_${'A'.repeat(44)}` },
        { ...claims, scope: undefined },
      ];
      expect((await t.http.get('/v1/contacts').set(bearer(good))).status).toBe(200);
      for (const payload of forged) {
        const token = await keys.sign(payload, 'at+jwt');
        expect((await t.http.get('/v1/contacts').set(bearer(token))).status).toBe(401);
      }
    });

    it('call REST and GraphQL within their scope; a DELETE beyond it is 403 insufficient_scope', async () => {
      const contact = await newContact(t, admin.token, 'Partner visible');
      const c = await createClient(
        t,
        admin.token,
        admin.tenantId,
        ['contacts:read', 'contacts:delete'],
        'salesManager',
      );
      const { access_token: token } = await tokenOf(c.clientId, c.clientSecret, { scope: 'contacts:read' });
      const get = await t.http.get(`/v1/contacts/${contact}`).set(bearer(token));
      expect(get.status).toBe(200);
      const g = await gql<{ contact: { lastName: string } }>(
        t,
        token,
        `query($id: ID!) { contact(id: $id) { lastName } }`,
        {
          id: contact,
        },
      );
      expect(g.data?.contact.lastName).toBe('Partner visible');
      const del = await t.http.delete(`/v1/contacts/${contact}`).set(bearer(token));
      expect(del.status).toBe(403);
      expect(del.headers['www-authenticate']).toMatch(/insufficient_scope/);
      expect((await t.http.post('/v1/contacts').set(bearer(token)).send({ lastName: 'x' })).status).toBe(403);
    });

    it('cannot manage API keys or clients (credentials are managed by users)', async () => {
      const c = await createClient(
        t,
        admin.token,
        admin.tenantId,
        ['contacts:read', 'oauth-clients:manage'],
        'admin',
      );
      const { access_token: token } = await tokenOf(c.clientId, c.clientSecret);
      const res = await t.http
        .post('/v1/oauth-clients')
        .set(bearer(token))
        .send({ name: 'child', roleId: c.roleId, allowedScopes: ['contacts:read'] });
      expect(res.status).toBe(403);
      expect(
        (
          await t.http
            .post('/v1/api-keys')
            .set(bearer(token))
            .send({ name: 'k', scopes: ['contacts:read'] })
        ).status,
      ).toBe(403);
    });

    it('stop working when the client is revoked, and no new ones are issued', async () => {
      const c = await createClient(t, admin.token, admin.tenantId, ['contacts:read'], 'readOnly');
      const { access_token: token } = await tokenOf(c.clientId, c.clientSecret);
      expect((await t.http.get('/v1/contacts').set(bearer(token))).status).toBe(200);
      const revoked = await t.http.post(`/v1/oauth-clients/${c.id}/revoke`).set(bearer(admin.token));
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      const refused = await t.http.get('/v1/contacts').set(bearer(token));
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/invalid_token/);
      expect((await gql(t, token, '{ contacts { nodes { id } } }')).errors?.[0].extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
      const again = await clientCredentials(t, c.clientId, c.clientSecret);
      expect(again.status).toBe(401);
      expect(again.body.error).toBe('invalid_client');
      expect(
        (await t.http.post(`/v1/oauth-clients/${c.id}/rotate-secret`).set(bearer(admin.token))).status,
      ).toBe(409);
    });

    it('follow changes of the client at once: narrowing its allowed scopes or role narrows issued tokens', async () => {
      const contact = await newContact(t, admin.token, 'Narrowed');
      const c = await createClient(
        t,
        admin.token,
        admin.tenantId,
        ['contacts:read', 'accounts:read'],
        'readOnly',
      );
      const { access_token: token } = await tokenOf(c.clientId, c.clientSecret);
      expect((await t.http.get(`/v1/contacts/${contact}`).set(bearer(token))).status).toBe(200);
      const patched = await t.http
        .patch(`/v1/oauth-clients/${c.id}`)
        .set(bearer(admin.token))
        .send({ allowedScopes: ['accounts:read'] });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ allowedScopes: ['accounts:read'], version: 2 });
      expect((await t.http.get(`/v1/contacts/${contact}`).set(bearer(token))).status).toBe(403);
      expect((await t.http.get('/v1/accounts').set(bearer(token))).status).toBe(200);
    });

    it("keep tenants apart: a client of tenant B sees none of tenant A's records or clients", async () => {
      const a = await newTenant(t);
      const b = await newTenant(t);
      const contactA = await newContact(t, a.token, 'Tenant A secret');
      const clientA = await createClient(t, a.token, a.tenantId, ['contacts:read'], 'readOnly');
      const clientB = await createClient(
        t,
        b.token,
        b.tenantId,
        ['contacts:read', 'contacts:delete'],
        'admin',
      );
      const { access_token: tokenB } = await tokenOf(clientB.clientId, clientB.clientSecret);

      expect((await t.http.get(`/v1/contacts/${contactA}`).set(bearer(tokenB))).status).toBe(404);
      expect((await t.http.delete(`/v1/contacts/${contactA}`).set(bearer(tokenB))).status).toBe(404);
      expect((await t.http.get('/v1/contacts').set(bearer(tokenB))).body.data).toEqual([]);
      const g = await gql<{ contacts: { nodes: unknown[] } }>(t, tokenB, '{ contacts { nodes { id } } }');
      expect(g.data?.contacts.nodes).toEqual([]);
      expect((await t.http.get(`/v1/oauth-clients/${clientA.id}`).set(bearer(b.token))).status).toBe(404);
      // Tenant A's client secret is no good with a client_id pointing at tenant B's row.
      expect((await clientCredentials(t, clientB.clientId, clientA.clientSecret)).status).toBe(401);
      // API keys of B are equally blind to A.
      const keyB = await createKey(t, b.token, ['contacts:read']);
      expect((await t.http.get(`/v1/contacts/${contactA}`).set(bearer(keyB.key))).status).toBe(404);
    });
  });
});
