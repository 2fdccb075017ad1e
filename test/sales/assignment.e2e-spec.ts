import { createTestApp, TestApp } from '../harness/app.js';
import { newTeam, newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, NO_SUCH_ID, ok, Rest, restAs } from './helpers.js';

interface Rule {
  id: string;
  position: number;
  name: string;
  condition: unknown;
  assigneeType: string;
}
interface Lead {
  id: string;
  ownerId: string | null;
  queueId: string | null;
  assignmentRuleId: string | null;
  version: number;
}

/**
 * Lead assignment rules. Each test starts from an empty rule list (afterEach deletes the rules),
 * in one tenant whose admin configures them and whose rep creates the leads.
 */
describe('lead assignment rules', () => {
  let t: TestApp;
  let admin: UserFixture;
  let rep: UserFixture;
  let api: Rest;
  let repApi: Rest;
  let q: ReturnType<typeof gqlAs>;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    api = restAs(t, admin);
    repApi = restAs(t, rep);
    q = gqlAs(t, admin);
  });
  afterEach(async () => {
    for (const r of ok<{ data: Rule[] }>(await api.get('/v1/lead-assignment-rules')).data)
      await api.del(`/v1/lead-assignment-rules/${r.id}`).expect(204);
  });
  afterAll(() => t.close());

  const rule = async (body: Record<string, unknown>) =>
    ok<Rule>(await api.post('/v1/lead-assignment-rules', body), 201);
  const lead = async (body: Record<string, unknown> = {}, as: Rest = repApi) =>
    ok<Lead>(await as.post('/v1/leads', { lastName: 'Lead', ...body }), 201);

  it('assigns a new lead to the owner of the first matching rule, in the creating transaction', async () => {
    const germans = await newUser(t, admin.tenantId, { role: 'salesRep' });
    const saas = await newUser(t, admin.tenantId, { role: 'salesRep' });
    const r1 = await rule({
      name: 'Big fintech',
      condition: "industry eq 'fintech' or employees ge 1000",
      assigneeType: 'user',
      userId: germans.userId,
    });
    const r2 = await rule({
      name: 'SaaS',
      condition: { industry: { eq: 'saas' } },
      assigneeType: 'user',
      userId: saas.userId,
    });
    const both = await lead({ industry: 'saas', employees: 5000 });
    expect(both).toMatchObject({ ownerId: germans.userId, assignmentRuleId: r1.id, version: 2 });
    const second = await lead({ industry: 'saas' });
    expect(second).toMatchObject({ ownerId: saas.userId, assignmentRuleId: r2.id });
    expect(ok<Lead>(await api.get(`/v1/leads/${second.id}`))).toMatchObject({
      ownerId: saas.userId,
      version: 2,
    });
  });

  it('leaves a lead no rule matches with its creator, and skips the rules for an explicit ownerId', async () => {
    const other = await newUser(t, admin.tenantId, { role: 'salesRep' });
    await rule({ name: 'Hot', condition: "rating eq 'hot'", assigneeType: 'user', userId: other.userId });
    const cold = await lead({ rating: 'cold' });
    expect(cold).toMatchObject({ ownerId: rep.userId, assignmentRuleId: null, version: 1 });
    const explicit = await lead({ rating: 'hot', ownerId: admin.userId }, api);
    expect(explicit).toMatchObject({ ownerId: admin.userId, assignmentRuleId: null });
    const noRules = await api.get('/v1/lead-assignment-rules');
    expect(noRules.body.data).toHaveLength(1);
  });

  it('round-robins over the active members of a team, fairly, also under concurrent creates', async () => {
    const members = [
      await newUser(t, admin.tenantId, { role: 'salesRep' }),
      await newUser(t, admin.tenantId, { role: 'salesRep' }),
      await newUser(t, admin.tenantId, { role: 'salesRep' }),
    ];
    const team = await newTeam(t, admin.tenantId);
    for (const m of members) await api.post(`/v1/teams/${team}/members/${m.userId}`).expect(204);
    const inactive = await newUser(t, admin.tenantId, { role: 'salesRep' });
    await api.post(`/v1/teams/${team}/members/${inactive.userId}`).expect(204);
    await superSql(t.databaseUrl, `UPDATE users SET status = 'disabled' WHERE id = $1`, [inactive.userId]);
    await rule({ name: 'Everyone', assigneeType: 'team', teamId: team });

    const sequential: string[] = [];
    for (let i = 0; i < 6; i++) sequential.push((await lead()).ownerId!);
    const sorted = members.map((m) => m.userId).sort();
    expect(sequential).toEqual([...sorted, ...sorted]);

    const concurrent = await Promise.all(Array.from({ length: 9 }, () => lead()));
    const counts = new Map<string, number>();
    for (const l of concurrent) counts.set(l.ownerId!, (counts.get(l.ownerId!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(sorted);
    expect([...counts.values()]).toEqual([3, 3, 3]);
    expect(counts.has(inactive.userId)).toBe(false);
  });

  it('routes to a queue: the lead waits there without an owner', async () => {
    const queue = ok<{ id: string }>(await api.post('/v1/lead-queues', { name: 'Inbound' }), 201);
    const r = await rule({
      name: 'Web',
      condition: "source eq 'web'",
      assigneeType: 'queue',
      queueId: queue.id,
    });
    const res = await lead({ source: 'web' }, api);
    expect(res).toMatchObject({ ownerId: null, queueId: queue.id, assignmentRuleId: r.id });
    const inQueue = await api.get('/v1/leads', { filter: `queueId eq '${queue.id}'`, expand: 'queue' });
    expect(inQueue.body.data).toEqual([
      expect.objectContaining({ id: res.id, queue: expect.objectContaining({ name: 'Inbound' }) }),
    ]);
  });

  it('records each assignment in the lead’s history, naming the rule', async () => {
    const owner = await newUser(t, admin.tenantId, { role: 'salesRep' });
    const r = await rule({ name: 'All to one', assigneeType: 'user', userId: owner.userId });
    const l = await lead();
    const history = ok<{
      data: { action: string; changes: { field: string; before: unknown; after: unknown }[] }[];
    }>(await api.get(`/v1/leads/${l.id}/history`));
    expect(history.data.map((h) => h.action)).toEqual(['assign', 'create']);
    expect(history.data[0].changes).toEqual([
      { field: 'assignmentRuleId', before: null, after: r.id },
      { field: 'ownerId', before: rep.userId, after: owner.userId },
    ]);
    const events = await api.get('/v1/audit-events', { recordId: l.id, action: 'assign' });
    expect(events.body.data[0].details).toMatchObject({
      rule: { id: r.id, name: 'All to one', position: 1 },
      assigneeType: 'user',
    });
  });

  it('validates a rule on save: the condition against the lead object (400 naming condition, with the position)', async () => {
    const syntax = await api.post('/v1/lead-assignment-rules', {
      name: 'Bad',
      condition: "industry eq 'saas' and (",
      assigneeType: 'user',
      userId: rep.userId,
    });
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors[0].field).toBe('condition');
    expect(syntax.body.errors[0].message).toMatch(/position \d+/);
    const unknownField = await api.post('/v1/lead-assignment-rules', {
      name: 'Bad',
      condition: "shoeSize eq 'L'",
      assigneeType: 'user',
      userId: rep.userId,
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors[0].field).toBe('condition');
    expect(unknownField.body.errors[0].message).toMatch(/shoeSize/);
    for (const [body, field] of [
      [{ name: 'X', assigneeType: 'user' }, 'userId'],
      [{ name: 'X', assigneeType: 'team', userId: rep.userId }, 'userId'],
      [{ name: 'X', assigneeType: 'team', teamId: NO_SUCH_ID }, 'teamId'],
      [{ name: 'X', assigneeType: 'queue', queueId: NO_SUCH_ID }, 'queueId'],
      [{ name: 'X', assigneeType: 'robot' }, 'assigneeType'],
      [{ assigneeType: 'user', userId: rep.userId }, 'name'],
      [{ name: 'X', assigneeType: 'user', userId: rep.userId, position: 5 }, 'position'],
    ] as const) {
      const res = await api.post('/v1/lead-assignment-rules', body);
      expect(res.status).toBe(400);
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    expect(ok<{ data: Rule[] }>(await api.get('/v1/lead-assignment-rules')).data).toEqual([]);
  });

  it('keeps an ordered list: insert at a position, reorder, update, delete', async () => {
    const a = await rule({ name: 'A', assigneeType: 'user', userId: rep.userId });
    const b = await rule({ name: 'B', assigneeType: 'user', userId: rep.userId });
    const c = await rule({ name: 'C', assigneeType: 'user', userId: rep.userId, position: 1 });
    const names = async () =>
      ok<{ data: Rule[] }>(await api.get('/v1/lead-assignment-rules')).data.map(
        (r) => `${r.position}:${r.name}`,
      );
    expect(await names()).toEqual(['1:C', '2:A', '3:B']);
    const reordered = await api.put('/v1/lead-assignment-rules/order', { ruleIds: [b.id, a.id, c.id] });
    expect(reordered.status).toBe(200);
    expect(await names()).toEqual(['1:B', '2:A', '3:C']);
    expect((await api.put('/v1/lead-assignment-rules/order', { ruleIds: [a.id, c.id] })).status).toBe(400);
    const updated = await api.patch(`/v1/lead-assignment-rules/${a.id}`, {
      name: 'A2',
      condition: 'score ge 50',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'A2', condition: 'score ge 50', version: 2 });
    const badPatch = await api.patch(`/v1/lead-assignment-rules/${a.id}`, { condition: 'score ge' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.errors[0].field).toBe('condition');
    const retarget = await api.patch(`/v1/lead-assignment-rules/${a.id}`, { assigneeType: 'team' });
    expect(retarget.status).toBe(400);
    expect(retarget.body.errors[0].field).toBe('teamId');
    expect((await api.del(`/v1/lead-assignment-rules/${b.id}`)).status).toBe(204);
    expect(await names()).toEqual(['1:A2', '2:C']);
    expect((await api.get(`/v1/lead-assignment-rules/${b.id}`)).status).toBe(404);
  });

  it('works over GraphQL', async () => {
    const created = await q<{
      createLeadAssignmentRule: { id: string; position: number; condition: unknown };
    }>(
      `mutation($u: ID) { createLeadAssignmentRule(input: { name: "G", condition: { score: { ge: 90 } }, assigneeType: user, userId: $u }) { id position condition assigneeType userId } }`,
      { u: admin.userId },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createLeadAssignmentRule).toMatchObject({
      position: 1,
      condition: { score: { ge: 90 } },
    });
    const l = await lead({ score: 95 });
    expect(l.ownerId).toBe(admin.userId);
    const invalid = await q(
      `mutation { createLeadAssignmentRule(input: { name: "G", condition: "score gx 1", assigneeType: user }) { id } }`,
    );
    expect(invalid.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
    const list = await q<{ leadAssignmentRules: { name: string }[] }>(
      `{ leadAssignmentRules { name position } }`,
    );
    expect(list.data!.leadAssignmentRules.map((r) => r.name)).toEqual(['G']);
    const id = created.data!.createLeadAssignmentRule.id;
    const upd = await q<{ updateLeadAssignmentRule: { active: boolean } }>(
      `mutation($id: ID!) { updateLeadAssignmentRule(id: $id, input: { active: false }) { active } }`,
      { id },
    );
    expect(upd.data!.updateLeadAssignmentRule.active).toBe(false);
    expect((await lead({ score: 95 })).ownerId).toBe(rep.userId);
    const one = await q<{ leadAssignmentRule: { name: string } }>(
      `query($id: ID!) { leadAssignmentRule(id: $id) { name } }`,
      {
        id,
      },
    );
    expect(one.data!.leadAssignmentRule.name).toBe('G');
    const reordered = await q(
      `mutation($ids: [String!]!) { reorderLeadAssignmentRules(input: { ruleIds: $ids }) { id } }`,
      {
        ids: [id],
      },
    );
    expect(reordered.errors).toBeUndefined();
    const del = await q(`mutation($id: ID!) { deleteLeadAssignmentRule(id: $id) }`, { id });
    expect(del.data).toEqual({ deleteLeadAssignmentRule: true });
  });
});
