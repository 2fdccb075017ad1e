import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '../database/ids.js';
import { TenantDb } from '../database/tenant-db.js';
import { DomainError } from '../http/domain-error.js';
import { ensureBuiltinRoles } from '../security/builtin-roles.js';
import { Tenant } from './tenant.entity.js';
import { TenantRef, tenantIdOf } from './tenant-ref.js';

@Injectable()
export class TenantsService {
  constructor(private readonly db: TenantDb) {}

  /** Creates a tenant with its built-in roles; it has no users yet (see UsersService.createUser). */
  createTenant(name: string): Promise<Tenant> {
    const id = newId();
    return this.db.runAsTenant(id, (em) => this.insertTenant(em, id, name));
  }

  getTenant(ref: TenantRef): Promise<Tenant | null> {
    const id = tenantIdOf(ref);
    return this.db.runAsTenant(id, (em) => em.getRepository(Tenant).findOneBy({ id }));
  }

  /**
   * Inserts inside a transaction already pinned to `id`: the RLS policy on tenants only lets a
   * transaction write the tenant it is pinned to. The built-in roles (admin, sales manager, sales
   * rep, support agent, marketing, read-only; see security/permissions.ts) come with it, in the
   * same transaction, so no tenant ever exists without them.
   */
  async insertTenant(em: EntityManager, id: string, name: string): Promise<Tenant> {
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (trimmed.length < 1 || trimmed.length > 200) {
      throw new DomainError('VALIDATION_FAILED', 'The tenant name must be 1 to 200 characters.', [
        { field: 'name', code: 'length', message: 'name must be 1 to 200 characters' },
      ]);
    }
    const repo = em.getRepository(Tenant);
    await repo.insert({ id, name: trimmed });
    await ensureBuiltinRoles(em, id);
    return repo.findOneByOrFail({ id });
  }
}
