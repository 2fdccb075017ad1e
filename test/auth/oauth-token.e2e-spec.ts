import { createLocalJWKSet, decodeProtectedHeader, JSONWebKeySet, jwtVerify } from 'jose';
import { AppConfig } from '../../src/platform/config/config.js';
import { TenantDb } from '../../src/platform/database/tenant-db.js';
import { UsersService } from '../../src/platform/auth/users.service.js';
import { User } from '../../src/platform/auth/user.entity.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser } from '../harness/factories.js';

describe('POST /oauth/token', () => {
  let t: TestApp;
  let config: AppConfig;
  beforeAll(async () => {
    t = await createTestApp();
    config = t.app.get(AppConfig);
  });
  afterAll(() => t.close());

  const token = (body: Record<string, string | string[]>) =>
    t.http.post('/oauth/token').type('form').send(body);

  it('issues a token for the password grant that verifies against the published JWKS', async () => {
    const u = await newTenant(t);
    const res = await token({ grant_type: 'password', username: u.email, password: u.password });

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: config.ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: expect.stringMatching(/^rt_/),
      scope: '',
    });

    // What a client library does: fetch the JWKS, verify signature, issuer and audience.
    const jwks = (await t.http.get('/.well-known/jwks.json')).body as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(res.body.access_token, createLocalJWKSet(jwks), {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: jwks.keys[0].kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: u.userId, tid: u.tenantId, scope: '', ptyp: 'user' });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(config.ACCESS_TOKEN_TTL_SECONDS);
  });

  it('accepts a JSON body as well as a form-encoded one', async () => {
    const u = await newTenant(t);
    const res = await t.http
      .post('/oauth/token')
      .send({ grant_type: 'password', username: u.email, password: u.password });
    expect(res.status).toBe(200);
    expect(decodeProtectedHeader(res.body.access_token).alg).toBe('RS256');
  });

  it('treats the email case-insensitively and ignores unknown parameters', async () => {
    const u = await newTenant(t);
    const res = await token({
      grant_type: 'password',
      username: u.email.toUpperCase(),
      password: u.password,
      foo: 'bar',
      client_id: 'web',
    });
    expect(res.status).toBe(200);
  });

  it('grants a requested scope and puts it in the token', async () => {
    const u = await newTenant(t);
    const res = await token({
      grant_type: 'password',
      username: u.email,
      password: u.password,
      scope: 'contacts:read accounts:read',
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('contacts:read accounts:read');
    const me = await t.http.get('/v1/me').set('authorization', `Bearer ${res.body.access_token}`);
    expect(me.status).toBe(200);
  });

  it('records last_login_at', async () => {
    const u = await newTenant(t);
    const user = await t.app.get(UsersService).findById(u.tenantId, u.userId);
    expect(user!.lastLoginAt).toBeInstanceOf(Date);
    expect(Date.now() - user!.lastLoginAt!.getTime()).toBeLessThan(60_000);
    // A sign-in is not an edit of the user record.
    expect(user!.version).toBe(1);
  });

  it('answers a wrong password, an unknown email and a disabled user identically (no enumeration)', async () => {
    const u = await newTenant(t);
    const disabled = await newUser(t, u.tenantId);
    await t.app.get(UsersService).setStatus(u.tenantId, disabled.userId, 'disabled');

    const wrong = await token({ grant_type: 'password', username: u.email, password: 'not-the-password' });
    const unknown = await token({
      grant_type: 'password',
      username: 'nobody-here@example.test',
      password: 'whatever-password',
    });
    const off = await token({
      grant_type: 'password',
      username: disabled.email,
      password: disabled.password,
    });

    for (const res of [wrong, unknown, off]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(wrong.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect(unknown.body).toEqual(wrong.body);
    expect(off.body).toEqual(wrong.body);
  });

  it('does not reveal a password-less user either', async () => {
    const u = await newTenant(t);
    const noPassword = await t.app
      .get(UsersService)
      .createUser(u.tenantId, { email: `nopw-${Date.now()}@example.test`, displayName: 'No Password' });
    const res = await token({
      grant_type: 'password',
      username: noPassword.email,
      password: 'anything-at-all',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it.each([
    ['no grant_type', 'invalid_request', { username: 'a@b.c', password: 'x' }],
    ['password grant without password', 'invalid_request', { grant_type: 'password', username: 'a@b.c' }],
    ['password grant without username', 'invalid_request', { grant_type: 'password', password: 'x' }],
    ['refresh grant without refresh_token', 'invalid_request', { grant_type: 'refresh_token' }],
    [
      'a repeated parameter',
      'invalid_request',
      { grant_type: ['password', 'password'], username: 'a@b.c', password: 'x' },
    ],
    ['an unsupported grant', 'unsupported_grant_type', { grant_type: 'authorization_code', code: 'x' }],
    ['an unknown grant', 'unsupported_grant_type', { grant_type: 'urn:example:nope' }],
    [
      'a malformed scope',
      'invalid_scope',
      { grant_type: 'password', username: 'a@b.c', password: 'x', scope: 'a  "b"' },
    ],
  ])('answers %s with 400 %s', async (_name, error, body) => {
    const res = await token(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error, error_description: expect.any(String) });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses non-object JSON bodies with invalid_request, never a 500', async () => {
    for (const body of ['[1,2]', '"password"', 'null', '42']) {
      const res = await t.http.post('/oauth/token').set('content-type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error ?? res.body.code).toBeTruthy();
    }
    const empty = await t.http.post('/oauth/token');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe('invalid_request');
  });

  it('answers malformed or unsupported bodies with a 4xx, never a 500', async () => {
    const cases: [string, string][] = [
      ['application/json', '{"grant_type": "password",'],
      ['application/x-www-form-urlencoded', '__proto__=x&grant_type=password'],
      ['application/x-www-form-urlencoded', '%%%'],
      ['text/plain', 'grant_type=password'],
    ];
    for (const [type, body] of cases) {
      const res = await t.http.post('/oauth/token').set('content-type', type).send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('refuses a huge password without hashing it, and JSON values that are not strings', async () => {
    const u = await newTenant(t);
    const huge = await token({ grant_type: 'password', username: u.email, password: 'x'.repeat(5000) });
    expect(huge.status).toBe(400);
    const typed = await t.http
      .post('/oauth/token')
      .send({ grant_type: 'password', username: u.email, password: 12345 });
    expect(typed.status).toBe(400);
    expect(typed.body.error).toBe('invalid_request');
  });

  it('answers an unknown client with 401 invalid_client and a Basic challenge', async () => {
    const u = await newTenant(t);
    const res = await t.http
      .post('/oauth/token')
      .auth('some-client', 'some-secret')
      .type('form')
      .send({ grant_type: 'password', username: u.email, password: u.password });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('needs no bearer token itself, and ignores one that is sent', async () => {
    const u = await newTenant(t);
    const res = await token({ grant_type: 'password', username: u.email, password: u.password });
    const withBearer = await t.http
      .post('/oauth/token')
      .set('authorization', 'Bearer garbage')
      .type('form')
      .send({ grant_type: 'password', username: u.email, password: u.password });
    expect(res.status).toBe(200);
    expect(withBearer.status).toBe(200);
  });

  it('stores the password as argon2id', async () => {
    const u = await newTenant(t);
    const user = await t.app
      .get(TenantDb)
      .runAsTenant(u.tenantId, (em) =>
        em.getRepository(User).findOneByOrFail({ tenantId: u.tenantId, id: u.userId }),
      );
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
  });
});
