import { auditRows } from '../audit/helpers.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { CaseBody, gqlAs, newCase, newQueue, ok, restAs } from './case-helpers.js';

interface AssignmentRow {
  fromQueueId: string | null;
  toQueueId: string | null;
  fromAssigneeId: string | null;
  toAssigneeId: string | null;
  ruleId: string | null;
  reason: string;
  actorId: string | null;
}

describe('case queues, assignment rules and reassignment history', () => {
  let t: TestApp;
  let admin: UserFixture;
  let a: UserFixture;
  let b: UserFixture;
  let c: UserFixture;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    [a, b, c] = [
      await newUser(t, admin.tenantId, { role: 'supportAgent' }),
      await newUser(t, admin.tenantId, { role: 'supportAgent' }),
      await newUser(t, admin.tenantId, { role: 'supportAgent' }),
    ];
  });
  afterAll(() => t.close());

  const history = async (u: UserFixture, id: string) =>
    ok<{ data: AssignmentRow[] }>(await restAs(t, u).get(`/v1/cases/${id}/assignments`)).data;

  it('keeps queues with members and rotates new cases round-robin among active members', async () => {
    const api = restAs(t, admin);
    const queue = await newQueue(t, admin, [a.userId, b.userId, c.userId], 'Round robin');
    ok(
      await api.put(`/v1/case-queues/${queue}/members`, {
        members: [{ userId: a.userId }, { userId: b.userId }, { userId: c.userId, active: false }],
      }),
    );
    const members = ok<{ data: { userId: string; active: boolean; position: number }[] }>(
      await restAs(t, a).get(`/v1/case-queues/${queue}/members`),
    );
    expect(members.data.map((m) => [m.userId, m.active, m.position])).toEqual([
      [a.userId, true, 1],
      [b.userId, true, 2],
      [c.userId, false, 3],
    ]);
    const picks: (string | null)[] = [];
    for (let i = 0; i < 4; i++) picks.push((await newCase(t, a, { queueId: queue })).assigneeId);
    expect(picks).toEqual([a.userId, b.userId, a.userId, b.userId]);
    const dup = await api.put(`/v1/case-queues/${queue}/members`, {
      members: [{ userId: a.userId }, { userId: a.userId }],
    });
    expect(dup.status).toBe(400);
    const ghost = await api.put(`/v1/case-queues/${queue}/members`, {
      members: [{ userId: '01900000-0000-7000-8000-000000000000' }],
    });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors[0].field).toBe('members[0].userId');
  });

  it('routes new cases by the first matching rule, round-robin or fixed, and records it', async () => {
    const api = restAs(t, admin);
    const tier2 = await newQueue(t, admin, [b.userId, c.userId], 'Tier 2');
    const urgent = ok<{ id: string; position: number }>(
      await api.post('/v1/case-assignment-rules', {
        name: 'Urgent to tier 2',
        condition: "priority eq 'urgent'",
        strategy: 'roundRobin',
        queueId: tier2,
      }),
      201,
    );
    const chat = ok<{ id: string; position: number }>(
      await api.post('/v1/case-assignment-rules', {
        name: 'Chat to A',
        condition: { channel: { eq: 'chat' } },
        strategy: 'fixed',
        assigneeId: a.userId,
      }),
      201,
    );
    expect([urgent.position, chat.position]).toEqual([1, 2]);
    const u1 = await newCase(t, a, { priority: 'urgent', channel: 'chat' });
    expect(u1).toMatchObject({ queueId: tier2, assigneeId: b.userId });
    const c1 = await newCase(t, a, { channel: 'chat' });
    expect(c1).toMatchObject({ queueId: null, assigneeId: a.userId });
    const none = await newCase(t, a, { channel: 'email' });
    expect(none).toMatchObject({ queueId: null, assigneeId: null });
    expect(await history(a, u1.id)).toEqual([
      expect.objectContaining({
        toQueueId: tier2,
        toAssigneeId: b.userId,
        ruleId: urgent.id,
        reason: 'rule',
      }),
    ]);
    const assign = await auditRows(t, { recordId: u1.id, action: 'assign' });
    expect(assign).toHaveLength(1);
    expect(assign[0].changes).toEqual({
      queueId: { before: null, after: tier2 },
      assigneeId: { before: null, after: b.userId },
    });
    expect(assign[0].details).toMatchObject({ reason: 'rule', ruleId: urgent.id });

    const listed = ok<{ data: { id: string }[] }>(await api.get('/v1/case-assignment-rules'));
    expect(listed.data.map((r) => r.id)).toEqual([urgent.id, chat.id]);
    ok(await api.put('/v1/case-assignment-rules/order', { ruleIds: [chat.id, urgent.id] }));
    expect(await newCase(t, a, { priority: 'urgent', channel: 'chat' })).toMatchObject({
      assigneeId: a.userId,
    });
    ok(await api.patch(`/v1/case-assignment-rules/${chat.id}`, { active: false }));
    expect(await newCase(t, a, { priority: 'urgent', channel: 'chat' })).toMatchObject({ queueId: tier2 });
    expect((await api.del(`/v1/case-assignment-rules/${chat.id}`)).status).toBe(204);
    expect((await api.get(`/v1/case-assignment-rules/${chat.id}`)).status).toBe(404);
  });

  it('validates rules when they are saved', async () => {
    const api = restAs(t, admin);
    const queue = await newQueue(t, admin, [], 'Empty');
    const badField = await api.post('/v1/case-assignment-rules', {
      name: 'x',
      condition: "nope eq 'x'",
      strategy: 'roundRobin',
      queueId: queue,
    });
    expect(badField.status).toBe(400);
    expect(badField.body.errors[0].field).toBe('condition');
    const noQueue = await api.post('/v1/case-assignment-rules', { name: 'x', strategy: 'roundRobin' });
    expect(noQueue.status).toBe(400);
    expect(noQueue.body.errors[0].field).toBe('queueId');
    const noAssignee = await api.post('/v1/case-assignment-rules', { name: 'x', strategy: 'fixed' });
    expect(noAssignee.body.errors[0].field).toBe('assigneeId');
    const badStrategy = await api.post('/v1/case-assignment-rules', {
      name: 'x',
      strategy: 'random',
      queueId: queue,
    });
    expect(badStrategy.status).toBe(400);
  });

  it('routes a case moved to a queue without assignee, and records manual reassignments', async () => {
    const api = restAs(t, a);
    const queue = await newQueue(t, admin, [c.userId], 'Escalations desk');
    const kase = await newCase(t, a, { channel: 'phone' });
    expect(kase.assigneeId).toBeNull();
    const moved = ok<CaseBody>(await api.patch(`/v1/cases/${kase.id}`, { queueId: queue }));
    expect(moved).toMatchObject({ queueId: queue, assigneeId: c.userId, ownerId: c.userId });
    const taken = ok<CaseBody>(await api.patch(`/v1/cases/${kase.id}`, { assigneeId: a.userId }));
    expect(taken.assigneeId).toBe(a.userId);
    const rows = await history(a, kase.id);
    expect(rows.map((r) => [r.reason, r.toQueueId, r.toAssigneeId, r.actorId])).toEqual([
      ['manual', queue, null, a.userId],
      ['queueRouting', queue, c.userId, a.userId],
      ['manual', queue, a.userId, a.userId],
    ]);
    const gq = await gqlAs(t, a)<{ case: { queue: { name: string }; assignments: { reason: string }[] } }>(
      `query($id: ID!) { case(id: $id) { queue { name } assignments { reason } } }`,
      { id: kase.id },
    );
    expect(gq.errors).toBeUndefined();
    expect(gq.data!.case.queue.name).toBe('Escalations desk');
    expect(gq.data!.case.assignments).toHaveLength(3);
  });

  it('needs cases:assign to set an assignee, but taking a new case yourself is no assignment', async () => {
    const rep = await newUser(t, admin.tenantId, { role: 'readOnly' });
    expect((await restAs(t, rep).post('/v1/cases', { subject: 'x' })).status).toBe(403);
    const other = await newTenant(t);
    const custom = ok<{ id: string }>(
      await restAs(t, other).post('/v1/roles', {
        name: 'Case taker',
        permissions: ['cases:read', 'cases:create', 'cases:update'],
      }),
      201,
    );
    const taker = await newUser(t, other.tenantId, { role: custom.id });
    const self = await newCase(t, taker, { assigneeId: taker.userId });
    expect(self.assigneeId).toBe(taker.userId);
    const res = await restAs(t, taker).post('/v1/cases', { subject: 'x', assigneeId: other.userId });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'assigneeId', code: 'forbidden' });
    expect((await restAs(t, taker).patch(`/v1/cases/${self.id}`, { assigneeId: null })).status).toBe(400);
  });

  it('serves queues and rules through GraphQL', async () => {
    const q = gqlAs(t, admin);
    const made = await q<{ createCaseQueue: { id: string } }>(
      `mutation { createCaseQueue(input: { name: "GQL queue" }) { id } }`,
    );
    expect(made.errors).toBeUndefined();
    const id = made.data!.createCaseQueue.id;
    const set = await q<{ setCaseQueueMembers: { userId: string }[] }>(
      `mutation($id: ID!, $u: ID!) { setCaseQueueMembers(id: $id, input: { members: [{ userId: $u }] }) { userId } }`,
      { id, u: a.userId },
    );
    expect(set.errors).toBeUndefined();
    const read = await q<{ caseQueue: { members: { userId: string }[] } }>(
      `query($id: ID!) { caseQueue(id: $id) { name members { userId active } } }`,
      { id },
    );
    expect(read.data!.caseQueue.members.map((m) => m.userId)).toEqual([a.userId]);
    const rule = await q<{ createCaseAssignmentRule: { strategy: string } }>(
      `mutation($id: ID) { createCaseAssignmentRule(input: { name: "All", strategy: roundRobin, queueId: $id }) { id strategy } }`,
      { id },
    );
    expect(rule.errors).toBeUndefined();
    const rules = await q<{ caseAssignmentRules: { name: string }[] }>(`{ caseAssignmentRules { name } }`);
    expect(rules.data!.caseAssignmentRules.map((r) => r.name)).toContain('All');
  });
});
