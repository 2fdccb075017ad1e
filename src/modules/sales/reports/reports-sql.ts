/**
 * The reports' SQL (docs/sales.md#reports), one statement each, built here and nowhere else so that
 * the benchmark's raw-Postgres side (bench/lib/scenarios.ts) runs exactly the statement the
 * service runs. Pure: no Nest, no registry; the caller supplies the tenant expression (the
 * service: `app_tenant_id()`, which RLS enforces anyway; the benchmark: pgbench's `:t`) and the
 * caller's record-level read predicates (RecordPolicy.readPredicate, the one the record layer adds
 * to every list), which add their values to the same SqlParams.
 */
import { SqlParams } from '../../../platform/query/sql.js';
import type { ReportWindow } from './report-window.js';

export const FORECAST_GROUPS = ['owner', 'team', 'pipeline'] as const;
export type ForecastGroupBy = (typeof FORECAST_GROUPS)[number];

/** The objects whose read predicates the statements need. */
export type ReportObject = 'opportunities' | 'leads' | 'pipelines';

export interface ReportScope {
  /** SQL for the tenant id */
  tenant: string;
  /** the caller's read predicate on `object` aliased `alias` (values added to the statement's params); undefined = every row */
  readable(object: ReportObject, alias: string): string | undefined;
}

const and = (predicate: string | undefined): string => (predicate ? ` AND ${predicate}` : '');

/** `x::text` of a money sum: two decimals, `0.00` for none. */
const money = (sum: string): string => `round(coalesce(${sum}, 0), 2)::text`;

/** A rate as a float rounded to four places; null when the denominator is zero. */
const rate = (num: string, den: string): string => `round((${num})::numeric / nullif(${den}, 0), 4)::float8`;

/** Seconds → days, two decimals; null stays null. */
const days = (seconds: string): string => `round((${seconds} / 86400)::numeric, 2)::float8`;

// -------------------------------------------------------------------------------------- forecast

export interface ForecastQuery extends ReportWindow {
  groupBy: ForecastGroupBy;
  currency?: string;
}

/** One row of the forecast statement: a group's or a total's figures in one currency. */
export interface ForecastRow {
  kind: 'group' | 'total';
  id: string | null;
  name: string | null;
  currency: string;
  openCount: number;
  openAmount: string;
  weightedAmount: string;
  commitAmount: string;
  bestCaseAmount: string;
  closedWonCount: number;
  closedWonAmount: string;
}

/**
 * The forecast: visible, live opportunities with an amount, aggregated per (owner or pipeline,
 * currency) in one pass, then per group (an owner's teams for `team`) and per currency for the
 * totals. Open: an open stage, closeDate in the window, forecast category not `omitted`. Won: a won
 * stage, closedAt in the window.
 */
