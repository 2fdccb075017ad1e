import { SqlParams } from '../../src/platform/query/sql.js';
import { periodWindow } from '../../src/modules/sales/reports/report-window.js';
import {
  forecastStatement,
  pipelineSummaryStatement,
  type ReportScope,
} from '../../src/modules/sales/reports/reports-sql.js';
import { serviceMetricsStatement } from '../../src/modules/service/insights/service-metrics-sql.js';
import { suggestionWords } from '../../src/modules/service/knowledge/suggestion-words.js';
import type { RequestSpec } from './load.js';
import type { BenchManifest } from './manifest.js';
import type { RawScript } from './raw.js';

/** What a scenario needs at run time, prepared by the runner before it is measured. */
export interface ScenarioContext {
  manifest: BenchManifest;
  /** a fresh access token of the bench user (a sales rep with a field policy) */
  token: string;
  /** contact ids of the measured tenant, in the generator's random order */
  ids: string[];
  /** cursor of the deep page, and how many rows precede it */
  deepCursor?: { cursor: string; rowsBefore: number; createdAt: string; id: string };
  /** current version of each contact the update scenario touches */
  versions: Map<string, number>;
}

export interface Scenario {
  name: string;
  description: string;
  /** a factory of requests: called once per scenario run, then once per request */
  requests(ctx: ScenarioContext): () => RequestSpec;
  onResponse?(ctx: ScenarioContext): (status: number, body: string, headers: Record<string, string>) => void;
  /** the same work straight against Postgres; scenarios sharing SQL share the limit */
  raw?(ctx: ScenarioContext): RawScript & { label: string };
}

const CONTACT_FIELDS =
  'id firstName lastName email phone title accountId ownerId lifecycleStage leadSource doNotContact externalId tags createdAt updatedAt version';

/** The list every list scenario shares: the filter of the issue, newest first, 50 a page. */
export function listFilter(m: BenchManifest): string {
  return `lifecycleStage eq '${m.listFilter.lifecycleStage}' and account.industry eq '${m.listFilter.industry}'`;
}
export const LIST_SORT = '-createdAt';
export const LIST_LIMIT = 50;

export function listPath(m: BenchManifest, extra = ''): string {
  const q = new URLSearchParams({ filter: listFilter(m), sort: LIST_SORT, limit: String(LIST_LIMIT) });
  return `/v1/contacts?${q.toString()}${extra}`;
}

const auth = (ctx: ScenarioContext) => ({ authorization: `Bearer ${ctx.token}` });
const json = (ctx: ScenarioContext) => ({ ...auth(ctx), 'content-type': 'application/json' });

function rotating<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Columns the REST API returns for a contact (the raw selects read the same). */
const CONTACT_COLUMNS = `c.id, c.first_name, c.last_name, c.email, c.phone, c.title, c.account_id, c.owner_id,
  c.lifecycle_stage, c.lead_source, c.do_not_contact, c.address, c.external_id, c.tags, c.created_at, c.updated_at, c.version`;

function rawList(m: BenchManifest, extraWhere = '', expand = false): string {
  return `SELECT ${CONTACT_COLUMNS}${expand ? ', a.*' : ''}
  FROM contacts c${expand ? '\n  LEFT JOIN accounts a ON a.tenant_id = c.tenant_id AND a.id = c.account_id' : ''}
 WHERE c.tenant_id = :t AND c.deleted_at IS NULL
   AND c.lifecycle_stage = ${sqlText(m.listFilter.lifecycleStage)}
   AND EXISTS (SELECT 1 FROM accounts x WHERE x.tenant_id = c.tenant_id AND x.id = c.account_id
                AND x.deleted_at IS NULL AND x.industry = ${sqlText(m.listFilter.industry)})${extraWhere}
 ORDER BY c.created_at DESC, c.id DESC
 LIMIT ${LIST_LIMIT + 1};`;
}

/**
 * A report's statement as the service builds it (src/modules/sales/reports/reports-sql.ts), for
 * pgbench with every value inlined, the tenant too, so that the planner sees them all: the best plan
 * Postgres finds for these values (the server runs one generic plan for all values). Like every raw
 * script here it runs as the superuser without the caller's record-level predicate (the floor, not
 * an equivalent).
 */
function rawReport(tenantId: string, build: (params: SqlParams, scope: ReportScope) => string): string {
  const params = new SqlParams();
  const sql = build(params, { tenant: `${sqlText(tenantId)}::uuid`, readable: () => undefined });
  return `${sql.replace(/\$(\d+)/g, (_m, n: string) => sqlText(String(params.values[Number(n) - 1])))};`;
}

