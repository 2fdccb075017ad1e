import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { gqlAs, newOpportunity, newPipeline, NO_SUCH_ID, ok, restAs } from '../sales/helpers.js';
import { insertCase } from './case-fixtures.js';

/**
 * The 360° context of a case (docs/service.md#360-context). One tenant: an account with a contact,
 * three other cases of theirs and one of another account, activities, open and won opportunities
 * (private: each rep sees their own), and published and draft articles.
 */
interface Context {
  caseId: string;
  contact: Record<string, unknown> | null;
  account: Record<string, unknown> | null;
  openOpportunities: { id: string }[] | null;
  recentCases: { id: string; status: string }[] | null;
  recentActivities: { id: string }[] | null;
  suggestedArticles: { id: string }[] | null;
  restricted: string[];
}

describe('case context', () => {
  let t: TestApp;
  let admin: UserFixture;
  let agent: UserFixture;
  let repA: UserFixture;
  let repB: UserFixture;
  let marketer: UserFixture;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    repA = await newUser(t, admin.tenantId, { role: 'salesRep' });
    repB = await newUser(t, admin.tenantId, { role: 'salesRep' });
    marketer = await newUser(t, admin.tenantId, { role: 'marketing' });
    const api = restAs(t, admin);
    ok(await api.put('/v1/sharing-settings/opportunities', { defaultAccess: 'private' }));
    ids.account = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Acme' }), 201).id;
    ids.otherAccount = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Globex' }), 201).id;
    ids.contact = ok<{ id: string }>(
      await api.post('/v1/contacts', { lastName: 'Doe', email: 'jane@acme.test', accountId: ids.account }),
      201,
    ).id;
    const p = await newPipeline(t, admin);
    ids.oppA = (await newOpportunity(t, repA, p, { name: 'Acme renewal', accountId: ids.account })).id;
    ids.oppB = (await newOpportunity(t, repB, p, { name: 'Acme upsell', primaryContactId: ids.contact })).id;
    ids.oppWon = (
      await newOpportunity(t, repA, p, { name: 'Acme won', accountId: ids.account, stageId: p.stage.won })
    ).id;
    ids.oppOther = (
      await newOpportunity(t, repA, p, { name: 'Globex deal', accountId: ids.otherAccount })
    ).id;
    ids.case = await insertCase(t, admin.tenantId, {
      subject: 'Invoice download fails',
      contact_id: ids.contact,
      account_id: ids.account,
      created_at: '2026-11-20T10:00:00Z',
    });
    ids.c1 = await insertCase(t, admin.tenantId, {
      subject: 'Old',
      status: 'closed',
      contact_id: ids.contact,
      created_at: '2026-09-01T00:00:00Z',
    });
    ids.c2 = await insertCase(t, admin.tenantId, {
      subject: 'Mid',
      status: 'pending',
      account_id: ids.account,
      created_at: '2026-10-01T00:00:00Z',
    });
    ids.c3 = await insertCase(t, admin.tenantId, {
      subject: 'New',
      status: 'open',
      account_id: ids.account,
      created_at: '2026-11-01T00:00:00Z',
    });
    ids.cOther = await insertCase(t, admin.tenantId, { subject: 'Other', account_id: ids.otherAccount });
    const act = async (body: Record<string, unknown>) =>
      ok<{ id: string }>(await api.post('/v1/activities', { type: 'call', subject: 'Call', ...body }), 201)
        .id;
    ids.a1 = await act({ contactId: ids.contact, occurredAt: '2026-11-01T00:00:00Z' });
    ids.a2 = await act({ accountId: ids.account, occurredAt: '2026-11-02T00:00:00Z' });
    ids.a3 = await act({ accountId: ids.otherAccount, occurredAt: '2026-11-03T00:00:00Z' });
    const article = async (body: Record<string, unknown>) =>
      ok<{ id: string }>(await api.post('/v1/knowledge-articles', body), 201).id;
    ids.kb1 = await article({
      title: 'Invoice download fails',
      body: 'Clear the cache.',
      status: 'published',
    });
    ids.kb2 = await article({ title: 'Where is my invoice', body: 'Billing page.', status: 'published' });
    ids.kbDraft = await article({ title: 'Invoice download draft', status: 'draft' });
  }, 60_000);
  afterAll(() => t.close());

  const context = async (who: UserFixture, caseId = ids.case): Promise<Context> =>
    ok<Context>(await restAs(t, who).get(`/v1/cases/${caseId}/context`));
  const idsOf = (rows: { id: string }[] | null) => rows?.map((r) => r.id) ?? null;

  it('returns every part in one call for someone who may read it all', async () => {
    const c = await context(admin);
    expect(c.caseId).toBe(ids.case);
    expect(c.contact).toMatchObject({ id: ids.contact, lastName: 'Doe', email: 'jane@acme.test' });
    expect(c.account).toMatchObject({ id: ids.account, name: 'Acme' });
    expect(idsOf(c.openOpportunities)!.sort()).toEqual([ids.oppA, ids.oppB].sort());
    expect(c.recentCases!.map((r) => [r.id, r.status])).toEqual([
      [ids.c3, 'open'],
      [ids.c2, 'pending'],
      [ids.c1, 'closed'],
    ]);
    expect(idsOf(c.recentActivities)).toEqual([ids.a2, ids.a1]);
    expect(idsOf(c.suggestedArticles)).toEqual([ids.kb1, ids.kb2]);
    expect(c.restricted).toEqual([]);
  });

  it('withholds a part the caller has no permission for, and nothing else', async () => {
    const c = await context(agent);
    expect(c.openOpportunities).toBeNull();
    expect(c.restricted).toEqual(['openOpportunities']);
    expect(c.contact).toMatchObject({ id: ids.contact });
    expect(idsOf(c.suggestedArticles)).toEqual([ids.kb1, ids.kb2]);
  });

  it('gives a rep only the opportunities they may see', async () => {
    const a = await context(repA);
    expect(idsOf(a.openOpportunities)).toEqual([ids.oppA]);
    const b = await context(repB);
    expect(idsOf(b.openOpportunities)).toEqual([ids.oppB]);
    expect(a.restricted).toEqual([]);
  });

  it('withholds a contact or account the caller may not see (record-level security)', async () => {
    const api = restAs(t, admin);
    ok(await api.put('/v1/sharing-settings/contacts', { defaultAccess: 'private' }));
    ok(await api.put('/v1/sharing-settings/accounts', { defaultAccess: 'private' }));
    try {
      // both are owned by the administrator who made them
      const c = await context(agent);
      expect(c.contact).toBeNull();
      expect(c.account).toBeNull();
      expect(c.restricted).toEqual(['contact', 'account', 'openOpportunities']);
      // the lists are of records the agent may read, found through links the case shows them
      expect(c.recentCases!.map((r) => r.id)).toEqual([ids.c3, ids.c2, ids.c1]);
    } finally {
      ok(await api.put('/v1/sharing-settings/contacts', { defaultAccess: 'readWrite' }));
      ok(await api.put('/v1/sharing-settings/accounts', { defaultAccess: 'readWrite' }));
    }
  });

  it('omits hidden fields and withholds what a hidden link would reveal', async () => {
    const role = await roleId(t, admin.tenantId, 'supportAgent');
    const api = restAs(t, admin);
    ok(
      await api.put(`/v1/field-policies/${role}/contacts`, { mode: 'denyList', rules: { email: 'hidden' } }),
    );
    try {
      const c = await context(agent);
      expect(c.contact).toMatchObject({ id: ids.contact, lastName: 'Doe' });
      expect(c.contact).not.toHaveProperty('email');
      ok(
        await api.put(`/v1/field-policies/${role}/cases`, {
          mode: 'denyList',
          rules: { contactId: 'hidden' },
        }),
      );
      const d = await context(agent);
      expect(d.contact).toBeNull();
      expect(d.account).toMatchObject({ id: ids.account });
      expect(d.restricted).toEqual(
        expect.arrayContaining(['contact', 'openOpportunities', 'recentCases', 'recentActivities']),
      );
      for (const c of d.recentCases ?? []) expect(c).not.toHaveProperty('contactId');
    } finally {
      ok(await api.del(`/v1/field-policies/${role}/contacts`), 204);
      await api.del(`/v1/field-policies/${role}/cases`);
    }
  });

  it('is a 404 for a case the caller may not see, or of another tenant', async () => {
    const other = await newTenant(t);
    expect((await restAs(t, other).get(`/v1/cases/${ids.case}/context`)).status).toBe(404);
    expect((await restAs(t, admin).get(`/v1/cases/${NO_SUCH_ID}/context`)).status).toBe(404);
    const tenant = await newTenant(t);
    const a1 = await newUser(t, tenant.tenantId, { role: 'supportAgent' });
    const a2 = await newUser(t, tenant.tenantId, { role: 'supportAgent' });
    ok(await restAs(t, tenant).put('/v1/sharing-settings/cases', { defaultAccess: 'private' }));
    const theirs = await insertCase(t, tenant.tenantId, { assignee_id: a2.userId });
    expect((await restAs(t, a1).get(`/v1/cases/${theirs}/context`)).status).toBe(404);
    ok(await restAs(t, a2).get(`/v1/cases/${theirs}/context`));
  });

  it('is a 403 without cases:read', async () => {
    const res = await restAs(t, marketer).get(`/v1/cases/${ids.case}/context`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  it('is Case.context in GraphQL, with hidden fields null and FORBIDDEN_FIELD', async () => {
    const role = await roleId(t, admin.tenantId, 'supportAgent');
    const api = restAs(t, admin);
    ok(
      await api.put(`/v1/field-policies/${role}/contacts`, { mode: 'denyList', rules: { email: 'hidden' } }),
    );
    try {
      const res = await gqlAs(t, agent)<{ case: { context: Context } }>(
        `query($id: ID!) { case(id: $id) { id context { caseId contact { id lastName email } account { name }
           openOpportunities { id } recentCases { id status } recentActivities { id } suggestedArticles { id title }
           restricted } } }`,
        { id: ids.case },
      );
      const ctx = res.data!.case.context;
      expect(ctx.contact).toEqual({ id: ids.contact, lastName: 'Doe', email: null });
      expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
        ['case.context.contact.email', 'FORBIDDEN_FIELD'],
      ]);
      expect(ctx.openOpportunities).toBeNull();
      expect(ctx.restricted).toEqual(['openOpportunities']);
      expect(idsOf(ctx.recentCases)).toEqual([ids.c3, ids.c2, ids.c1]);
      expect(idsOf(ctx.suggestedArticles)).toEqual([ids.kb1, ids.kb2]);
    } finally {
      ok(await api.del(`/v1/field-policies/${role}/contacts`), 204);
    }
  });
});