export function forecastStatement(params: SqlParams, q: ForecastQuery, scope: ReportScope): string {
  const from = `${params.add(q.from)}::timestamptz`;
  const to = `${params.add(q.to)}::timestamptz`;
  const tenant = scope.tenant;
  const currency = q.currency ? ` AND t.currency = ${params.add(q.currency)}::bpchar` : '';
  const key = q.groupBy === 'pipeline' ? 't.pipeline_id' : 't.owner_id';
  const visible = (alias: string) => and(scope.readable('opportunities', alias));
  // owner and pipeline: the key is the group; team: each of the owner's teams (none: the null group)
  const [groupJoin, gid] =
    q.groupBy === 'team'
      ? [`LEFT JOIN team_members tm ON tm.tenant_id = ${tenant} AND tm.user_id = k.k`, 'tm.team_id']
      : ['', 'k.k'];
  let name: string;
  let nameJoin: string;
  switch (q.groupBy) {
    case 'owner':
      nameJoin = `LEFT JOIN users u ON u.tenant_id = ${tenant} AND u.id = g.gid`;
      name = 'u.display_name';
      break;
    case 'team':
      nameJoin = `LEFT JOIN teams tn ON tn.tenant_id = ${tenant} AND tn.id = g.gid`;
      name = 'tn.name';
      break;
    case 'pipeline':
      // the name of a pipeline the caller may not see stays null (its id is the opportunity's)
      nameJoin = `LEFT JOIN pipelines p ON p.tenant_id = ${tenant} AND p.id = g.gid AND p.deleted_at IS NULL${and(scope.readable('pipelines', 'p'))}`;
      name = 'p.name';
      break;
  }
  const sums = (from: string) =>
    `sum(${from}.open_count) AS open_count, sum(${from}.open_amount) AS open_amount, sum(${from}.weighted) AS weighted,
     sum(${from}.commit_amount) AS commit_amount, sum(${from}.best_case) AS best_case,
     sum(${from}.won_count) AS won_count, sum(${from}.won_amount) AS won_amount`;
  const figures = (a: string) =>
    `${a}.currency::text AS currency, ${a}.open_count::int AS "openCount", ${money(`${a}.open_amount`)} AS "openAmount",
     ${money(`${a}.weighted`)} AS "weightedAmount", ${money(`${a}.commit_amount`)} AS "commitAmount",
     ${money(`${a}.best_case`)} AS "bestCaseAmount", ${a}.won_count::int AS "closedWonCount",
     ${money(`${a}.won_amount`)} AS "closedWonAmount"`;
  // Open and won deals are disjoint (an open stage has no closedAt), each read by its own index —
  // open ones by close date among those not closed, won ones by closedAt. OFFSET 0 keeps the planner
  // from driving the scan by stage instead (a won stage holds most deals, which per-stage estimates
  // do not see), and the stage category is checked against the few stage ids of that category
  // (one array, computed once) rather than joined.
  const deals = (range: string, category: 'open' | 'won') =>
    `SELECT o.k, o.currency, ${category === 'open'} AS open, o.amount, o.probability, o.forecast_category
    FROM (SELECT t.stage_id, ${key} AS k, t.currency, t.amount, t.probability, t.forecast_category
            FROM opportunities t
           WHERE t.tenant_id = ${tenant} AND ${range} AND t.deleted_at IS NULL AND t.amount IS NOT NULL${currency}${visible('t')}
          OFFSET 0) o
   WHERE o.stage_id = ANY (ARRAY(SELECT s.id FROM pipeline_stages s WHERE s.tenant_id = ${tenant} AND s.category = '${category}'))`;
  return `WITH d AS (
  ${deals(`t.closed_at IS NULL AND t.close_date >= ${from} AND t.close_date < ${to} AND t.forecast_category <> 'omitted'`, 'open')}
  UNION ALL
  ${deals(`t.closed_at >= ${from} AND t.closed_at < ${to}`, 'won')}
), k AS (
  SELECT d.k, d.currency,
         count(*) FILTER (WHERE d.open) AS open_count,
         sum(d.amount) FILTER (WHERE d.open) AS open_amount,
         sum(d.amount * d.probability / 100) FILTER (WHERE d.open) AS weighted,
         sum(d.amount) FILTER (WHERE d.open AND d.forecast_category = 'commit') AS commit_amount,
         sum(d.amount) FILTER (WHERE d.open AND d.forecast_category = 'bestCase') AS best_case,
         count(*) FILTER (WHERE NOT d.open) AS won_count,
         sum(d.amount) FILTER (WHERE NOT d.open) AS won_amount
    FROM d GROUP BY 1, 2
), g AS (
  SELECT ${gid} AS gid, k.currency, ${sums('k')} FROM k ${groupJoin} GROUP BY 1, 2
), total AS (
  SELECT k.currency, ${sums('k')} FROM k GROUP BY 1
)
SELECT 'group' AS kind, g.gid AS id, ${name} AS name, ${figures('g')} FROM g ${nameJoin}
UNION ALL
SELECT 'total', NULL, NULL, ${figures('total')} FROM total
ORDER BY 1, 3 NULLS LAST, 2 NULLS LAST, 4`;
}

// ------------------------------------------------------------------------------ pipeline summary

/** One row of the pipeline summary statement: a stage (null columns for a pipeline without stages). */
export interface PipelineSummaryRow {
  pipelineName: string;
  stageId: string | null;
  name: string | null;
  position: number | null;
  category: 'open' | 'won' | 'lost' | null;
  count: number;
  amounts: { currency: string; amount: string }[];
  enteredCount: number;
  advancedCount: number;
  conversionRate: number | null;
  exitedCount: number;
  averageDaysInStage: number | null;
  wonCount: number;
  lostCount: number;
  winRate: number | null;
  averageSalesCycleDays: number | null;
}

/**
 * The summary of one pipeline over a window, from the opportunities and their stage history, all
 * under the caller's read predicate on opportunities (and on the pipeline: no row when it is not
 * visible). Stage order is the current one; history entries of deleted stages are left out.
 */
