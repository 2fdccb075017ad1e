import { allPermissions } from '../../src/platform/security/permissions.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { newOpportunity, newPipeline, ok, PipelineFixture, restAs } from './helpers.js';

function send(t: TestApp, u: UserFixture, method: string, path: string, body: unknown) {
  const auth = { authorization: `Bearer ${u.token}` };
  switch (method) {
    case 'GET':
      return t.http.get(path).set(auth);
    case 'POST':
      return t.http
        .post(path)
        .set(auth)
        .send(body as object);
    case 'PUT':
      return t.http
        .put(path)
        .set(auth)
        .send(body as object);
    case 'PATCH':
      return t.http
        .patch(path)
        .set(auth)
        .send(body as object);
    default:
      return t.http.delete(path).set(auth);
  }
}

interface RestCase {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  perms: string[];
  /** what tenant B gets (default 404) */
  crossTenant?: number;
  /** for a 400: the field naming A's record */
  crossTenantField?: string;
}

/** The record routes every RecordController serves, for one object. */
const recordRoutes = (
  plural: string,
  key: string,
  create: unknown,
  update: unknown,
  createRef?: string,
): RestCase[] => [
  { method: 'GET', path: `/v1/${plural}`, perms: [`${plural}:read`], crossTenant: 200 },
  { method: 'POST', path: `/v1/${plural}/search`, body: {}, perms: [`${plural}:read`], crossTenant: 200 },
  { method: 'GET', path: `/v1/${plural}/{${key}}`, perms: [`${plural}:read`] },
  {
    method: 'POST',
    path: `/v1/${plural}`,
    body: create,
    perms: [`${plural}:create`],
    crossTenant: createRef ? 400 : 201,
    crossTenantField: createRef,
  },
  { method: 'PATCH', path: `/v1/${plural}/{${key}}`, body: update, perms: [`${plural}:update`] },
  { method: 'DELETE', path: `/v1/${plural}/{${key}}`, perms: [`${plural}:delete`] },
  { method: 'POST', path: `/v1/${plural}/{${key}}/restore`, perms: [`${plural}:delete`] },
  { method: 'GET', path: `/v1/${plural}/{${key}}/history`, perms: [`${plural}:read`] },
];

