import { TenantDb } from '../../src/platform/database/tenant-db.js';
import { UsersService } from '../../src/platform/auth/users.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser } from '../harness/factories.js';

describe('refresh_token grant', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
    t.http
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
  const me = (token: string) => t.http.get('/v1/me').set('authorization', `Bearer ${token}`);
  const INVALID = { error: 'invalid_grant', error_description: expect.any(String) };

  it('rotates: each use returns a new working pair', async () => {
    const u = await newTenant(t);
    const first = await refresh(u.refreshToken);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body.refresh_token).not.toBe(u.refreshToken);
    expect(first.body.access_token).not.toBe(u.token);
    expect((await me(first.body.access_token)).body.id).toBe(u.userId);

    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect((await me(second.body.access_token)).status).toBe(200);
  });

  it('treats reuse of a used refresh token as theft: invalid_grant and the whole family is revoked', async () => {
    const u = await newTenant(t);
    const rotated = await refresh(u.refreshToken);
    expect(rotated.status).toBe(200);

    const replay = await refresh(u.refreshToken);
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual(INVALID);

    // The legitimate client's newest token died with the family.
    const newest = await refresh(rotated.body.refresh_token);
    expect(newest.status).toBe(400);
    expect(newest.body).toEqual(INVALID);
  });

  it('leaves other sign-in sessions of the same user alone when one family is revoked', async () => {
    const u = await newTenant(t);
    const other = await t.http
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'password', username: u.email, password: u.password });
    await refresh(u.refreshToken);
    await refresh(u.refreshToken); // reuse: revokes the first family only
    expect((await refresh(other.body.refresh_token)).status).toBe(200);
  });

  it('refuses a right id with a wrong secret without revoking the real token', async () => {
    const u = await newTenant(t);
    const [prefix, id] = u.refreshToken.split('.');
    const forged = `${prefix}.${id}.${'A'.repeat(43)}`;
    expect((await refresh(forged)).body).toEqual(INVALID);
    expect((await refresh(u.refreshToken)).status).toBe(200);
  });

  it.each([
    ['garbage', 'nonsense'],
    ['a JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
    ['a bad tenant id', 'rt_not-a-uuid.0190b9f4-8d7e-7000-8000-000000000000.' + 'a'.repeat(43)],
    [
      'an unknown tenant',
      'rt_0190b9f4-8d7e-7000-8000-000000000000.0190b9f4-8d7e-7000-8000-000000000001.' + 'a'.repeat(43),
    ],
  ])('answers %s with invalid_grant, never a 500', async (_name, value) => {
    const res = await refresh(value);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID);
  });

  it('refuses an expired refresh token', async () => {
    const u = await newTenant(t);
    const id = u.refreshToken.split('.')[1];
    await t.app
      .get(TenantDb)
      .runAsTenant(u.tenantId, (em) =>
        em.query(
          `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND id = $2`,
          [u.tenantId, id],
        ),
      );
    expect((await refresh(u.refreshToken)).body).toEqual(INVALID);
  });

  it('refuses the refresh tokens of a disabled user', async () => {
    const admin = await newTenant(t);
    const u = await newUser(t, admin.tenantId);
    await t.app.get(UsersService).setStatus(admin.tenantId, u.userId, 'disabled');
    expect((await refresh(u.refreshToken)).body).toEqual(INVALID);
    // Re-enabling does not resurrect the old session.
    await t.app.get(UsersService).setStatus(admin.tenantId, u.userId, 'active');
    expect((await refresh(u.refreshToken)).body).toEqual(INVALID);
  });

  it('may narrow the scope on refresh but never widen it', async () => {
    const u = await newTenant(t);
    const scoped = await t.http.post('/oauth/token').type('form').send({
      grant_type: 'password',
      username: u.email,
      password: u.password,
      scope: 'contacts:read accounts:read',
    });
    expect(scoped.body.scope).toBe('contacts:read accounts:read');

    const wider = await refresh(scoped.body.refresh_token, { scope: 'contacts:read cases:read' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');

    // The refused attempt wrote nothing: the same token still works, and narrowing is allowed.
    const narrower = await refresh(scoped.body.refresh_token, { scope: 'contacts:read' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('contacts:read');

    // The family keeps its original scope.
    const again = await refresh(narrower.body.refresh_token);
    expect(again.body.scope).toBe('contacts:read accounts:read');
  });

  it('cannot be used as an access token', async () => {
    const u = await newTenant(t);
    expect((await me(u.refreshToken)).status).toBe(401);
  });
});