export function pipelineSummaryStatement(
  params: SqlParams,
  pipelineId: string,
  w: ReportWindow,
  scope: ReportScope,
): string {
  const tenant = scope.tenant;
  const pipeline = `${params.add(pipelineId)}::uuid`;
  const from = `${params.add(w.from)}::timestamptz`;
  const to = `${params.add(w.to)}::timestamptz`;
  const visible = (alias: string) => and(scope.readable('opportunities', alias));
  return `WITH pl AS (
  SELECT p.id, p.name FROM pipelines p
   WHERE p.tenant_id = ${tenant} AND p.id = ${pipeline} AND p.deleted_at IS NULL${and(scope.readable('pipelines', 'p'))}
), st AS (
  SELECT s.id, s.name, s.position, s.category FROM pipeline_stages s
   WHERE s.tenant_id = ${tenant} AND s.pipeline_id = ${pipeline} AND s.deleted_at IS NULL
), cur AS (
  -- open stages: the deals in them now (an open deal has no closedAt); won and lost: closed in the
  -- window (read by closedAt before the stages are joined, as in the forecast)
  SELECT o.stage_id, o.currency, count(*) AS n, sum(o.amount) AS amount, NULL::numeric AS cycle_seconds
    FROM (SELECT t.stage_id, t.currency, t.amount FROM opportunities t
           WHERE t.tenant_id = ${tenant} AND t.closed_at IS NULL AND t.pipeline_id = ${pipeline}
             AND t.deleted_at IS NULL${visible('t')}
          OFFSET 0) o
   WHERE o.stage_id = ANY (ARRAY(SELECT st.id FROM st WHERE st.category = 'open'))
   GROUP BY 1, 2
  UNION ALL
  SELECT c.stage_id, c.currency, count(*), sum(c.amount),
         sum(extract(epoch FROM c.closed_at - c.created_at)) FILTER (WHERE c.stage_id = ANY (ARRAY(SELECT st.id FROM st WHERE st.category = 'won')))
    FROM (SELECT t.stage_id, t.currency, t.amount, t.closed_at, t.created_at FROM opportunities t
           WHERE t.tenant_id = ${tenant} AND t.pipeline_id = ${pipeline} AND t.closed_at >= ${from} AND t.closed_at < ${to}
             AND t.deleted_at IS NULL${visible('t')}
          OFFSET 0) c
   WHERE c.stage_id = ANY (ARRAY(SELECT st.id FROM st WHERE st.category <> 'open'))
   GROUP BY 1, 2
), by_stage AS (
  SELECT cur.stage_id, sum(cur.n)::int AS n,
         coalesce(jsonb_agg(jsonb_build_object('currency', cur.currency::text, 'amount', round(cur.amount, 2)::text)
                            ORDER BY cur.currency) FILTER (WHERE cur.amount IS NOT NULL), '[]'::jsonb) AS amounts
    FROM cur GROUP BY 1
), closed AS (
  SELECT coalesce(sum(cur.n) FILTER (WHERE st.category = 'won'), 0)::int AS won,
         coalesce(sum(cur.n) FILTER (WHERE st.category = 'lost'), 0)::int AS lost,
         sum(cur.cycle_seconds) / nullif(sum(cur.n) FILTER (WHERE st.category = 'won'), 0) AS cycle_seconds
    FROM cur JOIN st ON st.id = cur.stage_id
), h AS (
  -- every history entry from the window's start on into or out of the pipeline's stages, by
  -- position (narrow rows: they are sorted below); progress: the position of an open or won stage
  -- entered (entering a lost one is no progress)
  SELECT h.opportunity_id AS o, h.changed_at AS at, ts.position AS pos, fs.position AS from_pos,
         h.seconds_in_from_stage AS seconds, CASE WHEN ts.category <> 'lost' THEN ts.position END AS progress
    FROM opportunity_stage_history h
    LEFT JOIN st ts ON ts.id = h.to_stage_id
    LEFT JOIN st fs ON fs.id = h.from_stage_id
   WHERE h.tenant_id = ${tenant} AND h.changed_at >= ${from} AND (ts.id IS NOT NULL OR fs.id IS NOT NULL)
), seen AS (
  SELECT t.id FROM opportunities t
   WHERE t.tenant_id = ${tenant} AND t.id IN (SELECT h.o FROM h) AND t.deleted_at IS NULL${visible('t')}
), marked AS (
  -- later: the furthest progress of the deal after the entry (at any time, up to now)
  SELECT h.o, h.at, h.pos, h.from_pos, h.seconds,
         max(h.progress) OVER (PARTITION BY h.o ORDER BY h.at ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later
    FROM h WHERE h.o IN (SELECT seen.id FROM seen)
), conv AS (
  -- per deal and stage entered in the window, the first entry's look-ahead is the largest
  SELECT e.pos, count(*)::int AS entered, count(*) FILTER (WHERE e.later > e.pos)::int AS advanced
    FROM (SELECT m.o, m.pos, max(m.later) AS later FROM marked m
           WHERE m.pos IS NOT NULL AND m.at < ${to} GROUP BY 1, 2) e
   GROUP BY 1
), stay AS (
  SELECT m.from_pos AS pos, count(*)::int AS exited, avg(m.seconds) AS seconds
    FROM marked m WHERE m.at < ${to} AND m.from_pos IS NOT NULL
   GROUP BY 1
)
SELECT pl.name AS "pipelineName", st.id AS "stageId", st.name, st.position, st.category,
       coalesce(b.n, 0) AS count, coalesce(b.amounts, '[]'::jsonb) AS amounts,
       coalesce(conv.entered, 0) AS "enteredCount",
       CASE WHEN st.category = 'open' THEN coalesce(conv.advanced, 0) ELSE 0 END AS "advancedCount",
       CASE WHEN st.category = 'open' THEN ${rate('conv.advanced', 'conv.entered')} END AS "conversionRate",
       coalesce(stay.exited, 0) AS "exitedCount", ${days('stay.seconds')} AS "averageDaysInStage",
       closed.won AS "wonCount", closed.lost AS "lostCount", ${rate('closed.won', 'closed.won + closed.lost')} AS "winRate",
       ${days('closed.cycle_seconds')} AS "averageSalesCycleDays"
  FROM pl CROSS JOIN closed
  LEFT JOIN st ON TRUE
  LEFT JOIN by_stage b ON b.stage_id = st.id
  LEFT JOIN conv ON conv.pos = st.position
  LEFT JOIN stay ON stay.pos = st.position
 ORDER BY st.position, st.id`;
}