const REST: RestCase[] = [
  ...recordRoutes('pipelines', 'pipeline', { name: 'B pipeline' }, { name: 'x' }),
  { method: 'GET', path: '/v1/pipelines/{pipeline}/stages', perms: ['pipelines:read', 'stages:read'] },
  {
    method: 'POST',
    path: '/v1/pipelines/{pipeline}/stages',
    body: { name: 'x', probability: 1, category: 'open' },
    perms: ['stages:create'],
  },
  {
    method: 'PATCH',
    path: '/v1/pipelines/{pipeline}/stages/{stage}',
    body: { name: 'x' },
    perms: ['stages:update'],
  },
  { method: 'DELETE', path: '/v1/pipelines/{pipeline}/stages/{stage}', perms: ['stages:delete'] },
  {
    method: 'PUT',
    path: '/v1/pipelines/{pipeline}/stage-order',
    body: { stageIds: ['{stage2}', '{stage}'] },
    perms: ['stages:update'],
  },
  { method: 'GET', path: '/v1/stages/{stage}/history', perms: ['stages:read'] },
  ...recordRoutes(
    'opportunities',
    'opportunity',
    { name: 'B deal', pipelineId: '{pipeline}' },
    { name: 'x' },
    'pipelineId',
  ),
  {
    method: 'GET',
    path: '/v1/opportunities/{opportunity}/timeline',
    perms: ['opportunities:read', 'activities:read'],
  },
  { method: 'GET', path: '/v1/opportunities/{opportunity}/stage-history', perms: ['opportunities:read'] },
  {
    method: 'GET',
    path: '/v1/opportunities/{opportunity}/contact-roles',
    perms: ['opportunities:read', 'contacts:read'],
  },
  {
    method: 'POST',
    path: '/v1/opportunities/{opportunity}/contact-roles',
    body: { contactId: '{contact}', role: 'user' },
    perms: ['opportunities:update', 'contacts:read'],
  },
  {
    method: 'DELETE',
    path: '/v1/opportunities/{opportunity}/contact-roles/{contactRole}',
    perms: ['opportunities:update'],
  },
  { method: 'GET', path: '/v1/opportunities/{opportunity}/line-items', perms: ['opportunities:read'] },
  {
    method: 'POST',
    path: '/v1/opportunities/{opportunity}/line-items',
    body: { productId: '{product}', quantity: 2 },
    perms: ['opportunities:update', 'products:read'],
  },
  {
    method: 'PATCH',
    path: '/v1/opportunities/{opportunity}/line-items/{lineItem}',
    body: { quantity: 3 },
    perms: ['opportunities:update', 'products:read'],
  },
  {
    method: 'DELETE',
    path: '/v1/opportunities/{opportunity}/line-items/{lineItem}',
    perms: ['opportunities:update'],
  },
  ...recordRoutes(
    'products',
    'product',
    { sku: 'B-1', name: 'B product', unitPrice: '1.00', currency: 'EUR' },
    { name: 'x' },
  ),
  ...recordRoutes('leads', 'lead', { lastName: 'B lead', queueId: '{queue}' }, { title: 'x' }, 'queueId'),
  { method: 'POST', path: '/v1/leads/{lead}/convert', body: {}, perms: ['leads:update'] },
  { method: 'GET', path: '/v1/leads/{lead}/timeline', perms: ['leads:read', 'activities:read'] },
  ...recordRoutes('lead-queues', 'queue', { name: 'B queue' }, { name: 'x' }),
  {
    method: 'GET',
    path: '/v1/lead-assignment-rules',
    perms: ['lead-assignment-rules:manage'],
    crossTenant: 200,
  },
  { method: 'GET', path: '/v1/lead-assignment-rules/{rule}', perms: ['lead-assignment-rules:manage'] },
  {
    method: 'POST',
    path: '/v1/lead-assignment-rules',
    body: { name: 'B rule', assigneeType: 'user', userId: '{user}' },
    perms: ['lead-assignment-rules:manage'],
    crossTenant: 400,
    crossTenantField: 'userId',
  },
  {
    method: 'PATCH',
    path: '/v1/lead-assignment-rules/{rule}',
    body: { name: 'x' },
    perms: ['lead-assignment-rules:manage'],
  },
  { method: 'DELETE', path: '/v1/lead-assignment-rules/{rule}', perms: ['lead-assignment-rules:manage'] },
  {
    method: 'PUT',
    path: '/v1/lead-assignment-rules/order',
    body: { ruleIds: ['{rule}'] },
    perms: ['lead-assignment-rules:manage'],
    crossTenant: 400,
    crossTenantField: 'ruleIds',
  },
  // Generic routes that now serve the sales objects too.
  { method: 'GET', path: '/v1/leads/{lead}/access?userId={user}', perms: ['sharing:manage'] },
  { method: 'GET', path: '/v1/opportunities/{opportunity}/shares', perms: ['sharing:manage'] },
];

interface GqlCase {
  name: string;
  query: string;
  vars?: Record<string, unknown>;
  perms: string[];
  /** what tenant B gets: an error code, or EMPTY (no error, none of A's ids) */
  crossTenant?: string;
}

const recordOps = (
  type: string,
  singular: string,
  plural: string,
  perm: string,
  key: string,
  create: string,
  update: string,
  createCross = 'EMPTY',
): GqlCase[] => [
  {
    name: `${singular}(id)`,
    query: `query($id: ID!) { ${singular}(id: $id) { id } }`,
    vars: { id: `{${key}}` },
    perms: [`${perm}:read`],
  },
  { name: plural, query: `{ ${plural} { nodes { id } } }`, perms: [`${perm}:read`], crossTenant: 'EMPTY' },
  {
    name: `create${type}`,
    query: `mutation { create${type}(input: ${create}) { id } }`,
    perms: [`${perm}:create`],
    crossTenant: createCross,
  },
  {
    name: `update${type}`,
    query: `mutation($id: ID!) { update${type}(id: $id, input: ${update}) { id } }`,
    vars: { id: `{${key}}` },
    perms: [`${perm}:update`],
  },
  {
    name: `delete${type}`,
    query: `mutation($id: ID!) { delete${type}(id: $id) }`,
    vars: { id: `{${key}}` },
    perms: [`${perm}:delete`],
  },
  {
    name: `restore${type}`,
    query: `mutation($id: ID!) { restore${type}(id: $id) { id } }`,
    vars: { id: `{${key}}` },
    perms: [`${perm}:delete`],
  },
];

