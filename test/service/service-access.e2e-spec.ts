import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { CaseBody, gqlAs, newCase, newQueue, ok, restAs } from './case-helpers.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'del';

/**
 * Every case, queue and rule endpoint: another tenant's ids are 404, a missing permission is 403,
 * and record-level security (owner = assignee) decides which cases a user sees.
 */
describe('service access: tenants, permissions, record-level security', () => {
  let t: TestApp;
  let admin: UserFixture;
  let outsider: UserFixture;
  let ids: { case: string; queue: string; rule: string };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    outsider = await newTenant(t);
    const queue = await newQueue(t, admin, [admin.userId]);
    const kase = await newCase(t, admin, { assigneeId: admin.userId });
    ok(await restAs(t, admin).patch(`/v1/cases/${kase.id}`, { status: 'solved' }));
    const rule = ok<{ id: string }>(
      await restAs(t, admin).post('/v1/case-assignment-rules', {
        name: 'Everything',
        condition: "priority eq 'low'",
        strategy: 'roundRobin',
        queueId: queue,
      }),
      201,
    );
    ids = { case: kase.id, queue, rule: rule.id };
  });
  afterAll(() => t.close());

  const endpoints = (): [Method, string, object?][] => [
    ['get', `/v1/cases/${ids.case}`],
    ['patch', `/v1/cases/${ids.case}`, { subject: 'x' }],
    ['del', `/v1/cases/${ids.case}`],
    ['get', `/v1/cases/${ids.case}/comments`],
    ['post', `/v1/cases/${ids.case}/comments`, { body: 'x', isPublic: true }],
    ['put', `/v1/cases/${ids.case}/csat`, { score: 5 }],
    ['get', `/v1/cases/${ids.case}/assignments`],
    ['get', `/v1/case-queues/${ids.queue}`],
    ['patch', `/v1/case-queues/${ids.queue}`, { name: 'x' }],
    ['get', `/v1/case-queues/${ids.queue}/members`],
    ['put', `/v1/case-queues/${ids.queue}/members`, { members: [] }],
    ['get', `/v1/case-assignment-rules/${ids.rule}`],
    ['patch', `/v1/case-assignment-rules/${ids.rule}`, { name: 'x' }],
    ['del', `/v1/case-assignment-rules/${ids.rule}`],
  ];

  const call = (u: UserFixture, [method, path, body]: [Method, string, object?]) => {
    const api = restAs(t, u);
    return method === 'get' || method === 'del' ? api[method](path) : api[method](path, body ?? {});
  };

  it('answers 404 for another tenant’s case, queue and rule on every endpoint', async () => {
    for (const e of endpoints()) {
      const res = await call(outsider, e);
      expect([e[0], e[1], res.status]).toEqual([e[0], e[1], 404]);
    }
    const list = ok<{ data: unknown[] }>(await restAs(t, outsider).get('/v1/cases'));
    expect(list.data).toHaveLength(0);
    const gq = await gqlAs(t, outsider)(`query($id: ID!) { case(id: $id) { id } }`, { id: ids.case });
    expect(gq.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // nothing changed on the owner's side
    const [row] = await superSql<{ version: number; csat_score: number | null }>(
      t.databaseUrl,
      `SELECT version, csat_score FROM cases WHERE id = $1`,
      [ids.case],
    );
    expect(row.csat_score).toBeNull();
  });

  it('refuses with 403 whoever lacks the permission', async () => {
    const readOnly = await newUser(t, admin.tenantId, { role: 'readOnly' });
    const agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    const marketing = await newUser(t, admin.tenantId, { role: 'marketing' });
    const writes = endpoints().filter(([m]) => m !== 'get');
    for (const e of writes) expect([e[0], e[1], (await call(readOnly, e)).status]).toEqual([e[0], e[1], 403]);
    for (const e of endpoints())
      expect([e[0], e[1], (await call(marketing, e)).status]).toEqual([e[0], e[1], 403]);
    expect((await restAs(t, marketing).post('/v1/cases', { subject: 'x' })).status).toBe(403);
    // sales reads cases, changes none
    expect((await call(rep, ['get', `/v1/cases/${ids.case}`])).status).toBe(200);
    expect((await call(rep, ['post', `/v1/cases/${ids.case}/comments`, { body: 'x' }])).status).toBe(403);
    // agents work cases but configure no queues or rules and delete no case
    expect((await call(agent, ['get', `/v1/case-queues/${ids.queue}/members`])).status).toBe(200);
    expect((await call(agent, ['put', `/v1/case-queues/${ids.queue}/members`, { members: [] }])).status).toBe(
      403,
    );
    expect((await call(agent, ['get', `/v1/case-assignment-rules/${ids.rule}`])).status).toBe(403);
    expect(
      (await restAs(t, agent).post('/v1/case-assignment-rules', { name: 'x', strategy: 'fixed' })).status,
    ).toBe(403);
    expect((await call(agent, ['del', `/v1/cases/${ids.case}`])).status).toBe(403);
    const gq = await gqlAs(t, agent)(`mutation($id: ID!) { deleteCaseAssignmentRule(id: $id) }`, {
      id: ids.rule,
    });
    expect(gq.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows an agent only the cases assigned to them when cases are private', async () => {
    const tenant = await newTenant(t);
    const alice = await newUser(t, tenant.tenantId, { role: 'supportAgent' });
    const bob = await newUser(t, tenant.tenantId, { role: 'supportAgent' });
    ok(await restAs(t, tenant).put('/v1/sharing-settings/cases', { defaultAccess: 'private' }));
    const mine = await newCase(t, alice, { assigneeId: alice.userId });
    const theirs = await newCase(t, tenant, { assigneeId: bob.userId });
    const api = restAs(t, alice);
    const list = ok<{ data: CaseBody[] }>(await api.get('/v1/cases'));
    expect(list.data.map((c) => c.id)).toEqual([mine.id]);
    for (const path of [
      `/v1/cases/${theirs.id}`,
      `/v1/cases/${theirs.id}/comments`,
      `/v1/cases/${theirs.id}/assignments`,
    ])
      expect([path, (await api.get(path)).status]).toEqual([path, 404]);
    expect((await api.post(`/v1/cases/${theirs.id}/comments`, { body: 'x' })).status).toBe(404);
    expect((await api.patch(`/v1/cases/${theirs.id}`, { subject: 'x' })).status).toBe(404);
    // handing my case to Bob: it leaves my view (the response still shows what I did)
    const handed = ok<CaseBody>(await api.patch(`/v1/cases/${mine.id}`, { assigneeId: bob.userId }));
    expect(handed.assigneeId).toBe(bob.userId);
    expect((await api.get(`/v1/cases/${mine.id}`)).status).toBe(404);
    expect(ok<{ data: CaseBody[] }>(await restAs(t, bob).get('/v1/cases')).data).toHaveLength(2);
  });
});
