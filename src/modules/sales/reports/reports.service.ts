import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { ObjectDef } from '../../../platform/registry/object-registry.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { FieldPolicy, forbiddenField } from '../../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../../platform/security/policy/record-policy.js';
import { LEAD } from '../leads/lead.object.js';
import { OPPORTUNITY } from '../opportunities/opportunity.object.js';
import { PIPELINE, STAGE } from '../pipelines/pipeline.object.js';
import { explicitWindow, periodWindow, type ReportWindow } from './report-window.js';
import type {
  ForecastDto,
  ForecastQueryDto,
  LeadConversionReportDto,
  LeadConversionFiguresDto,
  PipelineSummaryDto,
  ReportWindowQueryDto,
} from './reports.dto.js';
import {
  forecastStatement,
  type ForecastRow,
  leadConversionStatement,
  type LeadConversionRow,
  pipelineSummaryStatement,
  type PipelineSummaryRow,
  type ReportObject,
  type ReportScope,
} from './reports-sql.js';

const OBJECTS: Record<ReportObject, ObjectDef> = {
  opportunities: OPPORTUNITY,
  leads: LEAD,
  pipelines: PIPELINE,
};

const dates = (w: ReportWindow) => ({ from: new Date(w.from), to: new Date(w.to) });

/** Fields each report reads, per object: hidden from the caller → 403 naming the first. */
const FORECAST_FIELDS = [
  'amount',
  'currency',
  'closeDate',
  'closedAt',
  'probability',
  'forecastCategory',
  'stageId',
];
const GROUP_FIELD = { owner: 'ownerId', team: 'ownerId', pipeline: 'pipelineId' } as const;
const SUMMARY_FIELDS = ['stageId', 'amount', 'currency', 'closedAt'];
const CONVERSION_FIELDS = ['status', 'source', 'ownerId', 'convertedAt', 'convertedOpportunityId'];

