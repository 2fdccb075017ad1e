import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gqlAs, newOpportunity, newPipeline, ok, PipelineFixture, restAs } from './helpers.js';

/**
 * Record- and field-level security on leads and opportunities, as on contacts: both objects are
 * private; reps A and B (salesRep) own one lead and one opportunity each; the manager
 * (salesManager, above salesRep) sees both through the hierarchy.
 */
describe('record- and field-level security of leads and opportunities', () => {
  let t: TestApp;
  let admin: UserFixture;
  let repA: UserFixture;
  let repB: UserFixture;
  let manager: UserFixture;
  let p: PipelineFixture;
  let product: string;
  let contact: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    repA = await newUser(t, admin.tenantId, { role: 'salesRep' });
    repB = await newUser(t, admin.tenantId, { role: 'salesRep' });
    manager = await newUser(t, admin.tenantId, { role: 'salesManager' });
    const api = restAs(t, admin);
    for (const object of ['leads', 'opportunities'])
      ok(await api.put(`/v1/sharing-settings/${object}`, { defaultAccess: 'private' }));
    p = await newPipeline(t, admin);
    product = ok<{ id: string }>(
      await api.post('/v1/products', { sku: 'P', name: 'P', unitPrice: '10.00', currency: 'EUR' }),
      201,
    ).id;
    contact = ok<{ id: string }>(await restAs(t, repA).post('/v1/contacts', { lastName: 'Shared' }), 201).id;
    for (const [key, u] of [
      ['A', repA],
      ['B', repB],
    ] as const) {
      ids[`lead${key}`] = ok<{ id: string }>(
        await restAs(t, u).post('/v1/leads', { lastName: `Lead ${key}`, email: `${key}@x.example` }),
        201,
      ).id;
      ids[`opp${key}`] = (await newOpportunity(t, u, p, { amount: '100.00', currency: 'EUR' })).id;
    }
  });
  afterAll(() => t.close());

  const listIds = async (u: UserFixture, plural: string) =>
    (ok<{ data: { id: string }[] }>(await restAs(t, u).get(`/v1/${plural}`)).data ?? []).map((r) => r.id);

  it('shows a rep only their own leads and opportunities; the manager sees both', async () => {
    expect(await listIds(repA, 'leads')).toEqual([ids.leadA]);
    expect(await listIds(repA, 'opportunities')).toEqual([ids.oppA]);
    expect((await listIds(manager, 'leads')).sort()).toEqual([ids.leadA, ids.leadB].sort());
    expect((await listIds(manager, 'opportunities')).sort()).toEqual([ids.oppA, ids.oppB].sort());
    const res = await gqlAs(
      t,
      repA,
    )<{ opportunities: { nodes: { id: string }[] } }>(`{ opportunities { nodes { id } } }`);
    expect(res.data!.opportunities.nodes).toEqual([{ id: ids.oppA }]);
  });

  it('answers 404 for another rep’s lead or opportunity on every route', async () => {
    const api = restAs(t, repA);
    const routes: [string, string, object?][] = [
      ['GET', `/v1/leads/${ids.leadB}`],
      ['PATCH', `/v1/leads/${ids.leadB}`, { title: 'x' }],
      ['POST', `/v1/leads/${ids.leadB}/convert`, {}],
      ['GET', `/v1/leads/${ids.leadB}/timeline`],
      ['GET', `/v1/leads/${ids.leadB}/history`],
      ['GET', `/v1/opportunities/${ids.oppB}`],
      ['PATCH', `/v1/opportunities/${ids.oppB}`, { stageId: p.stage.won }],
      ['GET', `/v1/opportunities/${ids.oppB}/stage-history`],
      ['GET', `/v1/opportunities/${ids.oppB}/timeline`],
      ['GET', `/v1/opportunities/${ids.oppB}/contact-roles`],
      ['POST', `/v1/opportunities/${ids.oppB}/contact-roles`, { contactId: contact, role: 'user' }],
      ['GET', `/v1/opportunities/${ids.oppB}/line-items`],
      ['POST', `/v1/opportunities/${ids.oppB}/line-items`, { productId: product, quantity: 1 }],
    ];
    for (const [method, path, body] of routes) {
      const res =
        method === 'GET'
          ? await api.get(path)
          : method === 'PATCH'
            ? await api.patch(path, body)
            : await api.post(path, body);
      expect([path, res.status]).toEqual([path, 404]);
    }
    const link = await api.post('/v1/activities', { type: 'call', subject: 'x', opportunityId: ids.oppB });
    expect(link.status).toBe(400);
    expect(link.body.errors[0]).toMatchObject({ field: 'opportunityId', code: 'not_found' });
    const gql = await gqlAs(t, repA)(`query($id: ID!) { opportunity(id: $id) { id } }`, { id: ids.oppB });
    expect(gql.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const convert = await gqlAs(t, repA)(`mutation($id: ID!) { convertLead(id: $id) { accountId } }`, {
      id: ids.leadB,
    });
    expect(convert.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('lets the manager work a rep’s opportunity through the hierarchy', async () => {
    const api = restAs(t, manager);
    ok(await api.patch(`/v1/opportunities/${ids.oppB}`, { stageId: p.stage.negotiation }));
    ok(await api.post(`/v1/opportunities/${ids.oppB}/line-items`, { productId: product, quantity: 2 }), 201);
    expect(ok<{ amount: string }>(await api.get(`/v1/opportunities/${ids.oppB}`)).amount).toBe('20.00');
  });

  it('a read share shows the records but refuses changes (403) on every write route', async () => {
    const api = restAs(t, admin);
    ok(
      await api.post(`/v1/opportunities/${ids.oppB}/shares`, {
        granteeType: 'user',
        granteeId: repA.userId,
        access: 'read',
      }),
      201,
    );
    ok(
      await api.post(`/v1/leads/${ids.leadB}/shares`, {
        granteeType: 'user',
        granteeId: repA.userId,
        access: 'read',
      }),
      201,
    );
    const rep = restAs(t, repA);
    expect((await rep.get(`/v1/opportunities/${ids.oppB}/stage-history`)).status).toBe(200);
    expect((await rep.get(`/v1/opportunities/${ids.oppB}/line-items`)).status).toBe(200);
    for (const res of [
      await rep.patch(`/v1/opportunities/${ids.oppB}`, { name: 'mine now' }),
      await rep.post(`/v1/opportunities/${ids.oppB}/line-items`, { productId: product, quantity: 1 }),
      await rep.post(`/v1/opportunities/${ids.oppB}/contact-roles`, { contactId: contact, role: 'user' }),
      await rep.patch(`/v1/leads/${ids.leadB}`, { title: 'x' }),
      await rep.post(`/v1/leads/${ids.leadB}/convert`, {}),
    ])
      expect(res.status).toBe(403);
  });

  it('applies field policies: hidden fields are left out, and sub-lists that reveal them are refused', async () => {
    const rep = await roleId(t, admin.tenantId, 'salesRep');
    const api = restAs(t, admin);
    ok(
      await api.put(`/v1/field-policies/${rep}/opportunities`, {
        mode: 'denyList',
        rules: { amount: 'hidden' },
      }),
    );
    ok(
      await api.put(`/v1/field-policies/${rep}/leads`, {
        mode: 'denyList',
        rules: { email: 'hidden', score: 'read' },
      }),
    );
    const repApi = restAs(t, repA);
    const opp = ok<Record<string, unknown>>(await repApi.get(`/v1/opportunities/${ids.oppA}`));
    expect(opp).not.toHaveProperty('amount');
    const lines = await repApi.get(`/v1/opportunities/${ids.oppA}/line-items`);
    expect(lines.status).toBe(403);
    expect(lines.body).toMatchObject({
      code: 'FORBIDDEN_FIELD',
      errors: [expect.objectContaining({ field: 'amount' })],
    });
    const lead = ok<Record<string, unknown>>(await repApi.get(`/v1/leads/${ids.leadA}`));
    expect(lead).not.toHaveProperty('email');
    const filter = await repApi.get('/v1/leads', { filter: "email eq 'A@x.example'" });
    expect(filter.status).toBe(403);
    const write = await repApi.patch(`/v1/leads/${ids.leadA}`, { score: 5 });
    expect(write.status).toBe(403);
    expect(write.body.errors[0].field).toBe('score');
    const gql = await gqlAs(t, repA)<{ opportunity: { amount: string | null; name: string } }>(
      `query($id: ID!) { opportunity(id: $id) { name amount } }`,
      { id: ids.oppA },
    );
    expect(gql.data!.opportunity).toEqual({ name: 'Deal', amount: null });
    expect(gql.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
    ok(await api.del(`/v1/field-policies/${rep}/opportunities`), 204);
    ok(await api.del(`/v1/field-policies/${rep}/leads`), 204);
  });
});