const GRAPHQL: GqlCase[] = [
  ...recordOps(
    'Pipeline',
    'pipeline',
    'pipelines',
    'pipelines',
    'pipeline',
    '{ name: "B" }',
    '{ name: "x" }',
  ),
  {
    name: 'pipeline.stages',
    query: `query($id: ID!) { pipeline(id: $id) { stages { id } } }`,
    vars: { id: '{pipeline}' },
    perms: ['pipelines:read'],
  },
  {
    name: 'createStage',
    query: `mutation($p: ID!) { createStage(pipelineId: $p, input: { name: "x", probability: 1, category: open }) { id } }`,
    vars: { p: '{pipeline}' },
    perms: ['stages:create'],
  },
  {
    name: 'updateStage',
    query: `mutation($p: ID!, $s: ID!) { updateStage(pipelineId: $p, id: $s, input: { name: "x" }) { id } }`,
    vars: { p: '{pipeline}', s: '{stage}' },
    perms: ['stages:update'],
  },
  {
    name: 'deleteStage',
    query: `mutation($p: ID!, $s: ID!) { deleteStage(pipelineId: $p, id: $s) }`,
    vars: { p: '{pipeline}', s: '{stage}' },
    perms: ['stages:delete'],
  },
  {
    name: 'reorderStages',
    query: `mutation($p: ID!, $ids: [String!]!) { reorderStages(pipelineId: $p, input: { stageIds: $ids }) { id } }`,
    vars: { p: '{pipeline}', ids: ['{stage2}', '{stage}'] },
    perms: ['stages:update'],
  },
  ...recordOps(
    'Opportunity',
    'opportunity',
    'opportunities',
    'opportunities',
    'opportunity',
    '{ name: "B", pipelineId: "{pipeline}" }',
    '{ name: "x" }',
    'VALIDATION_FAILED',
  ),
  {
    name: 'opportunity.stageHistory',
    query: `query($id: ID!) { opportunity(id: $id) { stageHistory { nodes { id } } } }`,
    vars: { id: '{opportunity}' },
    perms: ['opportunities:read'],
  },
  {
    name: 'addOpportunityContactRole',
    query: `mutation($o: ID!, $c: ID!) { addOpportunityContactRole(opportunityId: $o, input: { contactId: $c, role: user }) { id } }`,
    vars: { o: '{opportunity}', c: '{contact}' },
    perms: ['opportunities:update', 'contacts:read'],
  },
  {
    name: 'removeOpportunityContactRole',
    query: `mutation($o: ID!, $id: ID!) { removeOpportunityContactRole(opportunityId: $o, id: $id) }`,
    vars: { o: '{opportunity}', id: '{contactRole}' },
    perms: ['opportunities:update'],
  },
  {
    name: 'addOpportunityLineItem',
    query: `mutation($o: ID!, $p: ID!) { addOpportunityLineItem(opportunityId: $o, input: { productId: $p, quantity: 2 }) { id } }`,
    vars: { o: '{opportunity}', p: '{product}' },
    perms: ['opportunities:update', 'products:read'],
  },
  {
    name: 'updateOpportunityLineItem',
    query: `mutation($o: ID!, $id: ID!) { updateOpportunityLineItem(opportunityId: $o, id: $id, input: { quantity: 3 }) { id } }`,
    vars: { o: '{opportunity}', id: '{lineItem}' },
    perms: ['opportunities:update', 'products:read'],
  },
  {
    name: 'removeOpportunityLineItem',
    query: `mutation($o: ID!, $id: ID!) { removeOpportunityLineItem(opportunityId: $o, id: $id) }`,
    vars: { o: '{opportunity}', id: '{lineItem}' },
    perms: ['opportunities:update'],
  },
  ...recordOps(
    'Product',
    'product',
    'products',
    'products',
    'product',
    '{ sku: "B", name: "B", unitPrice: "1.00", currency: "EUR" }',
    '{ name: "x" }',
  ),
  ...recordOps(
    'Lead',
    'lead',
    'leads',
    'leads',
    'lead',
    '{ lastName: "B", queueId: "{queue}" }',
    '{ title: "x" }',
    'VALIDATION_FAILED',
  ),
  {
    name: 'convertLead',
    query: `mutation($id: ID!) { convertLead(id: $id) { accountId } }`,
    vars: { id: '{lead}' },
    perms: ['leads:update'],
  },
  ...recordOps(
    'LeadQueue',
    'leadQueue',
    'leadQueues',
    'lead-queues',
    'queue',
    '{ name: "B" }',
    '{ name: "x" }',
  ),
  {
    name: 'leadAssignmentRules',
    query: `{ leadAssignmentRules { id } }`,
    perms: ['lead-assignment-rules:manage'],
    crossTenant: 'EMPTY',
  },
  {
    name: 'leadAssignmentRule(id)',
    query: `query($id: ID!) { leadAssignmentRule(id: $id) { id } }`,
    vars: { id: '{rule}' },
    perms: ['lead-assignment-rules:manage'],
  },
  {
    name: 'createLeadAssignmentRule',
    query: `mutation($u: ID) { createLeadAssignmentRule(input: { name: "B", assigneeType: user, userId: $u }) { id } }`,
    vars: { u: '{user}' },
    perms: ['lead-assignment-rules:manage'],
    crossTenant: 'VALIDATION_FAILED',
  },
  {
    name: 'updateLeadAssignmentRule',
    query: `mutation($id: ID!) { updateLeadAssignmentRule(id: $id, input: { name: "x" }) { id } }`,
    vars: { id: '{rule}' },
    perms: ['lead-assignment-rules:manage'],
  },
  {
    name: 'deleteLeadAssignmentRule',
    query: `mutation($id: ID!) { deleteLeadAssignmentRule(id: $id) }`,
    vars: { id: '{rule}' },
    perms: ['lead-assignment-rules:manage'],
  },
  {
    name: 'reorderLeadAssignmentRules',
    query: `mutation($ids: [String!]!) { reorderLeadAssignmentRules(input: { ruleIds: $ids }) { id } }`,
    vars: { ids: ['{rule}'] },
    perms: ['lead-assignment-rules:manage'],
    crossTenant: 'VALIDATION_FAILED',
  },
];

