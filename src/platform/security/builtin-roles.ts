import { EntityManager } from 'typeorm';
import { newId } from '../database/ids.js';
import { BUILTIN_ROLES, BuiltinRoleKey } from './permissions.js';

/**
 * Creates the built-in roles of a tenant that lack them (idempotent), inside the caller's
 * tenant transaction, and returns every built-in role's id by key. Run when a tenant is created
 * and, for installations that predate roles, at boot for the default tenant.
 *
 * ON CONFLICT DO NOTHING covers both a built-in already present and a custom role that took the
 * name first; in the latter case the built-in is skipped rather than the boot failing.
 */
export async function ensureBuiltinRoles(
  em: EntityManager,
  tenantId: string,
): Promise<Map<BuiltinRoleKey, string>> {
  const ids = await builtinRoleIds(em, tenantId);
  for (const role of BUILTIN_ROLES) {
    if (ids.has(role.key)) continue;
    const parentId = role.parent ? (ids.get(role.parent) ?? null) : null;
    const rows: { id: string }[] = await em.query(
      `INSERT INTO roles (tenant_id, id, name, description, parent_role_id, permissions, builtin_key)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7)
       ON CONFLICT DO NOTHING RETURNING id`,
      [tenantId, newId(), role.name, role.description, parentId, role.permissions(), role.key],
    );
    if (rows[0]) ids.set(role.key, rows[0].id);
  }
  return ids;
}

export async function builtinRoleIds(
  em: EntityManager,
  tenantId: string,
): Promise<Map<BuiltinRoleKey, string>> {
  const rows: { id: string; key: BuiltinRoleKey }[] = await em.query(
    `SELECT id, builtin_key AS key FROM roles WHERE tenant_id = $1 AND builtin_key IS NOT NULL`,
    [tenantId],
  );
  return new Map(rows.map((r) => [r.key, r.id]));
}

/** Gives every administrator (is_admin) without a role the built-in admin role. */
export async function assignAdminRole(
  em: EntityManager,
  tenantId: string,
  adminRoleId: string,
): Promise<void> {
  await em.query(`UPDATE users SET role_id = $2 WHERE tenant_id = $1 AND is_admin AND role_id IS NULL`, [
    tenantId,
    adminRoleId,
  ]);
}
