import { jest } from '@jest/globals';
import { createPublicKey } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { AppConfig } from '../../src/platform/config/config.js';
import { RequestContext } from '../../src/platform/context/request-context.js';
import { KeysService } from '../../src/platform/auth/keys.service.js';
import { UsersService } from '../../src/platform/auth/users.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { b64json, errorCodes, gql, VIEWER_QUERY } from './helpers.js';

describe('access tokens on REST and GraphQL', () => {
  let t: TestApp;
  let config: AppConfig;
  let keys: KeysService;
  let u: UserFixture;
  beforeAll(async () => {
    t = await createTestApp();
    config = t.app.get(AppConfig);
    keys = t.app.get(KeysService);
    u = await newTenant(t);
  });
  afterAll(() => t.close());

  const me = (token?: string) => {
    const req = t.http.get('/v1/me');
    return token === undefined ? req : req.set('authorization', `Bearer ${token}`);
  };
  const now = () => Math.floor(Date.now() / 1000);
  /** Claims of a valid token for `u`; tests override one thing at a time. */
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: config.JWT_ISSUER,
    aud: config.JWT_AUDIENCE,
    sub: u.userId,
    tid: u.tenantId,
    scope: '',
    ptyp: 'user',
    iat: now(),
    exp: now() + 300,
    jti: 'test',
    ...over,
  });

  const expect401 = (
    res: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
    challenge: RegExp,
  ) => {
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthorized' });
    expect(res.headers['www-authenticate']).toMatch(challenge);
  };

  describe('GET /v1/me', () => {
    it('returns the signed-in user', async () => {
      const res = await me(u.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: u.userId,
        email: u.email,
        displayName: expect.any(String),
        tenantId: u.tenantId,
        isAdmin: true,
      });
    });

    it('answers no token with 401 problem+json and a Bearer challenge', async () => {
      const res = await me();
      expect401(res, /^Bearer realm="rapport"$/);
      expect(res.body.detail).toMatch(/Bearer/);
    });

    it('answers a non-Bearer Authorization header like a missing token', async () => {
      expect401(await t.http.get('/v1/me').auth('user', 'pass'), /^Bearer realm="rapport"$/);
    });

    it('refuses garbage', async () => {
      for (const token of [
        'garbage',
        'a.b.c',
        `${b64json({ alg: 'RS256', typ: 'at+jwt' })}.${b64json({})}.AAAA`,
      ]) {
        expect401(
          await me(token),
          /error="invalid_token", error_description="The access token is not valid\."/,
        );
      }
    });

    it('answers a blank Bearer token like a missing token', async () => {
      const res = await t.http.get('/v1/me').set('authorization', 'Bearer ');
      expect401(res, /^Bearer realm="rapport"$/);
      expect(res.body.detail).toBe(
        'Authentication is required: send an access token as "Authorization: Bearer <token>".',
      );
    });

    it('refuses an expired token and says so', async () => {
      const token = await keys.sign(claims({ iat: now() - 1000, exp: now() - 60 }), 'at+jwt');
      const res = await me(token);
      expect401(res, /error="invalid_token", error_description="The access token has expired\."/);
      expect(res.body.detail).toBe('The access token has expired.');
    });

    it('allows a few seconds of clock drift on expiry, no more', async () => {
      expect((await me(await keys.sign(claims({ exp: now() - 2 }), 'at+jwt'))).status).toBe(200);
      expect401(await me(await keys.sign(claims({ exp: now() - 30 }), 'at+jwt')), /expired/);
    });

    it('refuses a token for another audience or from another issuer, without echoing why', async () => {
      const res = await me(await keys.sign(claims({ aud: 'someone-else' }), 'at+jwt'));
      expect401(res, /error_description="The access token is not valid\."/);
      expect(res.body.detail).toBe('The access token is not valid.');
      expect(JSON.stringify(res.body)).not.toMatch(/jwt|audience/i);
      expect401(
        await me(await keys.sign(claims({ iss: 'https://evil.example' }), 'at+jwt')),
        /invalid_token/,
      );
    });

    it('refuses a validly signed token missing a required claim', async () => {
      for (const missing of ['sub', 'tid', 'iat', 'exp', 'jti']) {
        const c: Record<string, unknown> = claims();
        delete c[missing];
        expect401(await me(await keys.sign(c, 'at+jwt')), /invalid_token/);
      }
    });

    it('refuses an unsigned (alg none) token', async () => {
      const kid = keys.jwks().keys[0].kid;
      for (const header of [
        { alg: 'none', typ: 'at+jwt' },
        { alg: 'none', kid, typ: 'at+jwt' },
      ]) {
        const token = `${b64json(header)}.${b64json(claims())}.`;
        expect401(await me(token), /invalid_token/);
      }
    });

    it('refuses a token signed by a key that is not ours, with our kid or an unknown one', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const kid = keys.jwks().keys[0].kid;
      const ourKid = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .sign(privateKey);
      expect401(await me(ourKid), /invalid_token/);
      const unknownKid = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', kid: 'nope', typ: 'at+jwt' })
        .sign(privateKey);
      expect401(await me(unknownKid), /invalid_token/);
      const noKid = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' })
        .sign(privateKey);
      expect401(await me(noKid), /invalid_token/);
    });

    it('refuses an HS256 token made with the public key as the HMAC secret (algorithm confusion)', async () => {
      const jwk = keys.jwks().keys[0];
      const pem = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const secrets = [
        new TextEncoder().encode(pem),
        createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }).export({
          type: 'spki',
          format: 'der',
        }),
        new TextEncoder().encode(JSON.stringify(jwk)),
      ];
      for (const secret of secrets) {
        const token = await new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' })
          .sign(new Uint8Array(secret));
        expect401(await me(token), /invalid_token/);
      }
    });

    it('answers 500, not 401, when the key store cannot be read while looking a kid up', async () => {
      // A token this server has not verified yet: one it has seen skips the key lookup (next test).
      const token = await keys.sign(claims({ jti: 'key-store-down' }), 'at+jwt');
      const spy = jest
        .spyOn(keys, 'verificationKey')
        .mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
      try {
        const res = await me(token);
        expect(res.status).toBe(500);
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(JSON.stringify(res.body)).not.toContain('10.0.0.5');
      } finally {
        spy.mockRestore();
      }
      expect((await me(token)).status).toBe(200);
    });

    it('verifies a token once: its repeats skip the signature check, until its key is retired', async () => {
      const token = await keys.sign(claims({ jti: 'remembered' }), 'at+jwt');
      const lookups = jest.spyOn(keys, 'verificationKey');
      try {
        expect((await me(token)).status).toBe(200);
        expect((await me(token)).status).toBe(200);
        const viewer = await gql(t, '{ viewer { id } }', token);
        expect(viewer.body).toEqual({ data: { viewer: { id: u.userId } } });
        // The key was looked up for the first request only.
        expect(lookups).toHaveBeenCalledTimes(1);
        // A tampered copy of the remembered token is a different string: verified, and refused.
        const [h, p, sig] = token.split('.');
        expect401(await me(`${h}.${p}.${sig.slice(0, -4)}AAAA`), /invalid_token/);
      } finally {
        lookups.mockRestore();
      }
    });

    it('refuses a tampered payload', async () => {
      const [h, , s] = u.token.split('.');
      expect401(
        await me(`${h}.${b64json(claims({ sub: '0190b9f4-8d7e-7000-8000-000000000000' }))}.${s}`),
        /invalid_token/,
      );
    });

    it('refuses a JWT that is not an access token (typ) or not a user token (ptyp)', async () => {
      expect401(await me(await keys.sign(claims(), 'JWT')), /invalid_token/);
      expect401(await me(await keys.sign(claims({ ptyp: 'apiKey' }), 'at+jwt')), /invalid_token/);
      expect401(await me(await keys.sign(claims({ tid: 'not-a-uuid' }), 'at+jwt')), /invalid_token/);
    });

    it('echoes the request id in the problem', async () => {
      const res = await me().set('x-request-id', 'req-123');
      expect(res.body.requestId).toBe('req-123');
    });
  });

  describe('GraphQL viewer', () => {
    it('returns the signed-in user', async () => {
      const res = await gql(t, VIEWER_QUERY, u.token);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.viewer).toEqual({
        id: u.userId,
        email: u.email,
        displayName: expect.any(String),
        tenantId: u.tenantId,
        isAdmin: true,
      });
    });

    it('answers no token and a bad token with extensions.code UNAUTHENTICATED', async () => {
      for (const token of [undefined, 'garbage', await keys.sign(claims({ exp: now() - 60 }), 'at+jwt')]) {
        const res = await gql(t, VIEWER_QUERY, token);
        expect(res.body.data?.viewer ?? null).toBeNull();
        expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      }
    });

    it('authenticates once per operation and serves every root field', async () => {
      const res = await gql(t, '{ a: viewer { id } b: viewer { tenantId } }', u.token);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data).toEqual({ a: { id: u.userId }, b: { tenantId: u.tenantId } });
    });
  });

  describe('tenant isolation', () => {
    it('shows each token its own tenant and user only', async () => {
      const a = await newTenant(t);
      const b = await newTenant(t);
      const viewerB = await gql(t, VIEWER_QUERY, b.token);
      expect(viewerB.body.data.viewer).toMatchObject({ id: b.userId, tenantId: b.tenantId });
      expect((await me(a.token)).body).toMatchObject({ id: a.userId, tenantId: a.tenantId });

      // Tenant B's context cannot read tenant A's user, even knowing its id (RLS).
      const ctxB = new RequestContext(
        b.tenantId,
        { type: 'user', id: b.userId, userId: b.userId, isAdmin: true },
        'rest',
        'test',
      );
      expect(await t.app.get(UsersService).findById(ctxB, a.userId)).toBeNull();
      expect(await t.app.get(UsersService).findById(a.tenantId, a.userId)).not.toBeNull();
    });

    it('refuses a validly signed token whose user is not in its tenant', async () => {
      const a = await newTenant(t);
      const b = await newTenant(t);
      // Only the server can sign; this proves tid and sub are checked together, not trusted apart.
      const mixed = await keys.sign(claims({ tid: a.tenantId, sub: b.userId }), 'at+jwt');
      expect401(await me(mixed), /invalid_token/);
    });
  });

  describe('disabled users', () => {
    it('stops their tokens working at once, and re-enabling restores them', async () => {
      const admin = await newTenant(t);
      const v = await newUser(t, admin.tenantId);
      expect((await me(v.token)).status).toBe(200);
      expect((await me(v.token)).body.isAdmin).toBe(false);

      await t.app.get(UsersService).setStatus(admin.tenantId, v.userId, 'disabled');
      expect401(await me(v.token), /invalid_token/);
      expect(errorCodes(await gql(t, VIEWER_QUERY, v.token))).toEqual(['UNAUTHENTICATED']);

      await t.app.get(UsersService).setStatus(admin.tenantId, v.userId, 'active');
      expect((await me(v.token)).status).toBe(200);
    });
  });

  describe('public endpoints', () => {
    it('need no token', async () => {
      expect((await t.http.get('/.well-known/jwks.json')).status).toBe(200);
      expect((await t.http.get('/.well-known/oauth-authorization-server')).status).toBe(200);
      expect((await t.http.get('/openapi.json')).status).toBe(200);
    });
  });
});
