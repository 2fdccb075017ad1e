import { randomBytes } from 'node:crypto';
import { TenantsService } from '../../src/platform/auth/tenants.service.js';
import { UsersService } from '../../src/platform/auth/users.service.js';
import { RequestContext } from '../../src/platform/context/request-context.js';
import { TenantDb } from '../../src/platform/database/tenant-db.js';
import { builtinRoleIds } from '../../src/platform/security/builtin-roles.js';
import { BUILTIN_ROLES, type BuiltinRoleKey } from '../../src/platform/security/permissions.js';
import { TeamsService } from '../../src/modules/governance/teams/teams.service.js';
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
  /**
   * a built-in role key (`salesRep`, `readOnly`, …) or a role id; omitted: the server's default
   * (admin for an administrator, read-only otherwise)
   */
  role?: BuiltinRoleKey | string;
  /** teams to put the user in */
  teamIds?: string[];
  /** the `scope` of the password grant that signs the user in (omitted: no narrowing) */
  scope?: string;
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
    roleId: options.role === undefined ? undefined : await roleId(t, tenantId, options.role),
  });
  for (const teamId of options.teamIds ?? []) {
    await t.app.get(TeamsService).addMember(RequestContext.system(tenantId), teamId, user.id);
  }
  const tokens = await signIn(t, email, password, options.scope);
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
  scope?: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await t.http
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'password', username: email, password, ...(scope === undefined ? {} : { scope }) });
  if (res.status !== 200)
    throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { access_token: string; refresh_token: string };
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

const BUILTIN_KEYS = new Set<string>(BUILTIN_ROLES.map((r) => r.key));

/** The id of a built-in role (by key) of `tenantId`; any other string is taken to be a role id already. */
export async function roleId(t: TestApp, tenantId: string, role: BuiltinRoleKey | string): Promise<string> {
  if (!BUILTIN_KEYS.has(role)) return role;
  const ids = await t.app.get(TenantDb).runAsTenant(tenantId, (em) => builtinRoleIds(em, tenantId));
  const id = ids.get(role as BuiltinRoleKey);
  if (!id) throw new Error(`tenant ${tenantId} has no built-in role ${role}`);
  return id;
}

/** A team in `tenantId` (made through the service, as the system). */
export async function newTeam(t: TestApp, tenantId: string, name = `Team ${unique()}`): Promise<string> {
  const team = await t.app.get(TeamsService).create(RequestContext.system(tenantId), { name });
  return team.id;
}
