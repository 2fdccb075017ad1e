import { exportJWK, generateKeyPair } from 'jose';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/platform/config/config.js';
import { KeysService } from '../../src/platform/auth/keys.service.js';
import { allPermissions } from '../../src/platform/security/permissions.js';
import { createTestApp, TestApp } from '../harness/app.js';

describe('discovery documents', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ JWT_ISSUER: 'https://rapport.example.com' });
  });
  afterAll(() => t.close());

  it('publishes RFC 8414 metadata consistent with the tokens', async () => {
    const res = await t.http.get('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body).toEqual({
      issuer: 'https://rapport.example.com',
      token_endpoint: 'https://rapport.example.com/oauth/token',
      jwks_uri: 'https://rapport.example.com/.well-known/jwks.json',
      grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      scopes_supported: allPermissions(),
      service_documentation: 'https://rapport.example.com/docs',
    });
    expect(res.body.scopes_supported).toEqual(expect.arrayContaining(['contacts:read', 'api-keys:manage']));
    expect(res.body.issuer).toBe(t.app.get(AppConfig).JWT_ISSUER);
  });

  it('publishes only public key material in the JWKS', async () => {
    const res = await t.http.get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body.keys).toHaveLength(1);
    const [key] = res.body.keys;
    expect(key).toEqual({
      kty: 'RSA',
      n: expect.any(String),
      e: 'AQAB',
      kid: expect.any(String),
      alg: 'RS256',
      use: 'sig',
    });
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(key).not.toHaveProperty(privateMember);
    // A 2048-bit modulus: 256 bytes.
    expect(Buffer.from(key.n, 'base64url')).toHaveLength(256);
  });

  it('creates one signing key even when several instances start together, and keeps it across restarts', async () => {
    const keys = t.app.get(KeysService);
    const before = keys.jwks().keys[0].kid;
    await Promise.all([keys.onModuleInit(), keys.onModuleInit(), keys.onModuleInit()]);
    const rows: { n: number }[] = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM signing_keys');
    expect(rows[0].n).toBe(1);
    expect(keys.jwks().keys[0].kid).toBe(before);
  });

  it('ignores keys of another alg (EdDSA rows of older databases) and creates an RS256 key when there is none', async () => {
    const keys = t.app.get(KeysService);
    const db = t.app.get(DataSource);
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    // Newer than the RS256 key, so a filter on alg (not recency) is what keeps it out.
    await db.query(
      `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at)
       VALUES ('legacy-eddsa', 'EdDSA', $1, $2, now() + interval '1 minute')`,
      [await exportJWK(publicKey), await exportJWK(privateKey)],
    );
    const rsaKid = keys.jwks().keys[0].kid;
    await keys.onModuleInit();
    expect(keys.jwks().keys.map((k) => [k.kid, k.alg])).toEqual([[rsaKid, 'RS256']]);

    // Only the EdDSA key left: a new RS256 key is made, and the EdDSA one still not published.
    await db.query('UPDATE signing_keys SET retired_at = now() WHERE kid = $1', [rsaKid]);
    await keys.onModuleInit();
    const published = (await t.http.get('/.well-known/jwks.json')).body.keys as {
      kid: string;
      alg: string;
    }[];
    expect(published).toHaveLength(1);
    expect(published[0].alg).toBe('RS256');
    expect(published[0].kid).not.toBe(rsaKid);
    expect(published[0].kid).not.toBe('legacy-eddsa');
  });

  it('documents the auth endpoints in OpenAPI, with the token endpoint open to anonymous callers', async () => {
    const doc = (await t.http.get('/openapi.json')).body;
    const op = doc.paths['/oauth/token'].post;
    expect(op.tags).toEqual(['auth']);
    expect(op.description).toBeTruthy();
    expect(Object.keys(op.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '429']);
    expect(op.security).toEqual([{}]);
    for (const path of ['/.well-known/jwks.json', '/.well-known/oauth-authorization-server']) {
      expect(doc.paths[path].get.security).toEqual([{}]);
      expect(doc.paths[path].get.tags).toEqual(['auth']);
    }
    expect(doc.paths['/v1/me'].get.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(doc.paths['/v1/me'].get.responses).sort()).toEqual(['200', '401']);
  });
});
