import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../context/request-context.js';
import { newId, UUID_RE } from '../database/ids.js';
import { TenantDb } from '../database/tenant-db.js';
import { DomainError, FieldIssue } from '../http/domain-error.js';
import { builtinRoleIds } from '../security/builtin-roles.js';
import { allPermissions, roleGrants } from '../security/permissions.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordHasher } from './password-hasher.js';
import { TenantRef, tenantIdOf } from './tenant-ref.js';
import { UserDirectoryEntry } from './user-directory.entity.js';
import { ViewerDto } from './viewer.dto.js';
import { User, UserStatus } from './user.entity.js';

export interface CreateUserInput {
  email: string;
  /** omitted or null: the user cannot sign in with a password */
  password?: string | null;
  /** defaults to the local part of the email */
  displayName?: string;
  isAdmin?: boolean;
  /**
   * the user's role; omitted: the built-in admin role for an administrator, read-only otherwise
   * (least privilege that still lets a new user look around)
   */
  roleId?: string | null;
}

/** What authorisation needs to know about a token's user on every request. */
export interface ActivePrincipal {
  tenantId: string;
  userId: string;
  isAdmin: boolean;
  roleId: string | null;
  teamIds: readonly string[];
  /** what the user may do before any token scope narrows it: everything for an administrator, else the role's grants */
  permissions: ReadonlySet<string>;
}

interface PrincipalRow {
  isAdmin: boolean;
  status: UserStatus;
  roleId: string | null;
  builtinKey: string | null;
  permissions: string[] | null;
  teamIds: string[];
}

/**
 * How long a user's status, role, permissions and teams may be served from memory. Short, so that
 * disabling a user or changing a role ends their access within seconds on every replica, while a
 * burst of requests with one token costs one lookup. Changes made through this service (and the
 * governance services, which call forgetPrincipal/forgetTenant) take effect at once in this process.
 */
const PRINCIPAL_TTL_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;

const EMAIL_RE = /^[^@\s]+@[^@\s]+$/;
const MAX_EMAIL_LENGTH = 320;

@Injectable()
export class UsersService {
  private readonly principals = new Map<string, { value: ActivePrincipal | null; expires: number }>();

  constructor(
    private readonly db: TenantDb,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Creates a user and its sign-in directory entry. Emails are unique across all tenants (409 otherwise). */
  async createUser(ref: TenantRef, input: CreateUserInput): Promise<User> {
    const tenantId = tenantIdOf(ref);
    const valid = validateUserInput(input);
    // Hash before opening the transaction: argon2 takes tens of ms and must not hold a connection.
    const passwordHash = valid.password ? await this.hasher.hash(valid.password) : null;
    return this.db.runAsTenant(tenantId, (em) =>
      this.insertUser(em, tenantId, { ...valid, roleId: input.roleId }, passwordHash),
    );
  }

  /** For callers that already hold the tenant transaction (bootstrap); `passwordHash` is pre-computed. */
  async insertUser(
    em: EntityManager,
    tenantId: string,
    input: CreateUserInput,
    passwordHash: string | null,
  ): Promise<User> {
    const valid = validateUserInput({ ...input, password: null });
    const id = newId();
    const roleId = await this.roleFor(em, tenantId, valid.isAdmin, input.roleId);
    try {
      await em.getRepository(User).insert({
        tenantId,
        id,
        email: valid.email,
        passwordHash,
        displayName: valid.displayName,
        isAdmin: valid.isAdmin,
        status: 'active',
        roleId,
      });
      await em.getRepository(UserDirectoryEntry).insert({ email: valid.email, tenantId, userId: id });
    } catch (e) {
      const code = pgCode(e);
      if (code === '23505') {
        throw new DomainError('CONFLICT', 'A user with this email already exists.', [
          { field: 'email', code: 'duplicate', message: 'email is already in use' },
        ]);
      }
      if (code === '23503') throw new DomainError('NOT_FOUND', 'The tenant does not exist.');
      throw e;
    }
    return em.getRepository(User).findOneByOrFail({ tenantId, id });
  }

  /** The role a new user gets: the one asked for (which must exist), else the built-in default. */
  private async roleFor(
    em: EntityManager,
    tenantId: string,
    isAdmin: boolean,
    roleId: string | null | undefined,
  ): Promise<string | null> {
    if (roleId !== undefined && roleId !== null) {
      const found: unknown[] =
        typeof roleId === 'string' && UUID_RE.test(roleId)
          ? await em.query('SELECT 1 FROM roles WHERE tenant_id = $1 AND id = $2', [tenantId, roleId])
          : [];
      if (found.length === 0) {
        throw new DomainError('VALIDATION_FAILED', 'The role does not exist.', [
          { field: 'roleId', code: 'not_found', message: 'roleId refers to a role that does not exist' },
        ]);
      }
      return roleId;
    }
    const builtins = await builtinRoleIds(em, tenantId);
    return builtins.get(isAdmin ? 'admin' : 'readOnly') ?? null;
  }

  findById(ref: TenantRef, userId: string): Promise<User | null> {
    if (!UUID_RE.test(userId)) return Promise.resolve(null);
    const tenantId = tenantIdOf(ref);
    return this.db.runAsTenant(tenantId, (em) => em.getRepository(User).findOneBy({ tenantId, id: userId }));
  }

  /** The calling user, as /v1/me and the GraphQL `viewer` show it. */
  async viewer(ctx: RequestContext): Promise<ViewerDto> {
    const userId = ctx.principal.userId;
    const user = userId
      ? await this.db.run(ctx, (em) =>
          em.getRepository(User).findOneBy({ tenantId: ctx.tenantId, id: userId }),
        )
      : null;
    if (!user) throw new DomainError('NOT_FOUND', 'The caller is not a user.');
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      tenantId: user.tenantId,
      isAdmin: user.isAdmin,
    };
  }

