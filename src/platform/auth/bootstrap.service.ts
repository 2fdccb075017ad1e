import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/config.js';
import { newId } from '../database/ids.js';
import { TenantDb } from '../database/tenant-db.js';
import { assignAdminRole, ensureBuiltinRoles } from '../security/builtin-roles.js';
import { PasswordHasher } from './password-hasher.js';
import { TenantsService } from './tenants.service.js';
import { signInLookup, UsersService } from './users.service.js';

/** Serialises ensureDefaults across replicas booting together (any fixed bigint). */
const BOOTSTRAP_LOCK = 7_243_102;

export interface BootstrapResult {
  /** the default tenant, or (when nothing was created) the admin's tenant / the oldest tenant with users */
  tenantId: string | null;
  adminEmail: string;
  created: boolean;
}

/**
 * Zero-config start (DESIGN §10): an empty database gets a default tenant and an admin, so a
 * newcomer can sign in at once.
 *
 * "Empty" is judged by the sign-in directory, not by `tenants`: tenants has FORCEd RLS, so a
 * non-superuser owner login sees no rows there without a tenant set, and a count would wrongly say
 * "empty" on every boot. The directory has no RLS, and an install where nobody can sign in is
 * exactly the one that needs an admin.
 */
@Injectable()
export class BootstrapService {
  private readonly logger = new Logger('bootstrap');

  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
  ) {}

  async ensureDefaults(): Promise<BootstrapResult> {
    const adminEmail = this.config.RAPPORT_ADMIN_EMAIL.trim().toLowerCase();
    // Cheap unlocked look first: every boot after the first ends here, without hashing anything.
    const found = await this.db.runWithoutTenant((em) => this.existingSignIn(em, adminEmail));
    if (found) {
      await this.upgradeRoles(found.tenantId);
      return { tenantId: found.tenantId, adminEmail, created: false };
    }

    const generated = this.config.RAPPORT_ADMIN_PASSWORD ? null : randomBytes(18).toString('base64url');
    const password = this.config.RAPPORT_ADMIN_PASSWORD ?? generated ?? '';
    // Hashed up front (outside the transaction) even if another replica wins: argon2 must not hold the lock.
    const passwordHash = await this.hasher.hash(password);
    const tenantId = newId();

    const result = await this.db.runAsTenant(tenantId, async (em): Promise<BootstrapResult> => {
      // Transaction-scoped: released at commit, so the second replica then sees the first one's rows.
      await em.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      const existing = await this.existingSignIn(em, adminEmail);
      if (existing) return { tenantId: existing.tenantId, adminEmail, created: false };
      await this.tenants.insertTenant(em, tenantId, this.config.RAPPORT_DEFAULT_TENANT_NAME);
      await this.users.insertUser(
        em,
        tenantId,
        { email: adminEmail, displayName: 'Administrator', isAdmin: true },
        passwordHash,
      );
      return { tenantId, adminEmail, created: true };
    });

    if (result.created) {
      this.logger.log(
        `created the default tenant "${this.config.RAPPORT_DEFAULT_TENANT_NAME}" (${tenantId}) and admin ${adminEmail}`,
      );
      if (generated) printGeneratedPassword(adminEmail, generated);
    }
    return result;
  }

  /**
   * A database from before roles existed (migration 0002) has tenants without built-in roles and
   * administrators without a role. Every boot makes sure the default tenant has them (idempotent:
   * a select and, at most once, a few inserts); tenants created since get them at creation.
   */
  private async upgradeRoles(tenantId: string): Promise<void> {
    await this.db.runAsTenant(tenantId, async (em) => {
      const roles = await ensureBuiltinRoles(em, tenantId);
      const admin = roles.get('admin');
      if (admin) await assignAdminRole(em, tenantId, admin);
    });
  }

  /** The admin's directory entry, else any (the first tenant's), else null: nobody can sign in yet. */
  private async existingSignIn(
    em: EntityManager,
    adminEmail: string,
  ): Promise<{ tenantId: string; userId: string } | null> {
    const own = await signInLookup(em, adminEmail);
    if (own) return own;
    const rows: { tenantId: string; userId: string }[] = await em.query(
      'SELECT tenant_id AS "tenantId", user_id AS "userId" FROM sign_in_first()',
    );
    return rows[0] ?? null;
  }
}

/**
 * The only place a generated password ever appears: straight to stdout, once, never through the
 * logger (logs are shipped and kept; this must not be).
 */
function printGeneratedPassword(email: string, password: string): void {
  const lines = [
    'Rapport created an administrator with a generated password.',
    'It is shown only this once; store it now.',
    '',
    `  email:    ${email}`,
    `  password: ${password}`,
    '',
    'Sign in:  POST /oauth/token  grant_type=password&username=<email>&password=<password>',
    'Set RAPPORT_ADMIN_PASSWORD before the first start to choose it yourself.',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const border = `+${'-'.repeat(width + 2)}+`;
  process.stdout.write(
    `\n${border}\n${lines.map((l) => `| ${l.padEnd(width)} |`).join('\n')}\n${border}\n\n`,
  );
}