/**
 * Every sales endpoint, REST and GraphQL, against two attacks:
 * - cross-tenant: tenant B's administrator uses tenant A's ids → 404 (NOT_FOUND), a list never
 *   shows A's records, a reference to A's record is a 400 naming the field, and nothing changes;
 * - permission: a user of tenant A whose role holds every permission except one the endpoint
 *   declares → 403 (FORBIDDEN), and nothing changes.
 */
describe('sales endpoints: tenant isolation and permissions', () => {
  let t: TestApp;
  let a: UserFixture;
  let b: UserFixture;
  let p: PipelineFixture;
  const ids: Record<string, string> = {};
  const without = new Map<string, UserFixture>();

  beforeAll(async () => {
    t = await createTestApp();
    a = await newTenant(t);
    b = await newTenant(t);
    const api = restAs(t, a);
    p = await newPipeline(t, a);
    ids.pipeline = p.id;
    ids.stage = p.stage.proposal;
    ids.stage2 = p.stage.negotiation;
    ids.account = ok<{ id: string }>(await api.post('/v1/accounts', { name: 'A corp' }), 201).id;
    ids.contact = ok<{ id: string }>(
      await api.post('/v1/contacts', { lastName: 'A', accountId: ids.account }),
      201,
    ).id;
    ids.product = ok<{ id: string }>(
      await api.post('/v1/products', { sku: 'A-1', name: 'A product', unitPrice: '10.00', currency: 'EUR' }),
      201,
    ).id;
    ids.opportunity = (
      await newOpportunity(t, a, p, { stageId: p.stage.proposal, accountId: ids.account })
    ).id;
    ids.lineItem = ok<{ id: string }>(
      await api.post(`/v1/opportunities/${ids.opportunity}/line-items`, {
        productId: ids.product,
        quantity: 1,
      }),
      201,
    ).id;
    ids.contactRole = ok<{ id: string }>(
      await api.post(`/v1/opportunities/${ids.opportunity}/contact-roles`, {
        contactId: ids.contact,
        role: 'champion',
      }),
      201,
    ).id;
    ids.queue = ok<{ id: string }>(await api.post('/v1/lead-queues', { name: 'A queue' }), 201).id;
    ids.lead = ok<{ id: string }>(
      await api.post('/v1/leads', { lastName: 'A lead', queueId: ids.queue }),
      201,
    ).id;
    ids.rule = ok<{ id: string }>(
      await api.post('/v1/lead-assignment-rules', {
        name: 'A rule',
        condition: "source eq 'never'",
        assigneeType: 'user',
        userId: a.userId,
      }),
      201,
    ).id;
    ids.user = a.userId;
    // One user per permission under test, holding everything else.
    const needed = new Set([...REST.flatMap((c) => c.perms), ...GRAPHQL.flatMap((c) => c.perms)]);
    for (const perm of needed) {
      const role = ok<{ id: string }>(
        await api.post('/v1/roles', {
          name: `all but ${perm}`,
          permissions: allPermissions().filter((x) => x !== perm),
        }),
        201,
      );
      without.set(perm, await newUser(t, a.tenantId, { role: role.id }));
    }
  }, 120_000);
  afterAll(() => t.close());

  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_m, k: string) => ids[k] ?? `{${k}}`);
  const fillBody = (body: unknown): unknown => JSON.parse(fill(JSON.stringify(body ?? {})));

  /** What tenant A's records look like, to check nothing changed. */
  const snapshot = async () => {
    const api = restAs(t, a);
    const parts = await Promise.all([
      api.get(`/v1/pipelines/${ids.pipeline}`),
      api.get(`/v1/pipelines/${ids.pipeline}/stages`),
      api.get(`/v1/opportunities/${ids.opportunity}`),
      api.get(`/v1/opportunities/${ids.opportunity}/line-items`),
      api.get(`/v1/opportunities/${ids.opportunity}/contact-roles`),
      api.get(`/v1/products/${ids.product}`),
      api.get(`/v1/leads/${ids.lead}`),
      api.get(`/v1/lead-queues/${ids.queue}`),
      api.get('/v1/lead-assignment-rules'),
    ]);
    return JSON.stringify(parts.map((r) => r.body));
  };

  describe('REST', () => {
    it.each(REST.map((c) => [`${c.method} ${c.path}`, c] as const))(
      'cross-tenant %s never reaches tenant A’s data',
      async (_name, c) => {
        const before = await snapshot();
        const res = await send(t, b, c.method, fill(c.path), fillBody(c.body));
        const expected = c.crossTenant ?? 404;
        expect(res.status).toBe(expected);
        if (expected === 200)
          expect(JSON.stringify(res.body)).not.toMatch(new RegExp(Object.values(ids).join('|')));
        if (expected === 400) expect(res.body.errors[0].field).toBe(c.crossTenantField);
        expect(await snapshot()).toEqual(before);
      },
    );

    it.each(
      REST.flatMap((c) => c.perms.map((perm) => [`${c.method} ${c.path} without ${perm}`, c, perm] as const)),
    )('permission: %s is a 403', async (_name, c, perm) => {
      const before = await snapshot();
      const res = await send(t, without.get(perm)!, c.method, fill(c.path), fillBody(c.body));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('GraphQL', () => {
    it.each(GRAPHQL.map((c) => [c.name, c] as const))(
      'cross-tenant %s never reaches tenant A’s data',
      async (_n, c) => {
        const before = await snapshot();
        const res = await gql(t, b.token, fill(c.query), fillBody(c.vars) as Record<string, unknown>);
        const expected = c.crossTenant ?? 'NOT_FOUND';
        if (expected === 'EMPTY') {
          expect(res.errors).toBeUndefined();
          expect(JSON.stringify(res.data)).not.toMatch(new RegExp(Object.values(ids).join('|')));
        } else {
          expect(res.errors?.[0].extensions?.code).toBe(expected);
        }
        expect(await snapshot()).toEqual(before);
      },
    );

    it.each(GRAPHQL.flatMap((c) => c.perms.map((perm) => [`${c.name} without ${perm}`, c, perm] as const)))(
      'permission: %s is FORBIDDEN',
      async (_n, c, perm) => {
        const before = await snapshot();
        const res = await gql(
          t,
          without.get(perm)!.token,
          fill(c.query),
          fillBody(c.vars) as Record<string, unknown>,
        );
        expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
        expect(await snapshot()).toEqual(before);
      },
    );
  });
});