/**
 * The context of the first context case in ONE statement (the service makes seven record-layer
 * reads): the case, its contact and account, their open opportunities (20), their other cases (10)
 * and activities (20) — each the newest of a per-link top-N, as the service reads them — and five
 * published articles ranked by the subject's words.
 */
function rawContext(m: BenchManifest): string {
  const c = m.contextCase;
  if (!c) throw new Error('the manifest has no context case');
  const id = `${sqlText(c.id)}::uuid`;
  const contact = `${sqlText(c.contactId)}::uuid`;
  const account = `${sqlText(c.accountId)}::uuid`;
  const words = `to_tsquery('simple', ${sqlText(suggestionWords(c.subject).join(' | '))})`;
  return `SELECT (SELECT row_to_json(k) FROM (SELECT x.id, x.subject, x.contact_id, x.account_id FROM cases x
                 WHERE x.tenant_id = :t AND x.id = ${id} AND x.deleted_at IS NULL) k) AS kase,
       (SELECT row_to_json(x) FROM contacts x WHERE x.tenant_id = :t AND x.id = ${contact} AND x.deleted_at IS NULL) AS contact,
       (SELECT row_to_json(x) FROM accounts x WHERE x.tenant_id = :t AND x.id = ${account} AND x.deleted_at IS NULL) AS account,
       (SELECT json_agg(o) FROM (SELECT x.* FROM opportunities x WHERE x.tenant_id = :t AND x.deleted_at IS NULL
          AND x.closed_at IS NULL AND (x.primary_contact_id = ${contact} OR x.account_id = ${account})
          ORDER BY x.close_date, x.created_at, x.id LIMIT 21) o) AS opportunities,
       (SELECT json_agg(o) FROM (SELECT x.id, x.number, x.subject, x.status, x.priority, x.channel, x.contact_id,
          x.account_id, x.assignee_id, x.created_at, x.resolved_at, x.version, x.updated_at FROM cases x
          WHERE x.tenant_id = :t AND x.id = ANY(ARRAY(
            (SELECT y.id FROM cases y WHERE y.tenant_id = :t AND y.contact_id = ${contact} AND y.deleted_at IS NULL
              AND y.id <> ${id} ORDER BY y.created_at DESC, y.id LIMIT 11)
            UNION ALL
            (SELECT y.id FROM cases y WHERE y.tenant_id = :t AND y.account_id = ${account} AND y.deleted_at IS NULL
              AND y.id <> ${id} ORDER BY y.created_at DESC, y.id LIMIT 11)))
          ORDER BY x.created_at DESC, x.id LIMIT 11) o) AS cases,
       (SELECT json_agg(o) FROM (SELECT x.* FROM activities x
          WHERE x.tenant_id = :t AND x.id = ANY(ARRAY(
            (SELECT y.id FROM activities y WHERE y.tenant_id = :t AND y.contact_id = ${contact} AND y.deleted_at IS NULL
              ORDER BY y.occurred_at DESC, y.id LIMIT 21)
            UNION ALL
            (SELECT y.id FROM activities y WHERE y.tenant_id = :t AND y.account_id = ${account} AND y.deleted_at IS NULL
              ORDER BY y.occurred_at DESC, y.id LIMIT 21)))
          ORDER BY x.occurred_at DESC, x.id LIMIT 21) o) AS activities,
       (SELECT json_agg(o) FROM (SELECT x.id, x.title, x.body, x.status, x.tags FROM knowledge_articles x
          WHERE x.tenant_id = :t AND x.deleted_at IS NULL AND x.status = 'published' AND x.search @@ ${words}
          ORDER BY ts_rank(x.search, ${words}) DESC, x.id LIMIT 5) o) AS articles;`;
}

const RAW_GET = `SELECT ${CONTACT_COLUMNS} FROM contacts c
 WHERE c.tenant_id = :t AND c.id = (SELECT id FROM bench.ids WHERE n = :n) AND c.deleted_at IS NULL;`;

