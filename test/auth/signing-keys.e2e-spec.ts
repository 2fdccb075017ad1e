import { jest } from '@jest/globals';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeProtectedHeader, importJWK, JWK, SignJWT } from 'jose';
import { pino } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.js';
import { KeysService } from '../../src/platform/auth/keys.service.js';
import { AppConfig, loadConfig } from '../../src/platform/config/config.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, signIn, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';

/**
 * RFC 8725 hardening beyond test/auth/access.e2e-spec.ts (which covers alg none, HS/RS
 * confusion, expiry, audience, issuer and a foreign key): the algorithm list is pinned even for
 * our own key, and signing keys rotate with two keys active at once.
 */
describe('signing keys: pinned algorithm and rotation', () => {
  let t: TestApp;
  let keys: KeysService;
  let config: AppConfig;
  let u: UserFixture;
  beforeAll(async () => {
    t = await createTestApp();
    keys = t.app.get(KeysService);
    config = t.app.get(AppConfig);
    u = await newTenant(t);
  });
  afterAll(() => t.close());

  const me = (token: string, app = t) => app.http.get('/v1/me').set('authorization', `Bearer ${token}`);
  const kidOf = (token: string) => decodeProtectedHeader(token).kid as string;
  const published = async () =>
    ((await t.http.get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid);
  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({
    iss: config.JWT_ISSUER,
    aud: config.JWT_AUDIENCE,
    sub: u.userId,
    tid: u.tenantId,
    scope: '',
    ptyp: 'user',
    iat: now(),
    exp: now() + 300,
    jti: 'hardening',
  });
  /** Our own private signing key, as a superuser could read it. */
  const ourPrivateKey = async () => {
    const kid = keys.jwks().keys[0].kid;
    const [row] = (await t.app
      .get(DataSource)
      .query('SELECT private_jwk FROM signing_keys WHERE kid = $1', [kid])) as { private_jwk: JWK }[];
    return { kid, jwk: row.private_jwk };
  };

  it('refuses a token our own key signed with an algorithm other than RS256', async () => {
    const { kid, jwk } = await ourPrivateKey();
    for (const alg of ['RS384', 'RS512', 'PS256']) {
      const key = await importJWK({ ...jwk, alg }, alg);
      const token = await new SignJWT(claims()).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);
      const res = await me(token);
      expect({ alg, status: res.status }).toEqual({ alg, status: 401 });
      expect(res.headers['www-authenticate']).toMatch(/invalid_token/);
    }
    // The same claims and key with RS256 pass: the algorithm alone made the difference.
    const rs256 = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .sign(await importJWK(jwk, 'RS256'));
    expect((await me(rs256)).status).toBe(200);
  });

  it('refuses a token our own key signed under a kid we do not publish', async () => {
    const { jwk } = await ourPrivateKey();
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'not-a-published-kid', typ: 'at+jwt' })
      .sign(await importJWK(jwk, 'RS256'));
    expect((await me(token)).status).toBe(401);
  });

  it('rotates: the new key signs, the old one still verifies and both are published until it is retired', async () => {
    const before = await signIn(t, u.email, u.password);
    const oldKid = kidOf(before.accessToken);
    expect(await published()).toEqual([oldKid]);

    const newKid = await keys.rotate();
    expect(newKid).not.toBe(oldKid);
    expect((await published()).sort()).toEqual([oldKid, newKid].sort());

    const after = await signIn(t, u.email, u.password);
    expect(kidOf(after.accessToken)).toBe(newKid);
    // A token signed before the rotation keeps working, on REST and GraphQL.
    expect((await me(before.accessToken)).status).toBe(200);
    expect((await gql(t, before.accessToken, '{ viewer { id } }')).errors).toBeUndefined();
    expect((await me(after.accessToken)).status).toBe(200);

    expect(await keys.retire(oldKid)).toBe(true);
    expect(await published()).toEqual([newKid]);
    expect((await me(before.accessToken)).status).toBe(401);
    expect((await me(after.accessToken)).status).toBe(200);
    expect(await keys.retire(oldKid)).toBe(false);
  });

  it('never retires the last usable key', async () => {
    const [only] = await published();
    await expect(keys.retire(only)).rejects.toThrow(/only usable/);
    expect(await published()).toEqual([only]);
  });

  it('lets another replica verify tokens signed with a key it has not loaded yet', async () => {
    // A second app on the same database: a replica that booted before the rotation.
    const replica = await createApp(
      loadConfig({ LOG_LEVEL: 'silent', RAPPORT_ADMIN_PASSWORD: 'test-admin-password' }),
      t.databaseUrl,
      { logger: pino({ level: 'silent' }) },
    );
    const other: TestApp = {
      app: replica as NestFastifyApplication,
      http: request(replica.getHttpServer()),
      databaseUrl: t.databaseUrl,
      close: () => replica.close(),
    };
    try {
      const newKid = await keys.rotate();
      const token = (await signIn(t, u.email, u.password)).accessToken;
      expect(kidOf(token)).toBe(newKid);
      expect(
        replica
          .get(KeysService)
          .jwks()
          .keys.map((k) => k.kid),
      ).not.toContain(newKid);
      // An unknown kid makes a replica re-read the keys, at most once a second: be a second later.
      const realNow = Date.now.bind(Date);
      const later = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 1_500);
      try {
        expect((await me(token, other)).status).toBe(200);
      } finally {
        later.mockRestore();
      }
      expect(
        replica
          .get(KeysService)
          .jwks()
          .keys.map((k) => k.kid),
      ).toContain(newKid);
    } finally {
      await other.close();
    }
  });
});