  /** Enables or disables sign-in; a disabled user's tokens stop working (see activePrincipal). */
  async setStatus(ref: TenantRef, userId: string, status: UserStatus): Promise<User> {
    const tenantId = tenantIdOf(ref);
    if (!UUID_RE.test(userId)) throw new DomainError('NOT_FOUND', 'No such user.');
    const user = await this.db.runAsTenant(tenantId, async (em) => {
      const result = await em.getRepository(User).update({ tenantId, id: userId }, { status });
      if (!result.affected) return null;
      if (status === 'disabled') {
        // Sign-in sessions end with the user, not only their short-lived access tokens.
        await em.query(
          `UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL`,
          [tenantId, userId],
        );
      }
      return em.getRepository(User).findOneBy({ tenantId, id: userId });
    });
    this.forgetPrincipal(tenantId, userId);
    if (!user) throw new DomainError('NOT_FOUND', 'No such user.');
    return user;
  }

  /**
   * Checks an email + password. Unknown email, wrong password, no password and disabled user all
   * return null after the same argon2 work, so neither the answer nor its timing reveals which.
   */
  async verifyCredentials(
    email: string,
    password: string,
  ): Promise<{ user: User; rehash: string | null } | null> {
    const normalized = email.trim().toLowerCase();
    const entry =
      normalized.length > 0 && normalized.length <= MAX_EMAIL_LENGTH
        ? await this.db.runWithoutTenant((em) => signInLookup(em, normalized))
        : null;
    const user = entry
      ? await this.db.runAsTenant(entry.tenantId, (em) =>
          em.getRepository(User).findOneBy({ tenantId: entry.tenantId, id: entry.userId }),
        )
      : null;
    const ok = await this.hasher.verify(user?.passwordHash, password);
    if (!ok || !user || user.status !== 'active') return null;
    const rehash =
      user.passwordHash && this.hasher.needsRehash(user.passwordHash)
        ? await this.hasher.hash(password)
        : null;
    return { user, rehash };
  }

  /** Stamps last_login_at inside the caller's tenant transaction; deliberately leaves version/updated_at alone (a sign-in is not an edit). */
  async recordLogin(
    em: EntityManager,
    tenantId: string,
    userId: string,
    rehash: string | null = null,
  ): Promise<void> {
    await em.query(
      `UPDATE users SET last_login_at = now(), password_hash = coalesce($3, password_hash) WHERE tenant_id = $1 AND id = $2`,
      [tenantId, userId, rehash],
    );
  }

