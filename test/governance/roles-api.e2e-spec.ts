import { TenantDb } from '../../src/platform/database/tenant-db.js';
import { assignAdminRole, ensureBuiltinRoles } from '../../src/platform/security/builtin-roles.js';
import { allPermissions, BUILTIN_ROLES } from '../../src/platform/security/permissions.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';

interface Role {
  id: string;
  name: string;
  parentRoleId: string | null;
  permissions: string[];
  builtinKey: string | null;
  version: number;
}

describe('roles (/v1/roles and GraphQL)', () => {
  let t: TestApp;
  let admin: UserFixture;
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  /** A user whose custom role grants exactly `permissions`. */
  async function userWith(permissions: string[]): Promise<UserFixture> {
    const role = await t.http
      .post('/v1/roles')
      .set(as(admin))
      .send({ name: `custom ${Math.random()}`, permissions });
    expect(role.status).toBe(201);
    return newUser(t, admin.tenantId, { role: role.body.id });
  }

  describe('built-in roles', () => {
    it('exist in every new tenant, with the documented permissions and hierarchy', async () => {
      const fresh = await newTenant(t);
      const res = await t.http.get('/v1/roles').set(as(fresh));
      expect(res.status).toBe(200);
      const roles = res.body.data as Role[];
      const byKey = new Map(roles.map((r) => [r.builtinKey, r]));
      expect([...byKey.keys()].sort()).toEqual(BUILTIN_ROLES.map((r) => r.key).sort());
      expect(byKey.get('admin')!.permissions.sort()).toEqual(allPermissions().sort());
      expect(byKey.get('salesManager')!.permissions).toEqual(
        expect.arrayContaining(['accounts:assign', 'contacts:delete', 'activities:assign']),
      );
      const setup = ['pipelines:read', 'stages:read', 'products:read', 'lead-queues:read'];
      expect(byKey.get('salesManager')!.permissions).toEqual(
        expect.arrayContaining(['leads:assign', 'opportunities:delete', ...setup]),
      );
      expect(byKey.get('salesRep')!.permissions.sort()).toEqual(
        [
          'accounts:create',
          'accounts:read',
          'accounts:update',
          'activities:create',
          'activities:delete',
          'activities:read',
          'activities:update',
          'contacts:create',
          'contacts:read',
          'contacts:update',
          'leads:create',
          'leads:read',
          'leads:update',
          'opportunities:create',
          'opportunities:read',
          'opportunities:update',
          ...setup,
          'cases:read',
          'knowledge-articles:read',
        ].sort(),
      );
      expect(byKey.get('salesRep')!.parentRoleId).toBe(byKey.get('salesManager')!.id);
      expect(byKey.get('supportAgent')!.permissions.sort()).toEqual(
        [
          'accounts:read',
          'activities:create',
          'activities:read',
          'activities:update',
          'contacts:read',
          'products:read',
          'business-calendars:read',
          'sla-policies:read',
          'cases:read',
          'cases:create',
          'cases:update',
          'cases:assign',
          'case-queues:read',
          'knowledge-articles:read',
          'knowledge-articles:create',
          'knowledge-articles:update',
        ].sort(),
      );
      expect(byKey.get('marketing')!.permissions.sort()).toEqual(
        [
          'accounts:read',
          'activities:read',
          'contacts:create',
          'contacts:read',
          'contacts:update',
          'lead-queues:read',
          'leads:create',
          'leads:read',
          'leads:update',
        ].sort(),
      );
      expect(byKey.get('readOnly')!.permissions.sort()).toEqual(
        [
          'accounts:read',
          'activities:read',
          'contacts:read',
          'lead-queues:read',
          'leads:read',
          'opportunities:read',
          'pipelines:read',
          'products:read',
          'stages:read',
          'business-calendars:read',
          'sla-policies:read',
          'cases:read',
          'case-queues:read',
          'case-assignment-rules:read',
          'knowledge-articles:read',
        ].sort(),
      );
      // Only administrators configure sales and service: no other built-in role writes pipelines,
      // stages, products, queues, assignment rules, business calendars or SLA policies.
      for (const key of ['salesManager', 'salesRep', 'supportAgent', 'marketing', 'readOnly'])
        expect(
          byKey
            .get(key)!
            .permissions.filter((perm) =>
              /^(pipelines|stages|products|lead-queues|business-calendars|sla-policies|case-queues|case-assignment-rules):(create|update|delete)|^lead-assignment-rules:/.test(
                perm,
              ),
            ),
        ).toEqual([]);
      // The tenant's first administrator holds the admin role.
      const rows = await superSql(t.databaseUrl, 'SELECT role_id FROM users WHERE id = $1', [fresh.userId]);
      expect(rows).toEqual([{ role_id: byKey.get('admin')!.id }]);
    });

    it('are added, once, to a tenant from before roles, whose administrators then get the admin role', async () => {
      const old = await newTenant(t);
      // What a database migrated from before roles looks like: no roles, no role on the admin.
      await superSql(t.databaseUrl, 'UPDATE users SET role_id = NULL WHERE tenant_id = $1', [old.tenantId]);
      await superSql(t.databaseUrl, 'UPDATE roles SET parent_role_id = NULL WHERE tenant_id = $1', [
        old.tenantId,
      ]);
      await superSql(t.databaseUrl, 'DELETE FROM roles WHERE tenant_id = $1', [old.tenantId]);
      const db = t.app.get(TenantDb);
      for (let i = 0; i < 2; i++) {
        await db.runAsTenant(old.tenantId, async (em) => {
          const ids = await ensureBuiltinRoles(em, old.tenantId);
          await assignAdminRole(em, old.tenantId, ids.get('admin')!);
        });
      }
      const rows = await superSql<{ n: number; admin: string }>(
        t.databaseUrl,
        `SELECT (SELECT count(*)::int FROM roles WHERE tenant_id = $1) AS n,
                (SELECT r.builtin_key FROM users u JOIN roles r ON r.tenant_id = u.tenant_id AND r.id = u.role_id
                  WHERE u.id = $2) AS admin`,
        [old.tenantId, old.userId],
      );
      expect(rows).toEqual([{ n: 6, admin: 'admin' }]);
    });

    it('cannot be deleted, and the admin role’s permissions cannot change', async () => {
      const readOnly = await roleId(t, admin.tenantId, 'readOnly');
      const del = await t.http.delete(`/v1/roles/${readOnly}`).set(as(admin));
      expect(del.status).toBe(409);
      const adminRole = await roleId(t, admin.tenantId, 'admin');
      const narrow = await t.http
        .patch(`/v1/roles/${adminRole}`)
        .set(as(admin))
        .send({ permissions: ['contacts:read'] });
      expect(narrow.status).toBe(409);
      expect(narrow.body.errors[0].field).toBe('permissions');
      // Other built-ins can be tailored.
      const tailored = await t.http
        .patch(`/v1/roles/${readOnly}`)
        .set(as(admin))
        .send({ description: 'Auditors and executives' });
      expect(tailored.status).toBe(200);
      expect(tailored.body).toMatchObject({ description: 'Auditors and executives', version: 2 });
    });
  });

  describe('CRUD', () => {
    it('creates, reads, updates and deletes a role', async () => {
      const created = await t.http
        .post('/v1/roles')
        .set(as(admin))
        .send({ name: 'Inside sales', permissions: ['contacts:read', 'contacts:update', 'contacts:read'] });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'Inside sales',
        permissions: ['contacts:read', 'contacts:update'],
        builtinKey: null,
        parentRoleId: null,
        version: 1,
      });
      const id = created.body.id as string;
      expect((await t.http.get(`/v1/roles/${id}`).set(as(admin))).body.name).toBe('Inside sales');

      const manager = await roleId(t, admin.tenantId, 'salesManager');
      const updated = await t.http
        .patch(`/v1/roles/${id}`)
        .set(as(admin))
        .send({ parentRoleId: manager, permissions: ['contacts:read'] });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        parentRoleId: manager,
        permissions: ['contacts:read'],
        version: 2,
      });

      const dup = await t.http
        .post('/v1/roles')
        .set(as(admin))
        .send({ name: 'Inside sales', permissions: [] });
      expect(dup.status).toBe(409);
      expect(dup.body.errors[0].field).toBe('name');

      expect((await t.http.delete(`/v1/roles/${id}`).set(as(admin))).status).toBe(204);
      expect((await t.http.get(`/v1/roles/${id}`).set(as(admin))).status).toBe(404);

      // Every change is in the audit trail, with what changed.
      const events = await superSql<{ action: string; changes: Record<string, { after: unknown }> }>(
        t.databaseUrl,
        `SELECT action, changes FROM audit_events WHERE object = 'role' AND record_id = $1 ORDER BY occurred_at, seq`,
        [id],
      );
      expect(events.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
      expect(events[1].changes.permissions.after).toEqual(['contacts:read']);
    });

    it('pages with a cursor and refuses a limit over 200', async () => {
      const first = await t.http.get('/v1/roles?limit=2').set(as(admin));
      expect(first.body.data).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.http.get(`/v1/roles?limit=2&cursor=${first.body.nextCursor}`).set(as(admin));
      expect(second.body.data[0].id > first.body.data[1].id).toBe(true);
      expect((await t.http.get('/v1/roles?limit=201').set(as(admin))).status).toBe(400);
      expect((await t.http.get('/v1/roles?cursor=garbage').set(as(admin))).body.code).toBe('INVALID_CURSOR');
    });

    it('refuses unknown permissions, naming them', async () => {
      const res = await t.http
        .post('/v1/roles')
        .set(as(admin))
        .send({ name: 'Typo', permissions: ['contacts:read', 'contacts:reed', 'tickets:read'] });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/contacts:reed/);
      expect(res.body.detail).toMatch(/tickets:read/);
      expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual([
        'unknown_permission',
        'unknown_permission',
      ]);
    });

    it('refuses a parent that would make the hierarchy a loop', async () => {
      const mk = async (name: string, parentRoleId?: string) =>
        (await t.http.post('/v1/roles').set(as(admin)).send({ name, permissions: [], parentRoleId })).body
          .id as string;
      const top = await mk('Loop top');
      const middle = await mk('Loop middle', top);
      const bottom = await mk('Loop bottom', middle);
      const loop = await t.http.patch(`/v1/roles/${top}`).set(as(admin)).send({ parentRoleId: bottom });
      expect(loop.status).toBe(400);
      expect(loop.body.errors).toEqual([expect.objectContaining({ field: 'parentRoleId', code: 'cycle' })]);
      const self = await t.http.patch(`/v1/roles/${top}`).set(as(admin)).send({ parentRoleId: top });
      expect(self.status).toBe(400);
      const missing = await t.http
        .post('/v1/roles')
        .set(as(admin))
        .send({ name: 'Orphan', permissions: [], parentRoleId: '01900000-0000-7000-8000-000000000000' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0]).toMatchObject({ field: 'parentRoleId', code: 'not_found' });
      // A role with roles below it cannot go.
      expect((await t.http.delete(`/v1/roles/${middle}`).set(as(admin))).status).toBe(409);
    });

    it('refuses deleting a role in use', async () => {
      const role = await t.http.post('/v1/roles').set(as(admin)).send({ name: 'In use', permissions: [] });
      await newUser(t, admin.tenantId, { role: role.body.id });
      const res = await t.http.delete(`/v1/roles/${role.body.id}`).set(as(admin));
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/held by 1 user/);
    });
  });

  describe('who may do what', () => {
    it('lets any signed-in user read roles, and only roles:manage write them', async () => {
      const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
      expect((await t.http.get('/v1/roles').set(as(reader))).status).toBe(200);
      const res = await t.http.post('/v1/roles').set(as(reader)).send({ name: 'Mine', permissions: [] });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/roles:manage/);
    });

    it('refuses granting a permission the caller does not hold (privilege escalation)', async () => {
      const manager = await userWith(['roles:manage', 'contacts:read']);
      const within = await t.http
        .post('/v1/roles')
        .set(as(manager))
        .send({ name: 'Contacts reader', permissions: ['contacts:read'] });
      expect(within.status).toBe(201);

      const beyond = await t.http
        .post('/v1/roles')
        .set(as(manager))
        .send({ name: 'Superpowers', permissions: ['contacts:read', 'users:manage', 'audit:read'] });
      expect(beyond.status).toBe(403);
      expect(beyond.body.detail).toMatch(/users:manage, audit:read/);
      expect((await superSql(t.databaseUrl, `SELECT 1 FROM roles WHERE name = 'Superpowers'`)).length).toBe(
        0,
      );

      // Nor widen an existing role, nor edit or delete one stronger than themselves.
      const widen = await t.http
        .patch(`/v1/roles/${within.body.id}`)
        .set(as(manager))
        .send({ permissions: ['contacts:read', 'contacts:delete'] });
      expect(widen.status).toBe(403);
      const adminRole = await roleId(t, admin.tenantId, 'admin');
      expect(
        (await t.http.patch(`/v1/roles/${adminRole}`).set(as(manager)).send({ description: 'mine now' }))
          .status,
      ).toBe(403);
    });

    it('applies a role change to tokens already issued', async () => {
      const role = await t.http
        .post('/v1/roles')
        .set(as(admin))
        .send({ name: 'Shifting', permissions: ['contacts:read'] });
      const user = await newUser(t, admin.tenantId, { role: role.body.id });
      expect((await t.http.get('/v1/contacts').set(as(user))).status).toBe(200);
      await t.http.patch(`/v1/roles/${role.body.id}`).set(as(admin)).send({ permissions: [] }).expect(200);
      expect((await t.http.get('/v1/contacts').set(as(user))).status).toBe(403);
    });
  });

  describe('GraphQL', () => {
    it('lists, creates, updates and deletes roles, with the same rules', async () => {
      const list = await gql<{ roles: { nodes: Role[]; pageInfo: { hasNextPage: boolean } } }>(
        t,
        admin.token,
        '{ roles(first: 200) { nodes { id name builtinKey permissions } pageInfo { hasNextPage } } }',
      );
      expect(list.errors).toBeUndefined();
      expect(list.data!.roles.nodes.filter((r) => r.builtinKey).length).toBe(6);

      const created = await gql<{ createRole: Role }>(
        t,
        admin.token,
        'mutation($input: CreateRoleInput!) { createRole(input: $input) { id name permissions version } }',
        { input: { name: 'GraphQL role', permissions: ['accounts:read'] } },
      );
      expect(created.errors).toBeUndefined();
      const id = created.data!.createRole.id;
      const updated = await gql<{ updateRole: Role }>(
        t,
        admin.token,
        'mutation($id: ID!) { updateRole(id: $id, input: { name: "GraphQL role 2" }) { name version } }',
        { id },
      );
      expect(updated.data).toEqual({ updateRole: { name: 'GraphQL role 2', version: 2 } });
      const unknown = await gql(
        t,
        admin.token,
        'mutation { createRole(input: { name: "Bad", permissions: ["nope:read"] }) { id } }',
      );
      expect(unknown.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      const deleted = await gql(t, admin.token, 'mutation($id: ID!) { deleteRole(id: $id) }', { id });
      expect(deleted.data).toEqual({ deleteRole: true });

      const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
      const refused = await gql(
        t,
        reader.token,
        'mutation { createRole(input: { name: "Nope", permissions: [] }) { id } }',
      );
      expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });
});