/**
 * Sales reports (docs/sales.md#reports): the forecast, a pipeline's summary and the lead conversion
 * rate. Each is ONE statement (reports-sql.ts) over exactly the records the caller may see — the
 * record layer's own read predicate (RecordPolicy.readPredicate) is part of it — and refuses (403
 * naming the field) when the caller's field policy hides a field the figures are made of, rather
 * than publish a sum of values the caller may not read one by one.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: TenantDb,
    private readonly policy: RecordPolicy,
    private readonly fieldPolicy: FieldPolicy,
  ) {}

  async forecast(ctx: RequestContext, query: ForecastQueryDto): Promise<ForecastDto> {
    const groupBy = query.groupBy ?? 'owner';
    assertPermission(ctx, 'opportunities:read', ...(groupBy === 'pipeline' ? ['pipelines:read'] : []));
    await this.requireReadable(ctx, 'the forecast', [
      OPPORTUNITY,
      [...FORECAST_FIELDS, GROUP_FIELD[groupBy]],
    ]);
    const window = periodWindow(query.period);
    const rows = await this.report<ForecastRow>(ctx, (params) =>
      forecastStatement(params, { ...window, groupBy, currency: query.currency }, this.scope(ctx, params)),
    );
    const figures = ({ kind: _k, id: _i, name: _n, ...rest }: ForecastRow) => rest;
    return {
      period: query.period,
      ...dates(window),
      groupBy,
      groups: rows.filter((r) => r.kind === 'group').map((r) => ({ id: r.id, name: r.name, ...figures(r) })),
      totals: rows.filter((r) => r.kind === 'total').map(figures),
    };
  }

  async pipelineSummary(
    ctx: RequestContext,
    pipelineId: string,
    query: ReportWindowQueryDto,
  ): Promise<PipelineSummaryDto> {
    assertPermission(ctx, 'pipelines:read', 'stages:read', 'opportunities:read');
    await this.requireReadable(
      ctx,
      'the pipeline summary',
      [OPPORTUNITY, SUMMARY_FIELDS],
      [PIPELINE, ['name']],
      [STAGE, ['name', 'position', 'category']],
    );
    const window = explicitWindow(query.from, query.to);
    const rows = await this.report<PipelineSummaryRow>(ctx, (params) =>
      pipelineSummaryStatement(params, pipelineId, window, this.scope(ctx, params)),
    );
    const first = rows[0];
    // no row: the pipeline does not exist, is deleted, or is not visible to the caller
    if (!first) throw new DomainError('NOT_FOUND', `No pipeline with id ${pipelineId}.`);
    return {
      pipelineId,
      name: first.pipelineName,
      ...dates(window),
      stages: rows
        .filter((r) => r.stageId !== null)
        .map((r) => ({
          stageId: r.stageId!,
          name: r.name!,
          position: r.position!,
          category: r.category!,
          count: r.count,
          amounts: r.amounts,
          enteredCount: r.enteredCount,
          advancedCount: r.advancedCount,
          conversionRate: r.conversionRate,
          exitedCount: r.exitedCount,
          averageDaysInStage: r.averageDaysInStage,
        })),
      wonCount: first.wonCount,
      lostCount: first.lostCount,
      winRate: first.winRate,
      averageSalesCycleDays: first.averageSalesCycleDays,
    };
  }

  async leadConversion(ctx: RequestContext, query: ReportWindowQueryDto): Promise<LeadConversionReportDto> {
    assertPermission(ctx, 'leads:read');
    await this.requireReadable(ctx, 'the lead conversion rate', [LEAD, CONVERSION_FIELDS]);
    const window = explicitWindow(query.from, query.to);
    const rows = await this.report<LeadConversionRow>(ctx, (params) =>
      leadConversionStatement(params, window, this.scope(ctx, params)),
    );
    const figures = (r: LeadConversionRow): LeadConversionFiguresDto => ({
      created: r.created,
      converted: r.converted,
      withOpportunity: r.withOpportunity,
      conversionRate: r.conversionRate,
      opportunityRate: r.opportunityRate,
      averageDaysToConvert: r.averageDaysToConvert,
    });
    const overall = rows.find((r) => r.dimension === 'overall');
    return {
      ...dates(window),
      overall: overall
        ? figures(overall)
        : {
            created: 0,
            converted: 0,
            withOpportunity: 0,
            conversionRate: null,
            opportunityRate: null,
            averageDaysToConvert: null,
          },
      bySource: rows
        .filter((r) => r.dimension === 'source')
        .map((r) => ({ source: r.source, ...figures(r) })),
      byOwner: rows
        .filter((r) => r.dimension === 'owner')
        .map((r) => ({ ownerId: r.ownerId, ownerName: r.ownerName, ...figures(r) })),
    };
  }

  /**
   * Runs a report's one statement in autocommit, like any read. Request sessions plan it once,
   * generically (named prepared statement, docs/decisions.md #19), so the statements in
   * reports-sql.ts are written for a plan that is right whatever the values.
   */
  private report<T>(ctx: RequestContext, build: (params: SqlParams) => string): Promise<T[]> {
    return this.db.read(ctx, (em) => {
      const params = new SqlParams();
      const sql = build(params);
      return em.query(sql, params.values) as Promise<T[]>;
    });
  }

  /** The tenant and the caller's read predicates, as the record layer compiles them for lists. */
  private scope(ctx: RequestContext, params: SqlParams): ReportScope {
    return {
      tenant: 'app_tenant_id()',
      readable: (object, alias) => this.policy.readPredicate(ctx, OBJECTS[object], alias, params),
    };
  }

  /**
   * 403 FORBIDDEN_FIELD naming the first field the caller's field policy hides (a field of another
   * object than the report's own is named `stage.name`).
   */
  private async requireReadable(
    ctx: RequestContext,
    report: string,
    ...uses: [ObjectDef, readonly string[]][]
  ): Promise<void> {
    const access = await this.fieldPolicy.resolve(ctx);
    const root = uses[0]![0];
    for (const [object, fields] of uses) {
      for (const field of fields) {
        if (!access.for(object).isHidden(field)) continue;
        const name = object === root ? field : `${object.name}.${field}`;
        throw forbiddenField(
          object,
          field,
          `${object.name}.${field} is hidden from you, and ${report} is made of it`,
          name,
        );
      }
    }
  }
}
