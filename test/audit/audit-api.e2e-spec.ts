import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { auditRows } from './helpers.js';

interface EventBody {
  id: string;
  occurredAt: string;
  actorId: string;
  clientId: string | null;
  object: string | null;
  recordId: string | null;
  action: string;
  outcome: string;
  changes: Record<string, { before: unknown; after: unknown }> | null;
}

describe('audit API: list, filters, pagination, permission, tenants, history', () => {
  let t: TestApp;
  let a: UserFixture;
  let reader: UserFixture;
  let b: UserFixture;
  const auth = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  let contactId: string;
  let accountIds: string[];

  beforeAll(async () => {
    t = await createTestApp();
    a = await newTenant(t);
    reader = await newUser(t, a.tenantId, { isAdmin: false });
    b = await newTenant(t);
    const c = await t.http
      .post('/v1/contacts')
      .set(auth(a))
      .send({ lastName: 'History', email: 'h1@example.test' });
    contactId = c.body.id;
    await t.http.patch(`/v1/contacts/${contactId}`).set(auth(a)).send({ email: 'h2@example.test' });
    await t.http
      .patch(`/v1/contacts/${contactId}`)
      .set(auth(a))
      .send({ title: 'CTO', email: 'h3@example.test' });
    accountIds = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.http
        .post('/v1/accounts')
        .set(auth(a))
        .send({ name: `Paged ${i}` });
      accountIds.push(r.body.id);
    }
  });
  afterAll(() => t.close());

  const list = (u: UserFixture, query: Record<string, string> = {}) =>
    t.http.get('/v1/audit-events').query(query).set(auth(u));

  it('lists the tenant’s events newest first, each with actor, action, object and diff', async () => {
    const res = await list(a, { object: 'contact', recordId: contactId });
    expect(res.status).toBe(200);
    const data = res.body.data as EventBody[];
    expect(data.map((e) => e.action)).toEqual(['update', 'update', 'create']);
    expect(data[0]).toMatchObject({
      actorId: a.userId,
      object: 'contact',
      recordId: contactId,
      outcome: 'success',
      changes: {
        email: { before: 'h2@example.test', after: 'h3@example.test' },
        title: { before: null, after: 'CTO' },
      },
    });
    expect(res.body.nextCursor).toBeNull();
  });

  it('filters by actor, action, object, record and time, and refuses bad filters', async () => {
    const creates = await list(a, { action: 'create', object: 'account' });
    expect((creates.body.data as EventBody[]).map((e) => e.recordId).sort()).toEqual([...accountIds].sort());
    const byActor = await list(a, { actorId: a.userId, action: 'update' });
    expect((byActor.body.data as EventBody[]).every((e) => e.actorId === a.userId)).toBe(true);
    expect(byActor.body.data).toHaveLength(2);
    const future = await list(a, { from: new Date(Date.now() + 60_000).toISOString() });
    expect(future.body.data).toEqual([]);
    const past = await list(a, { to: '2000-01-01T00:00:00Z' });
    expect(past.body.data).toEqual([]);
    const window = await list(a, {
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
      object: 'contact',
    });
    expect(window.body.data).toHaveLength(3);
    const byClient = await list(a, { clientId: 'no-such-client' });
    expect(byClient.body.data).toEqual([]);

    expect((await list(a, { from: 'yesterday' })).status).toBe(400);
    expect((await list(a, { recordId: 'nope' })).status).toBe(400);
    expect((await list(a, { colour: 'red' })).status).toBe(400);
  });

  it('pages with an opaque cursor, without gaps or repeats; limit over 200 is a 400', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(a, { object: 'account', limit: '2', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...(res.body.data as EventBody[]).map((e) => e.recordId!));
      cursor = res.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...accountIds].reverse());

    const tooMany = await list(a, { limit: '201' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('LIMIT_TOO_LARGE');
    expect((await list(a, { cursor: 'garbage!' })).status).toBe(400);
    expect((await list(a, { cursor: Buffer.from('{"v":1}').toString('base64url') })).status).toBe(400);
  });

  it('needs audit:read: a user without it gets 403 on the list and verify, REST and GraphQL', async () => {
    const res = await list(reader);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect((await t.http.get('/v1/audit-events/verify').set(auth(reader))).status).toBe(403);
    const g = await gql(t, reader.token, '{ auditEvents { nodes { id } } }');
    expect(g.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.http.get('/v1/audit-events')).status).toBe(401);
  });

  it('records the refused attempt as a denied event', async () => {
    const rid = `denied-${randomUUID()}`;
    const res = await t.http.get('/v1/audit-events').set(auth(reader)).set('x-request-id', rid);
    expect(res.status).toBe(403);
    const rows = (await auditRows(t, { tenantId: a.tenantId, action: 'denied' })).filter(
      (r) => r.request_id === rid,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: reader.userId, outcome: 'denied', channel: 'rest' });
    expect(rows[0].details).toMatchObject({ operation: 'GET /v1/audit-events', code: 'FORBIDDEN' });
  });

  it('keeps tenants apart: B sees none of A’s events, history or record', async () => {
    const all = await list(b, { limit: '200' });
    expect(all.status).toBe(200);
    const ids = new Set([contactId, ...accountIds]);
    expect((all.body.data as EventBody[]).some((e) => e.recordId && ids.has(e.recordId))).toBe(false);
    expect((await list(b, { recordId: contactId })).body.data).toEqual([]);
    expect((await t.http.get(`/v1/contacts/${contactId}/history`).set(auth(b))).status).toBe(404);
    const g = await gql(
      t,
      b.token,
      `query($id: ID!) { recordHistory(object: "contact", id: $id) { nodes { eventId } } }`,
      {
        id: contactId,
      },
    );
    expect(g.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('GET /v1/{objects}/{id}/history: each change with its fields before and after, newest first', async () => {
    const res = await t.http.get(`/v1/contacts/${contactId}/history`).set(auth(a));
    expect(res.status).toBe(200);
    const entries = res.body.data as {
      action: string;
      version: number;
      actorId: string;
      channel: string;
      changes: { field: string; before: unknown; after: unknown }[];
    }[];
    expect(entries.map((e) => [e.action, e.version])).toEqual([
      ['update', 3],
      ['update', 2],
      ['create', 1],
    ]);
    expect(entries[0]).toMatchObject({ actorId: a.userId, channel: 'rest' });
    expect(entries[0].changes).toEqual([
      { field: 'email', before: 'h2@example.test', after: 'h3@example.test' },
      { field: 'title', before: null, after: 'CTO' },
    ]);
    // Paginated like every list.
    const first = await t.http.get(`/v1/contacts/${contactId}/history`).query({ limit: '1' }).set(auth(a));
    expect(first.body.data).toHaveLength(1);
    const second = await t.http
      .get(`/v1/contacts/${contactId}/history`)
      .query({ limit: '1', cursor: first.body.nextCursor })
      .set(auth(a));
    expect(second.body.data[0].version).toBe(2);

    const accountHistory = await t.http.get(`/v1/accounts/${accountIds[0]}/history`).set(auth(a));
    expect(accountHistory.body.data.map((e: { action: string }) => e.action)).toEqual(['create']);

    expect((await t.http.get(`/v1/contacts/${randomUUID()}/history`).set(auth(a))).status).toBe(404);
    expect((await t.http.get(`/v1/contacts/not-a-uuid/history`).set(auth(a))).status).toBe(404);
    expect((await t.http.get(`/v1/widgets/${contactId}/history`).set(auth(a))).status).toBe(404);
  });

  it('GraphQL: auditEvents connection with filter and paging, recordHistory', async () => {
    const q = await gql<{
      auditEvents: {
        nodes: { recordId: string; action: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(
      t,
      a.token,
      `{ auditEvents(filter: { object: "account", action: "create" }, first: 3) {
           nodes { recordId action channel actorType } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(q.errors).toBeUndefined();
    expect(q.data!.auditEvents.nodes.map((n) => n.recordId)).toEqual([...accountIds].reverse().slice(0, 3));
    expect(q.data!.auditEvents.pageInfo.hasNextPage).toBe(true);
    const next = await gql<{ auditEvents: { nodes: { recordId: string }[] } }>(
      t,
      a.token,
      `query($after: String) { auditEvents(filter: { object: "account", action: "create" }, first: 3, after: $after) { nodes { recordId } } }`,
      { after: q.data!.auditEvents.pageInfo.endCursor },
    );
    expect(next.data!.auditEvents.nodes.map((n) => n.recordId)).toEqual([...accountIds].reverse().slice(3));

    const h = await gql<{
      recordHistory: { nodes: { action: string; changes: { field: string; after: unknown }[] }[] };
    }>(
      t,
      a.token,
      `query($id: ID!) { recordHistory(object: "contacts", id: $id) { nodes { action version changes { field before after } } } }`,
      { id: contactId },
    );
    expect(h.errors).toBeUndefined();
    expect(h.data!.recordHistory.nodes.map((n) => n.action)).toEqual(['update', 'update', 'create']);
    expect(h.data!.recordHistory.nodes[1].changes).toEqual([
      { field: 'email', before: 'h1@example.test', after: 'h2@example.test' },
    ]);

    const tooMany = await gql(t, a.token, '{ auditEvents(first: 500) { nodes { id } } }');
    expect(tooMany.errors?.[0].extensions?.code).toBe('LIMIT_TOO_LARGE');
  });
});
