import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';
import { auditRows } from './helpers.js';

describe('audit: every record write leaves exactly one event, in its own transaction', () => {
  let t: TestApp;
  let a: UserFixture;
  const auth = () => ({ authorization: `Bearer ${a.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    a = await newTenant(t);
  });
  afterAll(() => t.close());

  it('REST create, update, delete and restore: one event each, with actor, channel, request id and before/after', async () => {
    const rid = () => `audit-test-${randomUUID()}`;
    const createId = rid();
    const created = await t.http
      .post('/v1/contacts')
      .set(auth())
      .set('x-request-id', createId)
      .send({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.test', tags: ['vip'] });
    expect(created.status).toBe(201);
    expect(created.headers['x-request-id']).toBe(createId);
    const id = created.body.id as string;

    let rows = await auditRows(t, { recordId: id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenant_id: a.tenantId,
      actor_type: 'user',
      actor_id: a.userId,
      user_id: a.userId,
      client_id: null,
      channel: 'rest',
      request_id: createId,
      object: 'contact',
      record_id: id,
      action: 'create',
      outcome: 'success',
      details: { version: 1 },
    });
    expect(rows[0].changes).toEqual(
      expect.objectContaining({
        firstName: { before: null, after: 'Ada' },
        lastName: { before: null, after: 'Lovelace' },
        email: { before: null, after: 'ada@example.test' },
        doNotContact: { before: null, after: false },
        tags: { before: null, after: ['vip'] },
      }),
    );
    // Values only: no nulls, no bookkeeping fields (the version is in details).
    for (const key of ['title', 'id', 'createdAt', 'updatedAt', 'version'])
      expect(rows[0].changes).not.toHaveProperty(key);

    const updateId = rid();
    const updated = await t.http
      .patch(`/v1/contacts/${id}`)
      .set(auth())
      .set('x-request-id', updateId)
      .set('if-match', '"1"')
      .send({ email: 'ada@lovelace.test', title: 'Countess', lastName: 'Lovelace' });
    expect(updated.status).toBe(200);
    rows = await auditRows(t, { recordId: id });
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      action: 'update',
      request_id: updateId,
      channel: 'rest',
      details: { version: 2 },
    });
    // Only what changed: lastName was sent with its current value.
    expect(rows[1].changes).toEqual({
      email: { before: 'ada@example.test', after: 'ada@lovelace.test' },
      title: { before: null, after: 'Countess' },
    });

    const deleteId = rid();
    expect((await t.http.delete(`/v1/contacts/${id}`).set(auth()).set('x-request-id', deleteId)).status).toBe(
      204,
    );
    rows = await auditRows(t, { recordId: id });
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ action: 'delete', request_id: deleteId, details: { version: 3 } });
    expect(rows[2].changes?.deletedAt.before).toBeNull();
    expect(typeof rows[2].changes?.deletedAt.after).toBe('string');

    const restoreId = rid();
    const restored = await t.http
      .post(`/v1/contacts/${id}/restore`)
      .set(auth())
      .set('x-request-id', restoreId);
    expect(restored.status).toBe(200);
    rows = await auditRows(t, { recordId: id });
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({ action: 'restore', request_id: restoreId, details: { version: 4 } });
    expect(rows[3].changes).toEqual({ deletedAt: { before: rows[2].changes?.deletedAt.after, after: null } });

    // Restoring a live record changes nothing and records nothing.
    expect((await t.http.post(`/v1/contacts/${id}/restore`).set(auth())).status).toBe(200);
    expect(await auditRows(t, { recordId: id })).toHaveLength(4);
  });

  it('GraphQL create, update, delete and restore: one event each, channel graphql', async () => {
    const created = await gql<{ createAccount: { id: string } }>(
      t,
      a.token,
      `mutation { createAccount(input: { name: "Graph Audit", industry: "saas" }) { id } }`,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createAccount.id;
    await gql(
      t,
      a.token,
      `mutation($id: ID!) { updateAccount(id: $id, input: { industry: "fintech" }) { id } }`,
      {
        id,
      },
    );
    await gql(t, a.token, `mutation($id: ID!) { deleteAccount(id: $id) }`, { id });
    await gql(t, a.token, `mutation($id: ID!) { restoreAccount(id: $id) { id } }`, { id });
    const rows = await auditRows(t, { recordId: id });
    expect(rows.map((r) => [r.action, r.channel, r.actor_id, r.object])).toEqual([
      ['create', 'graphql', a.userId, 'account'],
      ['update', 'graphql', a.userId, 'account'],
      ['delete', 'graphql', a.userId, 'account'],
      ['restore', 'graphql', a.userId, 'account'],
    ]);
    expect(rows[1].changes).toEqual({ industry: { before: 'saas', after: 'fintech' } });
    expect(rows.every((r) => typeof r.request_id === 'string' && r.request_id.length > 0)).toBe(true);
  });

  it('a write that fails writes no event: a bad reference found mid-transaction, a stale If-Match (412), a 404', async () => {
    const before = (await auditRows(t, { tenantId: a.tenantId })).length;
    const badRef = await t.http
      .post('/v1/contacts')
      .set(auth())
      .send({ lastName: 'Nobody', accountId: randomUUID() });
    expect(badRef.status).toBe(400);

    const acc = await t.http.post('/v1/accounts').set(auth()).send({ name: 'Versioned' });
    const stale = await t.http
      .patch(`/v1/accounts/${acc.body.id}`)
      .set(auth())
      .set('if-match', '"7"')
      .send({ name: 'Nope' });
    expect(stale.status).toBe(412);
    const staleDelete = await t.http.delete(`/v1/accounts/${acc.body.id}`).set(auth()).set('if-match', '"9"');
    expect(staleDelete.status).toBe(412);
    const missing = await t.http.patch(`/v1/accounts/${randomUUID()}`).set(auth()).send({ name: 'Ghost' });
    expect(missing.status).toBe(404);

    const after = await auditRows(t, { tenantId: a.tenantId });
    // Only the account's create was recorded.
    expect(after.length - before).toBe(1);
    expect(after[after.length - 1]).toMatchObject({ action: 'create', record_id: acc.body.id });
  });

  it('the event is part of the change: when the event cannot be written, the change rolls back too', async () => {
    const db = t.databaseUrl;
    await superSql(db, 'REVOKE INSERT ON audit_events FROM rapport_app');
    try {
      const res = await t.http.post('/v1/accounts').set(auth()).send({ name: 'Unaudited Ltd' });
      expect(res.status).toBeGreaterThanOrEqual(400);
    } finally {
      await superSql(db, 'GRANT INSERT ON audit_events TO rapport_app');
    }
    const rows = await superSql(db, `SELECT 1 FROM accounts WHERE name = 'Unaudited Ltd'`);
    expect(rows).toHaveLength(0);
  });

  it('concurrent writes of one tenant all land, on several chains, each chain without gaps', async () => {
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        t.http
          .post('/v1/accounts')
          .set(auth())
          .send({ name: `Parallel ${i}` }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const chains = await superSql<{ chain: number; n: number; max: string }>(
      t.databaseUrl,
      `SELECT chain, count(*)::int AS n, max(seq)::text AS max FROM audit_events WHERE tenant_id = $1 GROUP BY chain`,
      [a.tenantId],
    );
    expect(chains.length).toBeGreaterThan(1);
    for (const c of chains) expect(Number(c.max)).toBe(c.n);
    const verify = await t.http.get('/v1/audit-events/verify').set(auth());
    expect(verify.body).toMatchObject({ ok: true });
  });
});