// ------------------------------------------------------------------------------- lead conversion

export interface LeadConversionRow {
  dimension: 'overall' | 'source' | 'owner';
  source: string | null;
  ownerId: string | null;
  ownerName: string | null;
  created: number;
  converted: number;
  withOpportunity: number;
  conversionRate: number | null;
  opportunityRate: number | null;
  averageDaysToConvert: number | null;
}

/**
 * The conversion of the visible, live leads created in the window (a cohort: converted by now,
 * whenever that was), overall, by source and by owner, in one GROUPING SETS pass.
 */
export function leadConversionStatement(params: SqlParams, w: ReportWindow, scope: ReportScope): string {
  const tenant = scope.tenant;
  const from = `${params.add(w.from)}::timestamptz`;
  const to = `${params.add(w.to)}::timestamptz`;
  return `WITH agg AS (
  SELECT CASE WHEN GROUPING(l.source) = 0 THEN 'source' WHEN GROUPING(l.owner_id) = 0 THEN 'owner' ELSE 'overall' END AS dimension,
         l.source, l.owner_id,
         count(*)::int AS created,
         count(*) FILTER (WHERE l.converted_at IS NOT NULL)::int AS converted,
         count(*) FILTER (WHERE l.converted_at IS NOT NULL AND l.converted_opportunity_id IS NOT NULL)::int AS with_opportunity,
         avg(extract(epoch FROM l.converted_at - l.created_at)) AS seconds
    FROM leads l
   WHERE l.tenant_id = ${tenant} AND l.deleted_at IS NULL
     AND l.created_at >= ${from} AND l.created_at < ${to}${and(scope.readable('leads', 'l'))}
   GROUP BY GROUPING SETS ((), (l.source), (l.owner_id))
)
SELECT a.dimension, a.source, a.owner_id AS "ownerId", u.display_name AS "ownerName",
       a.created, a.converted, a.with_opportunity AS "withOpportunity",
       ${rate('a.converted', 'a.created')} AS "conversionRate",
       ${rate('a.with_opportunity', 'a.created')} AS "opportunityRate",
       ${days('a.seconds')} AS "averageDaysToConvert"
  FROM agg a LEFT JOIN users u ON u.tenant_id = ${tenant} AND u.id = a.owner_id
 ORDER BY a.dimension, a.created DESC, a.source NULLS LAST, u.display_name NULLS LAST, a.owner_id NULLS LAST`;
}
