import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, ok, restAs } from '../sales/helpers.js';

interface Item {
  index: number;
  op: string;
  status: number;
  id?: string;
  record?: Record<string, unknown>;
  error?: { status: number; code: string; detail: string; errors?: { field: string; code: string }[] };
}
interface BatchBody {
  atomic: boolean;
  results: Item[];
  summary: { succeeded: number; failed: number };
}

describe('POST /v1/{object}/batch', () => {
  let t: TestApp;
  let admin: UserFixture;
  let rep: UserFixture;
  let agent: UserFixture;
  let other: UserFixture;

  const count = async (tenantId: string, table: string, where = 'true', params: unknown[] = []) =>
    (
      await superSql<{ n: number }>(
        t.databaseUrl,
        `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1 AND ${where}`,
        [tenantId, ...params],
      )
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    other = await newTenant(t);
    const api = restAs(t, admin);
    // Reps see everyone's contacts but change only their own.
    ok(
      await t.http
        .put('/v1/sharing-settings/contacts')
        .set({ authorization: `Bearer ${admin.token}` })
        .send({ defaultAccess: 'read' }),
    );
    const repRole = await roleId(t, admin.tenantId, 'salesRep');
    ok(
      await api.put(`/v1/field-policies/${repRole}/contacts`, {
        mode: 'denyList',
        rules: { email: 'hidden', leadSource: 'read' },
      }),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('atomic: all operations commit together, in order, with per-item results', async () => {
    const api = restAs(t, admin);
    const existing = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Old name' }), 201);
    const doomed = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Doomed' }), 201);
    const res = await api.post('/v1/accounts/batch', {
      atomic: true,
      operations: [
        { op: 'create', data: { name: 'Batch A', domain: 'a.example' } },
        { op: 'upsert', externalId: 'acc-1', data: { name: 'Upserted' } },
        { op: 'update', id: existing.id, expectedVersion: 1, data: { name: 'New name' } },
        { op: 'update', externalId: 'acc-1', data: { industry: 'saas' } },
        { op: 'delete', id: doomed.id },
      ],
    });
    const body = ok<BatchBody>(res, 200);
    expect(body.summary).toEqual({ succeeded: 5, failed: 0 });
    expect(body.results.map((r) => [r.index, r.op, r.status])).toEqual([
      [0, 'create', 201],
      [1, 'upsert', 201],
      [2, 'update', 200],
      [3, 'update', 200],
      [4, 'delete', 204],
    ]);
    expect(body.results[2].record).toMatchObject({ id: existing.id, name: 'New name', version: 2 });
    expect(body.results[3].record).toMatchObject({ externalId: 'acc-1', name: 'Upserted', industry: 'saas' });
    expect(await count(admin.tenantId, 'accounts', `external_id = 'acc-1'`)).toBe(1);
    expect(await count(admin.tenantId, 'accounts', `id = $2 AND deleted_at IS NOT NULL`, [doomed.id])).toBe(
      1,
    );
    // Audited per operation, on the REST channel, under the request's id.
    const audit = await superSql<{ action: string; channel: string }>(
      t.databaseUrl,
      `SELECT action, channel FROM audit_events WHERE tenant_id = $1 AND object = 'account' AND record_id = ANY($2::uuid[]) ORDER BY seq`,
      [admin.tenantId, [body.results[0].id, existing.id, doomed.id]],
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'create', channel: 'rest' },
        { action: 'update', channel: 'rest' },
        { action: 'delete', channel: 'rest' },
      ]),
    );
  });

  it('atomic: a failing operation at index 3 rolls back everything and names the operation', async () => {
    const api = restAs(t, admin);
    const res = await api.post('/v1/contacts/batch', {
      atomic: true,
      operations: [
        { op: 'create', data: { lastName: 'Rollback0' } },
        { op: 'create', data: { lastName: 'Rollback1' } },
        { op: 'upsert', externalId: 'rb-2', data: { lastName: 'Rollback2' } },
        { op: 'create', data: { lastName: 'Rollback3', email: 'not-an-email' } },
        { op: 'create', data: { lastName: 'Rollback4' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.detail).toMatch(/^Operation 3 \(create\) failed/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['operations[3].data.email']);
    expect(await count(admin.tenantId, 'contacts', `last_name LIKE 'Rollback%'`)).toBe(0);
    expect(
      await count(
        admin.tenantId,
        'audit_events',
        `record_id IS NOT NULL AND details->>'version' IS NOT NULL AND object = 'contact' AND request_id = $2`,
        [res.body.requestId],
      ),
    ).toBe(0);
  });

  it('atomic: a missing record fails the batch with its 404', async () => {
    const res = await restAs(t, admin).post('/v1/contacts/batch', {
      atomic: true,
      operations: [
        { op: 'create', data: { lastName: 'Before404' } },
        { op: 'delete', id: '01900000-0000-7000-8000-000000000000' },
      ],
    });
    expect(res.status).toBe(404);
    expect(res.body.errors[0]).toMatchObject({ field: 'operations[1]', code: 'not_found' });
    expect(await count(admin.tenantId, 'contacts', `last_name = 'Before404'`)).toBe(0);
  });

  it('non-atomic: each operation stands alone, with a result per item and a summary', async () => {
    const api = restAs(t, admin);
    const res = await api.post('/v1/contacts/batch', {
      atomic: false,
      operations: [
        { op: 'create', data: { lastName: 'Solo0' } },
        { op: 'create', data: { lastName: 'Solo1', unknownField: 1 } },
        { op: 'update', id: '01900000-0000-7000-8000-000000000000', data: { lastName: 'x' } },
        { op: 'frobnicate' },
        { op: 'upsert', data: { lastName: 'NoKey' } },
        { op: 'upsert', externalId: 'solo-5', data: { lastName: 'Solo5' } },
        { op: 'upsert', externalId: 'solo-5', data: { lastName: 'Solo5b' } },
      ],
    });
    const body = ok<BatchBody>(res, 200);
    expect(body.atomic).toBe(false);
    expect(body.summary).toEqual({ succeeded: 3, failed: 4 });
    expect(body.results.map((r) => [r.index, r.status, r.error?.code ?? null])).toEqual([
      [0, 201, null],
      [1, 400, 'VALIDATION_FAILED'],
      [2, 404, 'NOT_FOUND'],
      [3, 400, 'VALIDATION_FAILED'],
      [4, 400, 'VALIDATION_FAILED'],
      [5, 201, null],
      [6, 200, null],
    ]);
    expect(body.results[1].error?.errors?.[0]).toMatchObject({
      field: 'data.unknownField',
      code: 'unknown_property',
    });
    expect(body.results[3].error?.errors?.[0].field).toBe('op');
    expect(body.results[6].record).toMatchObject({ id: body.results[5].id, lastName: 'Solo5b', version: 2 });
    expect(await count(admin.tenantId, 'contacts', `last_name IN ('Solo0', 'Solo5b')`)).toBe(2);
    expect(await count(admin.tenantId, 'contacts', `last_name = 'Solo1'`)).toBe(0);
  });

  it('refuses more than 1000 operations (and none) with a 400 that says so', async () => {
    const api = restAs(t, admin);
    const operations = Array.from({ length: 1001 }, (_, i) => ({
      op: 'create',
      data: { lastName: `Over${i}` },
    }));
    const res = await api.post('/v1/contacts/batch', { atomic: false, operations });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('operations');
    expect(res.body.errors[0].message).toMatch(/at most 1000 operations/);
    expect(await count(admin.tenantId, 'contacts', `last_name LIKE 'Over%'`)).toBe(0);
    expect((await api.post('/v1/contacts/batch', { atomic: false, operations: [] })).status).toBe(400);
    expect((await api.post('/v1/contacts/batch', { operations: [{ op: 'create' }] })).status).toBe(400);
    // 1000 is allowed.
    const full = await api.post('/v1/contacts/batch', {
      atomic: true,
      operations: operations.slice(0, 1000),
    });
    expect(ok<BatchBody>(full, 200).summary).toEqual({ succeeded: 1000, failed: 0 });
  }, 60_000);

  it('honours field-level security per operation: a hidden or read-only field fails that item with 403', async () => {
    const res = await restAs(t, rep).post('/v1/contacts/batch', {
      atomic: false,
      operations: [
        { op: 'create', data: { lastName: 'RepOk' } },
        { op: 'create', data: { lastName: 'RepHidden', email: 'x@example.com' } },
        { op: 'create', data: { lastName: 'RepReadOnly', leadSource: 'web' } },
      ],
    });
    const body = ok<BatchBody>(res, 200);
    expect(body.results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      [201, null],
      [403, 'FORBIDDEN_FIELD'],
      [403, 'FORBIDDEN_FIELD'],
    ]);
    // The hidden field is not in the created record either.
    expect(body.results[0].record).not.toHaveProperty('email');
    expect(await count(admin.tenantId, 'contacts', `last_name IN ('RepHidden', 'RepReadOnly')`)).toBe(0);
    // Refusals are audited like refused single requests.
    expect(
      await count(
        admin.tenantId,
        'audit_events',
        `action = 'denied' AND details->>'operation' LIKE 'POST /v1/contacts/batch%'`,
      ),
    ).toBeGreaterThanOrEqual(2);
  });

  it('honours record-level security per operation: a rep cannot change a colleague’s record', async () => {
    const theirs = ok<{ id: string }>(
      await restAs(t, admin).post('/v1/contacts', { lastName: 'AdminOwned' }),
      201,
    );
    const mine = ok<{ id: string }>(await restAs(t, rep).post('/v1/contacts', { lastName: 'RepOwned' }), 201);
    const res = await restAs(t, rep).post('/v1/contacts/batch', {
      atomic: false,
      operations: [
        { op: 'update', id: theirs.id, data: { title: 'Hijacked' } },
        { op: 'update', id: mine.id, data: { title: 'Mine' } },
        { op: 'delete', id: mine.id },
      ],
    });
    const body = ok<BatchBody>(res, 200);
    expect(body.results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      [403, 'FORBIDDEN'],
      [200, null],
      // Reps may not delete contacts at all.
      [403, 'FORBIDDEN'],
    ]);
    expect(await count(admin.tenantId, 'contacts', `id = $2 AND title IS NULL`, [theirs.id])).toBe(1);
    // Atomic: the same refusal is the answer and nothing is applied.
    const atomic = await restAs(t, rep).post('/v1/contacts/batch', {
      atomic: true,
      operations: [
        { op: 'update', id: mine.id, data: { title: 'Again' } },
        { op: 'update', id: theirs.id, data: { title: 'Hijacked' } },
      ],
    });
    expect(atomic.status).toBe(403);
    expect(atomic.body.errors[0].field).toBe('operations[1]');
    expect(await count(admin.tenantId, 'contacts', `id = $2 AND title = 'Mine'`, [mine.id])).toBe(1);
  });

  it('keeps tenants apart: another tenant’s ids are 404 per item', async () => {
    const foreign = ok<{ id: string }>(
      await restAs(t, other).post('/v1/contacts', { lastName: 'Foreign', externalId: 'f-1' }),
      201,
    );
    const res = await restAs(t, admin).post('/v1/contacts/batch', {
      atomic: false,
      operations: [
        { op: 'update', id: foreign.id, data: { lastName: 'Stolen' } },
        { op: 'delete', id: foreign.id },
        { op: 'update', externalId: 'f-1', data: { lastName: 'Stolen' } },
        // Same external id in this tenant is independent: a new record here.
        { op: 'upsert', externalId: 'f-1', data: { lastName: 'Mine' } },
      ],
    });
    const body = ok<BatchBody>(res, 200);
    expect(body.results.map((r) => r.status)).toEqual([404, 404, 404, 201]);
    expect(
      await count(other.tenantId, 'contacts', `id = $2 AND last_name = 'Foreign' AND deleted_at IS NULL`, [
        foreign.id,
      ]),
    ).toBe(1);
  });

  it('needs the object permission per operation: a role without contacts:create gets 403 items', async () => {
    const res = await restAs(t, agent).post('/v1/contacts/batch', {
      atomic: false,
      operations: [
        { op: 'create', data: { lastName: 'AgentMade' } },
        { op: 'upsert', externalId: 'ag-1', data: { lastName: 'AgentMade' } },
      ],
    });
    const body = ok<BatchBody>(res, 200);
    expect(body.results.map((r) => [r.status, r.error?.code])).toEqual([
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
    ]);
    const atomic = await restAs(t, agent).post('/v1/contacts/batch', {
      atomic: true,
      operations: [{ op: 'create', data: { lastName: 'AgentMade' } }],
    });
    expect(atomic.status).toBe(403);
    expect(await count(admin.tenantId, 'contacts', `last_name = 'AgentMade'`)).toBe(0);
    expect(
      (await t.http.post('/v1/contacts/batch').send({ atomic: true, operations: [{ op: 'create' }] })).status,
    ).toBe(401);
  });

  it('runs the module’s own rules (opportunities need a pipeline stage, leads are assigned)', async () => {
    const res = await restAs(t, admin).post('/v1/leads/batch', {
      atomic: true,
      operations: [{ op: 'create', data: { lastName: 'Lead', company: 'Acme' } }],
    });
    const body = ok<BatchBody>(res, 200);
    expect(body.results[0]).toMatchObject({ status: 201, record: { lastName: 'Lead' } });
    const opp = await restAs(t, admin).post('/v1/opportunities/batch', {
      atomic: false,
      operations: [{ op: 'create', data: { name: 'No pipeline' } }],
    });
    expect(ok<BatchBody>(opp, 200).results[0].status).toBe(400);
  });

  it('is a GraphQL mutation per object with the same results', async () => {
    const gql = gqlAs(t, admin);
    const res = await gql<{
      batchContacts: BatchBody & { results: (Item & { record: { lastName: string } | null })[] };
    }>(
      `mutation ($input: BatchInput!) { batchContacts(input: $input) {
         atomic summary { succeeded failed }
         results { index op status id record { id lastName } error { status code detail errors { field code } } } } }`,
      {
        input: {
          atomic: false,
          operations: [
            { op: 'create', data: { lastName: 'Gql0' } },
            { op: 'update', id: '01900000-0000-7000-8000-000000000000', data: { lastName: 'x' } },
            { op: 'upsert', externalId: 'gql-2', data: { lastName: 'Gql2' } },
          ],
        },
      },
    );
    expect(res.errors).toBeUndefined();
    const out = res.data!.batchContacts;
    expect(out.summary).toEqual({ succeeded: 2, failed: 1 });
    expect(
      out.results.map((r) => [r.op, r.status, r.record?.lastName ?? null, r.error?.code ?? null]),
    ).toEqual([
      ['create', 201, 'Gql0', null],
      ['update', 404, null, 'NOT_FOUND'],
      ['upsert', 201, 'Gql2', null],
    ]);
    const atomic = await gql(
      `mutation ($input: BatchInput!) { batchContacts(input: $input) { summary { succeeded } } }`,
      {
        input: {
          atomic: true,
          operations: [
            { op: 'create', data: { lastName: 'GqlA' } },
            { op: 'create', data: {} },
          ],
        },
      },
    );
    expect(atomic.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
    expect(atomic.errors?.[0].extensions?.errors?.[0].field).toBe('operations[1].data.lastName');
    expect(await count(admin.tenantId, 'contacts', `last_name = 'GqlA'`)).toBe(0);
  });
});
