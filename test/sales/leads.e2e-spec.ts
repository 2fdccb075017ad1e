import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { auditRows } from '../audit/helpers.js';
import { gqlAs, newPipeline, NO_SUCH_ID, ok, PipelineFixture, Rest, restAs } from './helpers.js';

interface Conversion {
  lead: Record<string, unknown> & { status: string; version: number };
  accountId: string;
  accountCreated: boolean;
  contactId: string;
  contactCreated: boolean;
  opportunityId: string | null;
}

describe('leads and their conversion', () => {
  let t: TestApp;
  let admin: UserFixture;
  let api: Rest;
  let q: ReturnType<typeof gqlAs>;
  let p: PipelineFixture;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    api = restAs(t, admin);
    q = gqlAs(t, admin);
    p = await newPipeline(t, admin);
  });
  afterAll(() => t.close());

  const newLead = async (body: Record<string, unknown> = {}) =>
    ok<{ id: string; version: number } & Record<string, unknown>>(
      await api.post('/v1/leads', { firstName: 'Ada', lastName: 'Lovelace', ...body }),
      201,
    );
  const count = async (table: string, where: string, params: unknown[]) =>
    (
      await superSql<{ n: number }>(
        t.databaseUrl,
        `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
        params,
      )
    )[0].n;

  describe('records', () => {
    it('creates, reads, updates and lists leads with the usual query parameters', async () => {
      const lead = await newLead({
        email: 'ada@engines.example',
        company: 'Analytical Engines',
        rating: 'hot',
        score: 80,
        address: { city: 'London', country: 'GB' },
      });
      expect(lead).toMatchObject({
        status: 'new',
        ownerId: admin.userId,
        rating: 'hot',
        score: 80,
        version: 1,
      });
      const updated = ok<{ status: string }>(await api.patch(`/v1/leads/${lead.id}`, { status: 'working' }));
      expect(updated.status).toBe('working');
      const list = await api.get('/v1/leads', {
        filter: `rating eq 'hot' and score ge 50`,
        q: 'engines',
        fields: 'id,company',
      });
      expect(list.body.data).toEqual([{ id: lead.id, company: 'Analytical Engines' }]);
    });

    it('validates fields naming them, and leaves converted to the conversion', async () => {
      const bad = await api.post('/v1/leads', {
        email: 'nope',
        score: 101,
        rating: 'lukewarm',
        status: 'converted',
      });
      expect(bad.status).toBe(400);
      expect([...new Set((bad.body.errors as { field: string }[]).map((e) => e.field))].sort()).toEqual(
        ['email', 'lastName', 'rating', 'score', 'status'].sort(),
      );
      const lead = await newLead();
      const sneaky = await api.patch(`/v1/leads/${lead.id}`, { status: 'converted' });
      expect(sneaky.status).toBe(400);
      expect(sneaky.body.errors[0].field).toBe('status');
      const system = await api.patch(`/v1/leads/${lead.id}`, { convertedAccountId: NO_SUCH_ID });
      expect(system.status).toBe(400);
      expect(system.body.errors[0].field).toBe('convertedAccountId');
    });

    it('works over GraphQL', async () => {
      const created = await q<{ createLead: { id: string; status: string } }>(
        `mutation { createLead(input: { lastName: "Hopper", company: "Navy", rating: warm }) { id status rating } }`,
      );
      expect(created.data!.createLead).toMatchObject({ status: 'new' });
      const list = await q<{ leads: { nodes: { id: string }[]; totalCount: number } }>(
        `{ leads(filter: "company eq 'Navy'") { nodes { id } totalCount } }`,
      );
      expect(list.data!.leads.nodes).toEqual([{ id: created.data!.createLead.id }]);
      const converted = await q(
        `mutation($id: ID!) { updateLead(id: $id, input: { status: converted }) { id } }`,
        {
          id: created.data!.createLead.id,
        },
      );
      expect(converted.errors?.[0].extensions?.errors?.[0].field).toBe('status');
    });
  });

  describe('conversion', () => {
    it('creates a new account and contact when nothing matches, and the lead records what it became', async () => {
      const lead = await newLead({
        email: 'ada@fresh-engines.example',
        phone: '+44 20 1234',
        title: 'Countess',
        company: 'Fresh Engines',
        website: 'https://www.fresh-engines.example/about',
        industry: 'manufacturing',
        employees: 12,
        source: 'web',
      });
      const res = await api.post(`/v1/leads/${lead.id}/convert`, {});
      expect(res.status).toBe(200);
      const c = res.body as Conversion;
      expect(c).toMatchObject({ accountCreated: true, contactCreated: true, opportunityId: null });
      expect(c.lead).toMatchObject({
        status: 'converted',
        convertedAccountId: c.accountId,
        convertedContactId: c.contactId,
        convertedOpportunityId: null,
        convertedBy: admin.userId,
        version: 2,
      });
      expect(c.lead.convertedAt).toEqual(expect.any(String));
      expect(ok(await api.get(`/v1/accounts/${c.accountId}`))).toMatchObject({
        name: 'Fresh Engines',
        domain: 'fresh-engines.example',
        industry: 'manufacturing',
        employees: 12,
      });
      expect(ok(await api.get(`/v1/contacts/${c.contactId}`))).toMatchObject({
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@fresh-engines.example',
        title: 'Countess',
        accountId: c.accountId,
        leadSource: 'web',
      });
    });

    it('links the existing account matching the website host or the email domain', async () => {
      const byDomain = ok<{ id: string }>(
        await api.post('/v1/accounts', { name: 'Acme', domain: 'ACME.example' }),
        201,
      );
      const byWebsite = ok<{ id: string }>(
        await api.post('/v1/accounts', { name: 'Globex', website: 'http://www.globex.example/' }),
        201,
      );
      const viaWebsite = await newLead({ company: 'Acme Ltd', website: 'acme.example' });
      const c1 = ok<Conversion>(await api.post(`/v1/leads/${viaWebsite.id}/convert`, {}));
      expect(c1).toMatchObject({ accountId: byDomain.id, accountCreated: false, contactCreated: true });
      const viaEmail = await newLead({ email: 'hank@globex.example' });
      const c2 = ok<Conversion>(await api.post(`/v1/leads/${viaEmail.id}/convert`, {}));
      expect(c2).toMatchObject({ accountId: byWebsite.id, accountCreated: false });
      // A mailbox provider's domain says nothing about the company.
      ok(await api.post('/v1/accounts', { name: 'Google', domain: 'gmail.com' }), 201);
      const freemail = await newLead({ email: 'someone@gmail.com' });
      expect(ok<Conversion>(await api.post(`/v1/leads/${freemail.id}/convert`, {})).accountCreated).toBe(
        true,
      );
    });

    it('links a given account and contact, and creates an opportunity in the pipeline', async () => {
      const account = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Given' }), 201);
      const contact = ok<{ id: string }>(
        await api.post('/v1/contacts', { lastName: 'Known', accountId: account.id }),
        201,
      );
      const lead = await newLead({ source: 'event' });
      const res = await api.post(`/v1/leads/${lead.id}/convert`, {
        accountId: account.id,
        contactId: contact.id,
        opportunity: {
          name: 'Given deal',
          pipelineId: p.id,
          amount: '1000.00',
          currency: 'EUR',
          closeDate: '2025-06-30',
        },
      });
      expect(res.status).toBe(200);
      const c = res.body as Conversion;
      expect(c).toMatchObject({
        accountId: account.id,
        accountCreated: false,
        contactId: contact.id,
        contactCreated: false,
      });
      expect(c.lead.convertedOpportunityId).toBe(c.opportunityId);
      expect(ok(await api.get(`/v1/opportunities/${c.opportunityId}`))).toMatchObject({
        name: 'Given deal',
        accountId: account.id,
        primaryContactId: contact.id,
        stageId: p.stage.prospect,
        probability: 10,
        amount: '1000.00',
        source: 'event',
      });
      const history = ok<{ data: unknown[] }>(
        await api.get(`/v1/opportunities/${c.opportunityId}/stage-history`),
      );
      expect(history.data).toHaveLength(1);
    });

    it('refuses a second conversion (409) and any later change of the lead (409)', async () => {
      const lead = await newLead();
      ok(await api.post(`/v1/leads/${lead.id}/convert`, {}));
      const again = await api.post(`/v1/leads/${lead.id}/convert`, {});
      expect(again.status).toBe(409);
      expect(again.body.errors[0]).toMatchObject({ field: 'status', code: 'converted' });
      const edit = await api.patch(`/v1/leads/${lead.id}`, { title: 'CEO' });
      expect(edit.status).toBe(409);
      expect(edit.body.code).toBe('CONFLICT');
      expect(
        ok<{ title: string | null; version: number }>(await api.get(`/v1/leads/${lead.id}`)),
      ).toMatchObject({
        title: null,
        version: 2,
      });
    });

    it('is atomic: a failure after the account and contact were made leaves nothing, and the lead unchanged', async () => {
      const other = await newPipeline(t, admin, 'Elsewhere');
      const lead = await newLead({ company: 'Atomic Widgets', email: 'ada@atomic-widgets.example' });
      const before = await superSql(t.databaseUrl, 'SELECT * FROM leads WHERE id = $1', [lead.id]);
      const auditBefore = await count('audit_events', 'tenant_id = $1', [admin.tenantId]);
      const res = await api.post(`/v1/leads/${lead.id}/convert`, {
        opportunity: { pipelineId: p.id, stageId: other.stage.proposal },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'opportunity.stageId', code: 'not_in_pipeline' }),
      ]);
      expect(await count('accounts', `name = 'Atomic Widgets'`, [])).toBe(0);
      expect(await count('contacts', `email = 'ada@atomic-widgets.example'`, [])).toBe(0);
      expect(await count('opportunities', `name = 'Atomic Widgets'`, [])).toBe(0);
      expect(await superSql(t.databaseUrl, 'SELECT * FROM leads WHERE id = $1', [lead.id])).toEqual(before);
      expect(await count('audit_events', 'tenant_id = $1', [admin.tenantId])).toBe(auditBefore);
      // And it converts fine once the input is right.
      expect(
        (await api.post(`/v1/leads/${lead.id}/convert`, { opportunity: { pipelineId: p.id } })).status,
      ).toBe(200);
    });

    it('is refused as a whole when the caller may not create what it needs (403), leaving nothing', async () => {
      const marketer = await newUser(t, admin.tenantId, { role: 'marketing' });
      const lead = ok<{ id: string }>(
        await restAs(t, marketer).post('/v1/leads', { lastName: 'Campaign', company: 'Nope Corp' }),
        201,
      );
      const res = await restAs(t, marketer).post(`/v1/leads/${lead.id}/convert`, {});
      expect(res.status).toBe(403);
      expect(await count('accounts', `name = 'Nope Corp'`, [])).toBe(0);
      expect(ok<{ status: string }>(await api.get(`/v1/leads/${lead.id}`)).status).toBe('new');
    });

    it('validates the input naming the field', async () => {
      const lead = await newLead();
      for (const [body, field] of [
        [{ accountId: NO_SUCH_ID }, 'accountId'],
        [{ contactId: NO_SUCH_ID }, 'contactId'],
        [{ accountId: 'x' }, 'accountId'],
        [{ opportunity: { amount: '1.00' } }, 'opportunity.pipelineId'],
        [{ opportunity: { pipelineId: p.id, amount: '1.00' } }, 'opportunity.currency'],
        [{ opportunity: { pipelineId: NO_SUCH_ID } }, 'opportunity.pipelineId'],
        [{ color: 'red' }, 'color'],
      ] as const) {
        const res = await api.post(`/v1/leads/${lead.id}/convert`, body);
        expect(res.status).toBe(400);
        expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
      expect(ok<{ status: string }>(await api.get(`/v1/leads/${lead.id}`)).status).toBe('new');
      expect((await api.post(`/v1/leads/${NO_SUCH_ID}/convert`, {})).status).toBe(404);
    });

    it('is audited as one convert event on the lead naming the records, sharing the request id with their creates', async () => {
      const lead = await newLead({ company: 'Audited Co' });
      const res = await t.http
        .post(`/v1/leads/${lead.id}/convert`)
        .set({ authorization: `Bearer ${admin.token}`, 'x-request-id': 'convert-audit-1' })
        .send({ opportunity: { pipelineId: p.id } });
      expect(res.status).toBe(200);
      const c = res.body as Conversion;
      const events = (await auditRows(t, { tenantId: admin.tenantId })).filter(
        (e) => e.request_id === 'convert-audit-1',
      );
      expect(events.map((e) => `${e.action} ${e.object}`).sort()).toEqual(
        ['convert lead', 'create account', 'create contact', 'create opportunity'].sort(),
      );
      const convert = events.find((e) => e.action === 'convert')!;
      expect(convert.record_id).toBe(lead.id);
      expect(convert.details).toMatchObject({
        accountId: c.accountId,
        accountCreated: true,
        contactId: c.contactId,
        contactCreated: true,
        opportunityId: c.opportunityId,
      });
      expect(convert.changes).toMatchObject({
        status: { before: 'new', after: 'converted' },
        convertedAccountId: { before: null, after: c.accountId },
      });
      const history = ok<{ data: { action: string }[] }>(await api.get(`/v1/leads/${lead.id}/history`));
      expect(history.data.map((h) => h.action)).toEqual(['convert', 'create']);
    });

    it('works over GraphQL, with the converted records as relations', async () => {
      const lead = await newLead({ company: 'Graph Engines' });
      const res = await q<{
        convertLead: {
          lead: {
            status: string;
            convertedAccount: { name: string };
            convertedOpportunity: { name: string };
          };
          accountCreated: boolean;
        };
      }>(
        `mutation($id: ID!, $p: ID!) { convertLead(id: $id, input: { opportunity: { pipelineId: $p, name: "GE deal" } }) {
           accountCreated contactCreated opportunityId
           lead { status convertedAccount { name } convertedContact { lastName } convertedOpportunity { name stage { name } } } } }`,
        { id: lead.id, p: p.id },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.convertLead).toMatchObject({
        accountCreated: true,
        lead: {
          status: 'converted',
          convertedAccount: { name: 'Graph Engines' },
          convertedOpportunity: { name: 'GE deal' },
        },
      });
      const again = await q(`mutation($id: ID!) { convertLead(id: $id) { accountId } }`, { id: lead.id });
      expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
      const update = await q(`mutation($id: ID!) { updateLead(id: $id, input: { title: "x" }) { id } }`, {
        id: lead.id,
      });
      expect(update.errors?.[0].extensions?.code).toBe('CONFLICT');
      const atomic = await newLead({ company: 'Graph Atomic' });
      const failed = await q(
        `mutation($id: ID!, $p: ID!) { convertLead(id: $id, input: { opportunity: { pipelineId: $p, amount: "5.00" } }) { accountId } }`,
        { id: atomic.id, p: p.id },
      );
      expect(failed.errors?.[0].extensions?.errors?.[0].field).toBe('opportunity.currency');
      expect(await count('accounts', `name = 'Graph Atomic'`, [])).toBe(0);
    });
  });
});
