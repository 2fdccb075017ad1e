import { EntityManager } from 'typeorm';
import { UUID_RE } from '../database/ids.js';
import { roleGrants } from './permissions.js';

/**
 * The permissions one role grants (null: no such role in the tenant), read inside the caller's
 * tenant transaction. For principals that act as a role rather than as a user (OAuth clients);
 * a user's grants come with the rest of their principal from UsersService.activePrincipal.
 */
export async function loadRoleGrants(
  em: EntityManager,
  tenantId: string,
  roleId: string,
): Promise<ReadonlySet<string> | null> {
  if (!UUID_RE.test(roleId)) return null;
  const rows: { builtinKey: string | null; permissions: string[] }[] = await em.query(
    `SELECT builtin_key AS "builtinKey", permissions FROM roles WHERE tenant_id = $1 AND id = $2`,
    [tenantId, roleId],
  );
  return rows[0] ? new Set(roleGrants(rows[0])) : null;
}
