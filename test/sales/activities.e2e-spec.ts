import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import {
  gqlAs,
  newOpportunity,
  newPipeline,
  NO_SUCH_ID,
  ok,
  PipelineFixture,
  Rest,
  restAs,
} from './helpers.js';

describe('activities on leads and opportunities, and timelines', () => {
  let t: TestApp;
  let admin: UserFixture;
  let other: UserFixture;
  let api: Rest;
  let q: ReturnType<typeof gqlAs>;
  let p: PipelineFixture;
  let account: string;
  let contact: string;
  let opportunity: string;
  let lead: string;

  const activity = async (subject: string, links: Record<string, string>, occurredAt: string) =>
    ok<{ id: string }>(await api.post('/v1/activities', { type: 'call', subject, occurredAt, ...links }), 201)
      .id;
  const subjects = async (path: string, query: Record<string, string> = {}) => {
    const res = await api.get(path, query);
    expect(res.status).toBe(200);
    return (res.body.data as { subject: string }[]).map((a) => a.subject);
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    other = await newTenant(t);
    api = restAs(t, admin);
    q = gqlAs(t, admin);
    p = await newPipeline(t, admin);
    account = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'Timeline Co' }), 201).id;
    contact = ok<{ id: string }>(
      await api.post('/v1/contacts', { lastName: 'Tim', accountId: account }),
      201,
    ).id;
    opportunity = (await newOpportunity(t, admin, p, { accountId: account })).id;
    lead = ok<{ id: string }>(await api.post('/v1/leads', { lastName: 'Lead', company: 'Prospect' }), 201).id;
    await activity('on the account', { accountId: account }, '2025-01-01T10:00:00Z');
    await activity('with the contact', { contactId: contact }, '2025-01-02T10:00:00Z');
    await activity('about the deal', { opportunityId: opportunity }, '2025-01-03T10:00:00Z');
    await activity(
      'deal and contact',
      { opportunityId: opportunity, contactId: contact },
      '2025-01-04T10:00:00Z',
    );
    await activity('qualifying the lead', { leadId: lead }, '2025-01-05T10:00:00Z');
    await activity('lead again', { leadId: lead }, '2025-01-06T10:00:00Z');
    const unrelated = (await newOpportunity(t, admin, p)).id;
    await activity('another deal', { opportunityId: unrelated }, '2025-01-07T10:00:00Z');
  });
  afterAll(() => t.close());

  it('links an activity to a lead and an opportunity; a link to nothing is a 400 naming the field', async () => {
    const res = await api.post('/v1/activities', {
      type: 'note',
      subject: 'x',
      leadId: lead,
      opportunityId: opportunity,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ leadId: lead, opportunityId: opportunity });
    for (const field of ['leadId', 'opportunityId']) {
      const bad = await api.post('/v1/activities', { type: 'note', subject: 'x', [field]: NO_SUCH_ID });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field, code: 'not_found' })]);
    }
    // Another tenant's lead is just as absent.
    const foreign = await restAs(t, other).post('/v1/activities', {
      type: 'note',
      subject: 'x',
      leadId: lead,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].field).toBe('leadId');
    expect((await api.del(`/v1/activities/${res.body.id}`)).status).toBe(204);
  });

  it('serves the lead and opportunity timelines, newest first', async () => {
    expect(await subjects(`/v1/leads/${lead}/timeline`)).toEqual(['lead again', 'qualifying the lead']);
    expect(await subjects(`/v1/opportunities/${opportunity}/timeline`)).toEqual([
      'deal and contact',
      'about the deal',
    ]);
    expect(
      await subjects(`/v1/opportunities/${opportunity}/timeline`, { filter: "subject startswith 'about'" }),
    ).toEqual(['about the deal']);
    expect((await api.get(`/v1/leads/${NO_SUCH_ID}/timeline`)).status).toBe(404);
    expect((await api.get(`/v1/opportunities/${NO_SUCH_ID}/timeline`)).status).toBe(404);
  });

  it('includes the account’s opportunities’ activities in the account timeline', async () => {
    expect(await subjects(`/v1/accounts/${account}/timeline`)).toEqual([
      'deal and contact',
      'about the deal',
      'with the contact',
      'on the account',
    ]);
    const page1 = await api.get(`/v1/accounts/${account}/timeline`, { limit: '3' });
    const page2 = await api.get(`/v1/accounts/${account}/timeline`, {
      limit: '3',
      cursor: page1.body.nextCursor,
    });
    expect((page2.body.data as { subject: string }[]).map((a) => a.subject)).toEqual(['on the account']);
  });

  it('shows the links over GraphQL: activity.lead and .opportunity, lead.activities, opportunity.activities, account.opportunities', async () => {
    const res = await q<{
      opportunity: { activities: { nodes: { subject: string; opportunity: { id: string } }[] } };
      lead: { activities: { nodes: { subject: string; lead: { company: string } }[] } };
      account: { opportunities: { nodes: { id: string }[] } };
    }>(
      `query($o: ID!, $l: ID!, $a: ID!) {
         opportunity(id: $o) { activities { nodes { subject opportunity { id } } } }
         lead(id: $l) { activities { nodes { subject lead { company } } } }
         account(id: $a) { opportunities { nodes { id } } }
       }`,
      { o: opportunity, l: lead, a: account },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.opportunity.activities.nodes.map((n) => n.subject)).toEqual([
      'deal and contact',
      'about the deal',
    ]);
    expect(res.data!.opportunity.activities.nodes[0].opportunity.id).toBe(opportunity);
    expect(res.data!.lead.activities.nodes.map((n) => n.lead.company)).toEqual(['Prospect', 'Prospect']);
    expect(res.data!.account.opportunities.nodes).toEqual([{ id: opportunity }]);
    const create = await q<{ createActivity: { lead: { id: string } } }>(
      `mutation($l: ID) { createActivity(input: { type: note, subject: "gql", leadId: $l }) { lead { id } } }`,
      { l: lead },
    );
    expect(create.data!.createActivity.lead.id).toBe(lead);
  });

  it('filters accounts through their opportunities and activities through the new links', async () => {
    const accounts = await api.get('/v1/accounts', {
      filter: `opportunities any (stage.name eq 'Prospect')`,
    });
    expect((accounts.body.data as { id: string }[]).map((a) => a.id)).toEqual([account]);
    const acts = await api.get('/v1/activities', {
      filter: `type eq 'call' and lead.company eq 'Prospect'`,
      expand: 'lead,opportunity',
    });
    expect((acts.body.data as { subject: string }[]).map((a) => a.subject).sort()).toEqual([
      'lead again',
      'qualifying the lead',
    ]);
  });
});
