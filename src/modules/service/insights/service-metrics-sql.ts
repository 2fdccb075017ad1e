/**
 * The service metrics statement (docs/service.md#service-metrics), built here and nowhere else so
 * that the benchmark's raw-Postgres side (bench/lib/scenarios.ts) runs exactly what the service
 * runs. Pure: the caller supplies the tenant expression (`app_tenant_id()` in the service, which
 * RLS enforces anyway; pgbench's `:t` in the benchmark) and the caller's record-level read
 * predicate on cases (RecordPolicy.readPredicate), whose values go into the same SqlParams.
 */
import { SqlParams } from '../../../platform/query/sql.js';

export const METRICS_GROUPS = ['queue', 'assignee', 'priority', 'channel'] as const;
export type MetricsGroupBy = (typeof METRICS_GROUPS)[number];

/** The statuses of the backlog (a case not solved or closed). */
export const OPEN_STATUSES = ['new', 'open', 'pending', 'onHold'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

const GROUP_COLUMN: Record<MetricsGroupBy, string> = {
  queue: 't.queue_id::text',
  assignee: 't.assignee_id::text',
  priority: 't.priority',
  channel: 't.channel',
};

export interface MetricsScope {
  /** SQL for the tenant id */
  tenant: string;
  /** the caller's read predicate on cases aliased `alias` (values added to the params); undefined = every case */
  readable(alias: string): string | undefined;
}

export interface MetricsQuery {
  from: string;
  to: string;
  groupBy: MetricsGroupBy;
}

/** One row: the overall figures (key null, overall true) or one group's. */
export interface MetricsRow {
  overall: boolean;
  key: string | null;
  createdCount: number;
  resolvedCount: number;
  avgResolutionMinutes: number | null;
  medianResolutionMinutes: number | null;
  avgBusinessResolutionMinutes: number | null;
  medianBusinessResolutionMinutes: number | null;
  firstResponseMeasured: number;
  firstResponseMet: number;
  firstResponseAttainment: number | null;
  resolutionMeasured: number;
  resolutionMet: number;
  resolutionAttainment: number | null;
  csatResponses: number;
  csatAverage: number | null;
  csatResponseRate: number | null;
  backlog: {
    total: number;
    byStatus: Record<(typeof OPEN_STATUSES)[number], number>;
    byPriority: Record<(typeof PRIORITIES)[number], number>;
  };
}

const round2 = (expr: string): string => `round((${expr})::numeric, 2)::float8`;
const percent = (num: string, den: string): string =>
  `round(100.0 * (${num}) / nullif(${den}, 0), 2)::float8`;

/**
 * Three index-driven reads of the caller's visible, live cases — resolved in [from, to) (by
 * resolved_at), created in [from, to) (by created_at) and open now (by status) — each tagged with
 * the figures it feeds, then aggregated overall and per group in one GROUPING SETS pass. A case in
 * more than one read counts once per figure: each figure filters on its read's tag. Only the
 * resolved cases come one row each (the medians need every value); the created and open reads are
 * counted per group and kind first (`n`), so that the rows sorted for the grouping stay few and
 * narrow. Averages, medians and CSAT read columns only resolved rows fill (null elsewhere).
 */
export function serviceMetricsStatement(params: SqlParams, q: MetricsQuery, scope: MetricsScope): string {
  const tenant = scope.tenant;
  const from = `${params.add(q.from)}::timestamptz`;
  const to = `${params.add(q.to)}::timestamptz`;
  const key = GROUP_COLUMN[q.groupBy];
  const visible = () => {
    const p = scope.readable('t');
    return p ? ` AND ${p}` : '';
  };
  const live = `t.tenant_id = ${tenant} AND t.deleted_at IS NULL`;
  const statuses = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');
  // n: how many cases a row stands for (the created and open reads are counted per group first)
  const sum = (cond: string) => `coalesce(sum(c.n) FILTER (WHERE ${cond}), 0)::int`;
  const rate = (met: string, of: string) =>
    percent(`sum(c.n) FILTER (WHERE ${met})`, `sum(c.n) FILTER (WHERE ${of})`);
  const counts = (what: string, values: readonly string[]) =>
    values.map((v) => `'${v}', ${sum(`c.tag = 'o' AND c.${what} = '${v}'`)}`).join(', ');
  return `WITH c AS (
  SELECT 'r'::text AS tag, ${key} AS k, 1::bigint AS n, NULL::text AS status, NULL::text AS priority,
         extract(epoch FROM t.resolved_at - t.created_at)::float8 / 60 AS cal_minutes,
         t.business_resolution_minutes::float8 AS bus_minutes,
         (t.resolution_due_at IS NOT NULL OR t.resolution_breached) AS res_measured,
         t.resolution_breached AS res_breached, t.csat_score AS csat,
         NULL::boolean AS fr_measured, NULL::boolean AS fr_met
    FROM cases t
   WHERE ${live} AND t.resolved_at >= ${from} AND t.resolved_at < ${to}${visible()}
  UNION ALL
  SELECT 'c', x.k, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, x.fr_measured, x.fr_met
    FROM (SELECT ${key} AS k,
                 (t.first_response_due_at IS NOT NULL AND (t.first_responded_at IS NOT NULL OR t.first_response_breached)) AS fr_measured,
                 NOT t.first_response_breached AS fr_met
            FROM cases t
           WHERE ${live} AND t.created_at >= ${from} AND t.created_at < ${to}${visible()}) x
   GROUP BY 2, 11, 12
  UNION ALL
  SELECT 'o', ${key}, count(*), t.status, t.priority, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM cases t
   WHERE ${live} AND t.status IN (${statuses})${visible()}
   GROUP BY 2, 4, 5
)
SELECT GROUPING(c.k) = 1 AS overall, c.k AS key,
       ${sum(`c.tag = 'c'`)} AS "createdCount",
       ${sum(`c.tag = 'r'`)} AS "resolvedCount",
       ${round2(`avg(c.cal_minutes)`)} AS "avgResolutionMinutes",
       ${round2(`percentile_cont(0.5) WITHIN GROUP (ORDER BY c.cal_minutes)`)} AS "medianResolutionMinutes",
       ${round2(`avg(c.bus_minutes)`)} AS "avgBusinessResolutionMinutes",
       ${round2(`percentile_cont(0.5) WITHIN GROUP (ORDER BY c.bus_minutes)`)} AS "medianBusinessResolutionMinutes",
       ${sum(`c.tag = 'c' AND c.fr_measured`)} AS "firstResponseMeasured",
       ${sum(`c.tag = 'c' AND c.fr_measured AND c.fr_met`)} AS "firstResponseMet",
       ${rate(`c.tag = 'c' AND c.fr_measured AND c.fr_met`, `c.tag = 'c' AND c.fr_measured`)} AS "firstResponseAttainment",
       ${sum(`c.tag = 'r' AND c.res_measured`)} AS "resolutionMeasured",
       ${sum(`c.tag = 'r' AND c.res_measured AND NOT c.res_breached`)} AS "resolutionMet",
       ${rate(`c.tag = 'r' AND c.res_measured AND NOT c.res_breached`, `c.tag = 'r' AND c.res_measured`)} AS "resolutionAttainment",
       ${sum(`c.tag = 'r' AND c.csat IS NOT NULL`)} AS "csatResponses",
       ${round2(`avg(c.csat)`)} AS "csatAverage",
       ${percent(`count(c.csat)`, `sum(c.n) FILTER (WHERE c.tag = 'r')`)} AS "csatResponseRate",
       jsonb_build_object(
         'total', ${sum(`c.tag = 'o'`)},
         'byStatus', jsonb_build_object(${counts('status', OPEN_STATUSES)}),
         'byPriority', jsonb_build_object(${counts('priority', PRIORITIES)})
       ) AS backlog
  FROM c
 GROUP BY GROUPING SETS ((), (c.k))
 ORDER BY 1 DESC, 2 NULLS LAST`;
}
