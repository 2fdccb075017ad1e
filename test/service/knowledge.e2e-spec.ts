import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, NO_SUCH_ID, ok, restAs } from '../sales/helpers.js';
import { insertCase } from './case-fixtures.js';

/**
 * The knowledge base (docs/service.md#knowledge-base): articles on the record layer, the status
 * lifecycle, a saved version per change, full-text search and suggestions, and the articles used
 * to solve a case — over REST and GraphQL, with permissions, record- and field-level security.
 */
describe('knowledge base', () => {
  let t: TestApp;
  let admin: UserFixture;
  let agent: UserFixture;
  let reader: UserFixture;
  /** marketing holds no knowledge-articles permission */
  let rep: UserFixture;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
    rep = await newUser(t, admin.tenantId, { role: 'marketing' });
  });
  afterAll(() => t.close());

  const article = async (who: UserFixture, body: Record<string, unknown>) =>
    ok<Record<string, unknown> & { id: string }>(
      await restAs(t, who).post('/v1/knowledge-articles', body),
      201,
    );

  describe('articles and versions', () => {
    it('creates a draft authored by the caller, with version 1 saved', async () => {
      const a = await article(agent, {
        title: 'Reset a password',
        body: '# Steps\n1. Click *Forgot*',
        tags: ['login'],
      });
      expect(a).toMatchObject({
        title: 'Reset a password',
        status: 'draft',
        tags: ['login'],
        authorId: agent.userId,
        publishedAt: null,
        version: 1,
      });
      const versions = ok<{ data: Record<string, unknown>[] }>(
        await restAs(t, agent).get(`/v1/knowledge-articles/${a.id}/versions`),
      );
      expect(versions.data).toEqual([
        expect.objectContaining({
          articleId: a.id,
          version: 1,
          title: 'Reset a password',
          status: 'draft',
          editedBy: agent.userId,
        }),
      ]);
    });

    it('saves a version per change, newest first, and stamps publication', async () => {
      const a = await article(agent, { title: 'VPN setup', body: 'v1' });
      const api = restAs(t, agent);
      ok(await api.patch(`/v1/knowledge-articles/${a.id}`, { body: 'v2' }));
      const published = ok<Record<string, unknown>>(
        await api.patch(`/v1/knowledge-articles/${a.id}`, { status: 'published' }),
      );
      expect(published).toMatchObject({ status: 'published', version: 3 });
      expect(typeof published.publishedAt).toBe('string');
      // an empty patch saves nothing new
      ok(await api.patch(`/v1/knowledge-articles/${a.id}`, {}));
      const versions = ok<{ data: { version: number; body: string; status: string }[] }>(
        await api.get(`/v1/knowledge-articles/${a.id}/versions`),
      );
      expect(versions.data.map((v) => [v.version, v.body, v.status])).toEqual([
        [3, 'v2', 'published'],
        [2, 'v2', 'draft'],
        [1, 'v1', 'draft'],
      ]);
      const rows = await superSql(
        t.databaseUrl,
        `SELECT count(*)::int AS n FROM knowledge_article_versions WHERE article_id = $1`,
        [a.id],
      );
      expect(rows[0]!.n).toBe(3);
    });

    it('enforces the lifecycle: archived is read-only and goes back through draft (409 otherwise)', async () => {
      const a = await article(agent, { title: 'Old printer driver', status: 'published' });
      expect(a.publishedAt).not.toBeNull();
      const api = restAs(t, agent);
      ok(await api.patch(`/v1/knowledge-articles/${a.id}`, { status: 'archived' }));
      const republish = await api.patch(`/v1/knowledge-articles/${a.id}`, { status: 'published' });
      expect(republish.status).toBe(409);
      expect(republish.body).toMatchObject({
        code: 'CONFLICT',
        errors: [{ field: 'status', code: 'invalid_transition' }],
      });
      const edit = await api.patch(`/v1/knowledge-articles/${a.id}`, { title: 'New title' });
      expect(edit.status).toBe(409);
      expect(edit.body.errors[0]).toMatchObject({ field: 'title', code: 'archived' });
      const revived = ok<Record<string, unknown>>(
        await api.patch(`/v1/knowledge-articles/${a.id}`, {
          status: 'draft',
          title: 'Printer driver (2026)',
        }),
      );
      expect(revived).toMatchObject({ status: 'draft', title: 'Printer driver (2026)' });
      const bad = await api.post('/v1/knowledge-articles', { title: 'x', status: 'retired' });
      expect(bad.status).toBe(400);
    });

    it('finds articles by full-text search (q) and suggests published ones by relevance', async () => {
      const tenant = await newTenant(t);
      const best = await article(tenant, {
        title: 'Invoice download fails',
        body: 'Clear the invoice cache.',
        status: 'published',
      });
      const weaker = await article(tenant, {
        title: 'Billing FAQ',
        body: 'Where to find an invoice.',
        status: 'published',
      });
      await article(tenant, { title: 'Invoice draft', body: 'invoice invoice', status: 'draft' });
      await article(tenant, { title: 'Unrelated', body: 'Nothing here.', status: 'published' });
      const list = ok<{ data: { title: string }[] }>(
        await restAs(t, tenant).get('/v1/knowledge-articles', { q: 'invoice', sort: 'title' }),
      );
      expect(list.data.map((a) => a.title)).toEqual([
        'Billing FAQ',
        'Invoice download fails',
        'Invoice draft',
      ]);
      const res = await gqlAs(
        t,
        tenant,
      )<{ suggestKnowledgeArticles: { id: string }[] }>(
        `query { suggestKnowledgeArticles(text: "My invoice download is broken", limit: 5) { id title } }`,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.suggestKnowledgeArticles.map((a) => a.id)).toEqual([best.id, weaker.id]);
    });

    it('works over GraphQL: create, update with expectedVersion, versions', async () => {
      const run = gqlAs(t, agent);
      const created = await run<{ createKnowledgeArticle: { id: string; version: number } }>(
        `mutation { createKnowledgeArticle(input: { title: "SSO with Okta", body: "b", tags: ["sso"] }) { id version status } }`,
      );
      expect(created.errors).toBeUndefined();
      const id = created.data!.createKnowledgeArticle.id;
      const updated = await run<{ updateKnowledgeArticle: { status: string; publishedAt: string } }>(
        `mutation($id: ID!) { updateKnowledgeArticle(id: $id, input: { status: published }, expectedVersion: 1) { status publishedAt } }`,
        { id },
      );
      expect(updated.errors).toBeUndefined();
      expect(updated.data!.updateKnowledgeArticle.status).toBe('published');
      const read = await run<{ knowledgeArticle: { versions: { version: number; status: string }[] } }>(
        `query($id: ID!) { knowledgeArticle(id: $id) { versions { version status editedBy } } }`,
        { id },
      );
      expect(read.data!.knowledgeArticle.versions.map((v) => [v.version, v.status])).toEqual([
        [2, 'published'],
        [1, 'draft'],
      ]);
      const stale = await run(
        `mutation($id: ID!) { updateKnowledgeArticle(id: $id, input: { title: "x" }, expectedVersion: 1) { id } }`,
        { id },
      );
      expect(stale.errors?.[0].extensions?.code).toBe('VERSION_MISMATCH');
    });
  });

  describe('permissions', () => {
    it('lets a read-only user read but not write, and refuses a role without the permission', async () => {
      const a = await article(admin, { title: 'Readable' });
      ok(await restAs(t, reader).get(`/v1/knowledge-articles/${a.id}`));
      expect((await restAs(t, reader).post('/v1/knowledge-articles', { title: 'no' })).status).toBe(403);
      expect((await restAs(t, agent).del(`/v1/knowledge-articles/${a.id}`)).status).toBe(403);
      for (const path of [
        '/v1/knowledge-articles',
        `/v1/knowledge-articles/${a.id}`,
        `/v1/knowledge-articles/${a.id}/versions`,
      ])
        expect([path, (await restAs(t, rep).get(path)).status]).toEqual([path, 403]);
      const gql = await gqlAs(t, rep)(`query { knowledgeArticles { nodes { id } } }`);
      expect(gql.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });

    it('never shows another tenant’s article (404)', async () => {
      const a = await article(admin, { title: 'Tenant A only' });
      const other = await newTenant(t);
      for (const path of [`/v1/knowledge-articles/${a.id}`, `/v1/knowledge-articles/${a.id}/versions`])
        expect([path, (await restAs(t, other).get(path)).status]).toEqual([path, 404]);
      expect((await restAs(t, other).patch(`/v1/knowledge-articles/${a.id}`, { title: 'x' })).status).toBe(
        404,
      );
      const list = ok<{ data: unknown[] }>(await restAs(t, other).get('/v1/knowledge-articles'));
      expect(list.data).toEqual([]);
    });

    it('hides a field the role may not read: absent from articles and versions, q refused', async () => {
      const tenant = await newTenant(t);
      const viewer = await newUser(t, tenant.tenantId, { role: 'readOnly' });
      const a = await article(tenant, { title: 'Secret body', body: 'classified', status: 'published' });
      const role = await roleId(t, tenant.tenantId, 'readOnly');
      ok(
        await restAs(t, tenant).put(`/v1/field-policies/${role}/knowledge-articles`, {
          mode: 'denyList',
          rules: { body: 'hidden' },
        }),
      );
      const got = ok<Record<string, unknown>>(await restAs(t, viewer).get(`/v1/knowledge-articles/${a.id}`));
      expect(got.title).toBe('Secret body');
      expect(got).not.toHaveProperty('body');
      const versions = ok<{ data: Record<string, unknown>[] }>(
        await restAs(t, viewer).get(`/v1/knowledge-articles/${a.id}/versions`),
      );
      expect(versions.data[0]).not.toHaveProperty('body');
      expect(versions.data[0]!.title).toBe('Secret body');
      const q = await restAs(t, viewer).get('/v1/knowledge-articles', { q: 'classified' });
      expect(q.status).toBe(403);
      expect(q.body).toMatchObject({ code: 'FORBIDDEN_FIELD', errors: [{ field: 'body' }] });
    });
  });

  describe('articles used to solve a case', () => {
    it('links, lists and unlinks (REST), idempotently, with the audit trail', async () => {
      const caseId = await insertCase(t, admin.tenantId, {
        subject: 'Cannot print',
        assignee_id: agent.userId,
      });
      const a = await article(agent, { title: 'Printer offline', status: 'published' });
      const api = restAs(t, agent);
      const first = await api.post(`/v1/cases/${caseId}/articles/${a.id}`);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        caseId,
        articleId: a.id,
        linkedBy: agent.userId,
        article: { title: 'Printer offline' },
      });
      const again = await api.post(`/v1/cases/${caseId}/articles/${a.id}`);
      expect(again.status).toBe(200);
      const list = ok<{ data: { articleId: string; article: { title: string } }[] }>(
        await api.get(`/v1/cases/${caseId}/articles`),
      );
      expect(list.data.map((l) => [l.articleId, l.article.title])).toEqual([[a.id, 'Printer offline']]);
      const audit = await superSql(
        t.databaseUrl,
        `SELECT action FROM audit_events WHERE record_id = $1 ORDER BY occurred_at`,
        [caseId],
      );
      expect(audit.map((r) => r.action)).toEqual(['link_article']);
      expect((await api.del(`/v1/cases/${caseId}/articles/${a.id}`)).status).toBe(204);
      expect((await api.del(`/v1/cases/${caseId}/articles/${a.id}`)).status).toBe(404);
      expect(ok<{ data: unknown[] }>(await api.get(`/v1/cases/${caseId}/articles`)).data).toEqual([]);
    });

    it('links over GraphQL', async () => {
      const caseId = await insertCase(t, admin.tenantId, { subject: 'Wifi drops' });
      const a = await article(admin, { title: 'Wifi troubleshooting' });
      const run = gqlAs(t, admin);
      const linked = await run(
        `mutation($c: ID!, $a: ID!) { linkCaseArticle(caseId: $c, articleId: $a) { caseId article { title } } }`,
        { c: caseId, a: a.id },
      );
      expect(linked.errors).toBeUndefined();
      const listed = await run<{ caseArticles: { article: { title: string } }[] }>(
        `query($c: ID!) { caseArticles(caseId: $c) { article { title } } }`,
        { c: caseId },
      );
      expect(listed.data!.caseArticles.map((l) => l.article.title)).toEqual(['Wifi troubleshooting']);
      const unlinked = await run(
        `mutation($c: ID!, $a: ID!) { unlinkCaseArticle(caseId: $c, articleId: $a) }`,
        { c: caseId, a: a.id },
      );
      expect(unlinked.data).toEqual({ unlinkCaseArticle: true });
    });

    it('needs cases:update to link (403) and a visible case (404), across tenants too', async () => {
      const tenant = await newTenant(t);
      const agentA = await newUser(t, tenant.tenantId, { role: 'supportAgent' });
      const agentB = await newUser(t, tenant.tenantId, { role: 'supportAgent' });
      const viewer = await newUser(t, tenant.tenantId, { role: 'readOnly' });
      ok(await restAs(t, tenant).put('/v1/sharing-settings/cases', { defaultAccess: 'private' }));
      const caseId = await insertCase(t, tenant.tenantId, { assignee_id: agentB.userId });
      const a = await article(tenant, { title: 'Anything' });
      // agent A is not the assignee of a private case: it does not exist for them
      expect((await restAs(t, agentA).post(`/v1/cases/${caseId}/articles/${a.id}`)).status).toBe(404);
      expect((await restAs(t, agentA).get(`/v1/cases/${caseId}/articles`)).status).toBe(404);
      expect((await restAs(t, agentB).post(`/v1/cases/${caseId}/articles/${a.id}`)).status).toBe(201);
      // read-only may not change cases
      expect((await restAs(t, viewer).post(`/v1/cases/${caseId}/articles/${a.id}`)).status).toBe(403);
      // unknown article → 404; another tenant's case and article → 404
      expect((await restAs(t, agentB).post(`/v1/cases/${caseId}/articles/${NO_SUCH_ID}`)).status).toBe(404);
      const other = await newTenant(t);
      expect((await restAs(t, other).post(`/v1/cases/${caseId}/articles/${a.id}`)).status).toBe(404);
      expect((await restAs(t, other).get(`/v1/cases/${caseId}/articles`)).status).toBe(404);
      const theirs = await article(other, { title: 'Other tenant' });
      expect((await restAs(t, agentB).post(`/v1/cases/${caseId}/articles/${theirs.id}`)).status).toBe(404);
    });
  });
});