  /**
   * The user behind a token if they may still act (exists and is active), with their role, its
   * permissions and their teams: one query, cached for a few seconds.
   */
  async activePrincipal(tenantId: string, userId: string): Promise<ActivePrincipal | null> {
    if (!UUID_RE.test(tenantId) || !UUID_RE.test(userId)) return null;
    const key = `${tenantId}/${userId}`;
    const now = Date.now();
    const hit = this.principals.get(key);
    if (hit && hit.expires > now) return hit.value;
    const rows: PrincipalRow[] = await this.db.runAsTenant(tenantId, (em) =>
      em.query(
        `SELECT u.is_admin AS "isAdmin", u.status, u.role_id AS "roleId", r.builtin_key AS "builtinKey",
                r.permissions,
                ARRAY(SELECT m.team_id FROM team_members m
                       WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id ORDER BY m.team_id) AS "teamIds"
           FROM users u LEFT JOIN roles r ON r.tenant_id = u.tenant_id AND r.id = u.role_id
          WHERE u.tenant_id = $1 AND u.id = $2`,
        [tenantId, userId],
      ),
    );
    const row = rows[0];
    const value: ActivePrincipal | null =
      row && row.status === 'active'
        ? {
            tenantId,
            userId,
            isAdmin: row.isAdmin,
            roleId: row.roleId,
            teamIds: row.teamIds,
            permissions: new Set(
              // is_admin is the tenant superuser flag (the bootstrap administrator): every
              // permission whatever the role, so an install can never lock its last admin out.
              row.isAdmin
                ? allPermissions()
                : row.permissions
                  ? roleGrants({ builtinKey: row.builtinKey, permissions: row.permissions })
                  : [],
            ),
          }
        : null;
    if (this.principals.size >= PRINCIPAL_CACHE_MAX) this.principals.clear();
    this.principals.set(key, { value, expires: now + PRINCIPAL_TTL_MS });
    return value;
  }

  /** Drops the cached principal, e.g. after a change to the user made elsewhere in this process. */
  forgetPrincipal(tenantId: string, userId: string): void {
    this.principals.delete(`${tenantId}/${userId}`);
  }

  /** Drops every cached principal of a tenant: after a role's permissions or hierarchy change. */
  forgetTenant(tenantId: string): void {
    const prefix = `${tenantId}/`;
    for (const key of this.principals.keys()) if (key.startsWith(prefix)) this.principals.delete(key);
  }
}

interface ValidUserInput {
  email: string;
  password: string | null;
  displayName: string;
  isAdmin: boolean;
}

function validateUserInput(input: CreateUserInput): ValidUserInput {
  const issues: FieldIssue[] = [];
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  if (!EMAIL_RE.test(email) || email.length > MAX_EMAIL_LENGTH) {
    issues.push({ field: 'email', code: 'format', message: 'email must be an email address' });
  }
  const password = input.password ?? null;
  if (
    password !== null &&
    (typeof password !== 'string' ||
      password.length < MIN_PASSWORD_LENGTH ||
      password.length > MAX_PASSWORD_LENGTH)
  ) {
    issues.push({
      field: 'password',
      code: 'length',
      message: `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
    });
  }
  const displayName = (
    typeof input.displayName === 'string' ? input.displayName : email.split('@')[0]
  ).trim();
  if (displayName.length < 1 || displayName.length > 200) {
    issues.push({ field: 'displayName', code: 'length', message: 'displayName must be 1 to 200 characters' });
  }
  if (issues.length > 0) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `The user has ${issues.length} invalid field${issues.length === 1 ? '' : 's'}.`,
      issues,
    );
  }
  return { email, password, displayName, isAdmin: input.isAdmin === true };
}

function pgCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const driver = (e as { driverError?: unknown }).driverError;
  const source = typeof driver === 'object' && driver !== null ? driver : e;
  const code = (source as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The directory entry of one email, across tenants. The directory is under RLS like every
 * tenant table; this SECURITY DEFINER function (migrations/0001) is the one way to read it
 * before a tenant is known, one email at a time.
 */
export async function signInLookup(
  em: EntityManager,
  email: string,
): Promise<{ tenantId: string; userId: string } | null> {
  const rows: { tenantId: string; userId: string }[] = await em.query(
    'SELECT tenant_id AS "tenantId", user_id AS "userId" FROM sign_in_lookup($1)',
    [email],
  );
  return rows[0] ?? null;
}