export const SCENARIOS: Scenario[] = [
  {
    name: 'get-rest',
    description: 'GET /v1/contacts/{id}, ids rotating over the measured tenant',
    requests: (ctx) => {
      const next = rotating(ctx.ids);
      return () => ({ method: 'GET', path: `/v1/contacts/${next()}`, headers: auth(ctx) });
    },
    raw: (ctx) => ({ label: 'select by primary key', sql: RAW_GET, idCount: ctx.manifest.idCount }),
  },
  {
    name: 'get-graphql',
    description: 'GraphQL contact(id) with 16 fields, ids rotating',
    requests: (ctx) => {
      const next = rotating(ctx.ids);
      const query = `query C($id: ID!) { contact(id: $id) { ${CONTACT_FIELDS} } }`;
      return () => ({
        method: 'POST',
        path: '/graphql',
        headers: json(ctx),
        body: JSON.stringify({ query, variables: { id: next() } }),
      });
    },
    raw: (ctx) => ({ label: 'select by primary key', sql: RAW_GET, idCount: ctx.manifest.idCount }),
  },
  {
    name: 'list-rest',
    description:
      'GET /v1/contacts filtered on lifecycleStage and account.industry, sort -createdAt, limit 50',
    requests: (ctx) => {
      const path = listPath(ctx.manifest);
      return () => ({ method: 'GET', path, headers: auth(ctx) });
    },
    raw: (ctx) => ({ label: 'the list query', sql: rawList(ctx.manifest), idCount: 1 }),
  },
  {
    name: 'list-graphql',
    description: 'GraphQL contacts(filter, sort, first: 50) with the same filter',
    requests: (ctx) => {
      const query = `query L($f: JSON, $s: String) { contacts(filter: $f, sort: $s, first: ${LIST_LIMIT}) { nodes { ${CONTACT_FIELDS} } pageInfo { endCursor hasNextPage } } }`;
      const body = JSON.stringify({ query, variables: { f: listFilter(ctx.manifest), s: LIST_SORT } });
      return () => ({ method: 'POST', path: '/graphql', headers: json(ctx), body });
    },
    raw: (ctx) => ({ label: 'the list query', sql: rawList(ctx.manifest), idCount: 1 }),
  },
  {
    name: 'list-expand-rest',
    description: 'the same list with expand=account',
    requests: (ctx) => {
      const path = listPath(ctx.manifest, '&expand=account');
      return () => ({ method: 'GET', path, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the list query joined to accounts',
      sql: rawList(ctx.manifest, '', true),
      idCount: 1,
    }),
  },
  {
    name: 'deep-page-rest',
    description: 'the list at the 201st page (10,000 rows in), reached by following cursors',
    requests: (ctx) => {
      if (!ctx.deepCursor) throw new Error('the deep cursor was not prepared');
      const path = listPath(ctx.manifest, `&cursor=${encodeURIComponent(ctx.deepCursor.cursor)}`);
      return () => ({ method: 'GET', path, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the list query with the keyset predicate',
      sql: rawList(
        ctx.manifest,
        `\n   AND (c.created_at, c.id) < (${sqlText(ctx.deepCursor!.createdAt)}::timestamptz, ${sqlText(ctx.deepCursor!.id)}::uuid)`,
      ),
      idCount: 1,
    }),
  },
  {
    name: 'search-rest',
    description: 'GET /v1/contacts?q=<surname>&limit=50 (full-text search)',
    requests: (ctx) => {
      const path = `/v1/contacts?${new URLSearchParams({ q: ctx.manifest.searchTerm, limit: String(LIST_LIMIT) }).toString()}`;
      return () => ({ method: 'GET', path, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the text-search query',
      sql: `SELECT ${CONTACT_COLUMNS} FROM contacts c
 WHERE c.tenant_id = :t AND c.deleted_at IS NULL
   AND c.search @@ websearch_to_tsquery('simple', ${sqlText(ctx.manifest.searchTerm)})
 ORDER BY c.created_at, c.id
 LIMIT ${LIST_LIMIT + 1};`,
      idCount: 1,
    }),
  },
  {
    name: 'timeline-rest',
    description: 'GET /v1/accounts/{id}/timeline (accounts with 500 activities), first page of 50',
    requests: (ctx) => {
      const next = rotating(ctx.manifest.timelineAccountIds);
      return () => ({ method: 'GET', path: `/v1/accounts/${next()}/timeline?limit=50`, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the timeline query',
      sql: `SELECT a.* FROM activities a
 WHERE a.tenant_id = :t AND a.deleted_at IS NULL
   AND (a.account_id = ${sqlText(ctx.manifest.timelineAccountIds[0])}::uuid
        OR a.contact_id = ANY(ARRAY(SELECT c.id FROM contacts c WHERE c.tenant_id = :t
                             AND c.account_id = ${sqlText(ctx.manifest.timelineAccountIds[0])}::uuid AND c.deleted_at IS NULL)))
 ORDER BY a.occurred_at DESC, a.id DESC
 LIMIT ${LIST_LIMIT + 1};`,
      idCount: 1,
    }),
  },
  {
    name: 'create-rest',
    description: 'POST /v1/contacts (validation, reference check, insert, audit event)',
    requests: (ctx) => {
      let n = 0;
      const accounts = ctx.manifest.timelineAccountIds;
      return () => {
        n++;
        return {
          method: 'POST',
          path: '/v1/contacts',
          headers: json(ctx),
          body: JSON.stringify({
            firstName: 'Bench',
            lastName: `Created ${n}`,
            email: `bench.created.${n}@example.com`,
            title: 'Buyer',
            lifecycleStage: 'lead',
            accountId: accounts[n % accounts.length],
          }),
        };
      };
    },
    raw: () => ({
      label: 'a single-row insert',
      sql: `INSERT INTO contacts (tenant_id, id, first_name, last_name, email, title, lifecycle_stage)
 VALUES (:t, gen_random_uuid(), 'Bench', 'Raw ' || :n, 'bench.raw.' || :n || '@example.com', 'Buyer', 'lead');`,
      idCount: 1_000_000,
    }),
  },
  {
    name: 'update-rest',
    description: 'PATCH /v1/contacts/{id} with If-Match (version check, update, audit event)',
    requests: (ctx) => {
      const next = rotating(ctx.ids);
      let n = 0;
      return () => {
        const id = next();
        n++;
        return {
          method: 'PATCH',
          path: `/v1/contacts/${id}`,
          headers: { ...json(ctx), 'if-match': `"${ctx.versions.get(id) ?? 1}"` },
          body: JSON.stringify({ title: `Title ${n % 100}` }),
        };
      };
    },
    onResponse: (ctx) => (status, body) => {
      if (status !== 200) return;
      const record = JSON.parse(body) as { id: string; version: number };
      ctx.versions.set(record.id, record.version);
    },
    raw: (ctx) => ({
      label: 'a single-row update by primary key',
      sql: `UPDATE contacts SET title = 'Title ' || (:n % 100), version = version + 1, updated_at = now()
 WHERE tenant_id = :t AND id = (SELECT id FROM bench.ids WHERE n = :n) AND deleted_at IS NULL;`,
      idCount: ctx.manifest.idCount,
    }),
  },
  {
    name: 'forecast-rest',
    description: 'GET /v1/forecasts for the current quarter, grouped by owner (one aggregate statement)',
    requests: (ctx) => {
      const path = `/v1/forecasts?${new URLSearchParams({ period: ctx.manifest.forecastPeriod, groupBy: 'owner' }).toString()}`;
      return () => ({ method: 'GET', path, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the forecast statement',
      sql: rawReport(ctx.manifest.tenantId, (params, scope) =>
        forecastStatement(params, { ...periodWindow(ctx.manifest.forecastPeriod), groupBy: 'owner' }, scope),
      ),
      idCount: 1,
    }),
  },
  {
    name: 'pipeline-summary-rest',
    description: 'GET /v1/pipelines/{id}/summary over one month (stage history and opportunities)',
    requests: (ctx) => {
      const m = ctx.manifest;
      const path = `/v1/pipelines/${m.pipelineId}/summary?${new URLSearchParams(m.summaryWindow).toString()}`;
      return () => ({ method: 'GET', path, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the pipeline summary statement',
      sql: rawReport(ctx.manifest.tenantId, (params, scope) =>
        pipelineSummaryStatement(params, ctx.manifest.pipelineId, ctx.manifest.summaryWindow, scope),
      ),
      idCount: 1,
    }),
  },
  {
    name: 'context-rest',
    description:
      'GET /v1/cases/{id}/context (contact, account, open opportunities, recent cases and activities, suggested articles), cases rotating',
    requests: (ctx) => {
      const next = rotating(ctx.manifest.contextCaseIds);
      return () => ({ method: 'GET', path: `/v1/cases/${next()}/context`, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the context parts in one statement',
      sql: rawContext(ctx.manifest),
      idCount: 1,
    }),
  },
  {
    name: 'service-metrics-rest',
    description: 'GET /v1/service/metrics over one month, grouped by queue (one aggregate statement)',
    requests: (ctx) => {
      const path = `/v1/service/metrics?${new URLSearchParams({ ...ctx.manifest.metricsWindow, groupBy: 'queue' }).toString()}`;
      return () => ({ method: 'GET', path, headers: auth(ctx) });
    },
    raw: (ctx) => ({
      label: 'the service metrics statement',
      sql: rawReport(ctx.manifest.tenantId, (params, scope) =>
        serviceMetricsStatement(
          params,
          { ...ctx.manifest.metricsWindow, groupBy: 'queue' },
          { tenant: scope.tenant, readable: () => undefined },
        ),
      ),
      idCount: 1,
    }),
  },
];
