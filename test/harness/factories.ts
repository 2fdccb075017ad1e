import { randomBytes } from 'node:crypto';
import { TenantsService } from '../../src/platform/auth/tenants.service.js';
import { UsersService } from '../../src/platform/auth/users.service.js';
import { TestApp } from './app.js';

export interface UserFixture {
  tenantId: string;
  userId: string;
  email: string;
  password: string;
  /** access token from a real POST /oauth/token */
  token: string;
  refreshToken: string;
}

export interface NewUserOptions {
  isAdmin?: boolean;
  displayName?: string;
}

const unique = (): string => randomBytes(6).toString('hex');

/** A fresh tenant with an admin user, signed in through the real token endpoint. */
export async function newTenant(t: TestApp, name = `Tenant ${unique()}`): Promise<UserFixture> {
  const tenant = await t.app.get(TenantsService).createTenant(name);
  return newUser(t, tenant.id, { isAdmin: true });
}

/** A user with a random email and password in `tenantId`, signed in through the real token endpoint. */
export async function newUser(
  t: TestApp,
  tenantId: string,
  options: NewUserOptions = {},
): Promise<UserFixture> {
  const email = `user-${unique()}@example.test`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const user = await t.app.get(UsersService).createUser(tenantId, {
    email,
    password,
    displayName: options.displayName ?? `User ${email.slice(5, 17)}`,
    isAdmin: options.isAdmin ?? false,
  });
  const tokens = await signIn(t, email, password);
  return {
    tenantId,
    userId: user.id,
    email,
    password,
    token: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  };
}

/** Password grant through HTTP; fails the test with the server's answer if it is not a 200. */
export async function signIn(
  t: TestApp,
  email: string,
  password: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await t.http
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'password', username: email, password });
  if (res.status !== 200)
    throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { access_token: string; refresh_token: string };
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}
