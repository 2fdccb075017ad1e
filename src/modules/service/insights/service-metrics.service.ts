import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { FieldPolicy, forbiddenField } from '../../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../../platform/security/policy/record-policy.js';
import { explicitWindow } from '../../sales/reports/report-window.js';
import { CASE } from '../cases/case.object.js';
import { type MetricsGroupBy, type MetricsRow, serviceMetricsStatement } from './service-metrics-sql.js';
import type { ServiceMetricsDto, ServiceMetricsQueryDto } from './service-metrics.dto.js';

/** The case fields the figures are made of; the group's field is added per request. */
const FIGURE_FIELDS = [
  'status',
  'priority',
  'createdAt',
  'resolvedAt',
  'businessResolutionMinutes',
  'resolutionDueAt',
  'resolutionBreached',
  'firstResponseDueAt',
  'firstRespondedAt',
  'firstResponseBreached',
  'csatScore',
];
const GROUP_FIELD: Record<MetricsGroupBy, string> = {
  queue: 'queueId',
  assignee: 'assigneeId',
  priority: 'priority',
  channel: 'channel',
};

const EMPTY: Omit<MetricsRow, 'overall' | 'key'> = {
  createdCount: 0,
  resolvedCount: 0,
  avgResolutionMinutes: null,
  medianResolutionMinutes: null,
  avgBusinessResolutionMinutes: null,
  medianBusinessResolutionMinutes: null,
  firstResponseMeasured: 0,
  firstResponseMet: 0,
  firstResponseAttainment: null,
  resolutionMeasured: 0,
  resolutionMet: 0,
  resolutionAttainment: null,
  csatResponses: 0,
  csatAverage: null,
  csatResponseRate: null,
  backlog: {
    total: 0,
    byStatus: { new: 0, open: 0, pending: 0, onHold: 0 },
    byPriority: { low: 0, normal: 0, high: 0, urgent: 0 },
  },
};

/**
 * Service metrics (docs/service.md#service-metrics) in ONE statement (service-metrics-sql.ts)
 * over exactly the cases the caller may see — the record layer's read predicate is part of it —
 * and refused (403 naming the field) when the caller's field policy hides a field the figures are
 * made of, rather than publish aggregates of values the caller may not read one by one.
 */
@Injectable()
export class ServiceMetricsService {
  constructor(
    private readonly db: TenantDb,
    private readonly policy: RecordPolicy,
    private readonly fieldPolicy: FieldPolicy,
  ) {}

  async metrics(ctx: RequestContext, query: ServiceMetricsQueryDto): Promise<ServiceMetricsDto> {
    assertPermission(ctx, 'cases:read');
    const groupBy = query.groupBy ?? 'queue';
    const access = (await this.fieldPolicy.resolve(ctx)).for(CASE);
    for (const field of [...FIGURE_FIELDS, GROUP_FIELD[groupBy]])
      if (access.isHidden(field))
        throw forbiddenField(
          CASE,
          field,
          `case.${field} is hidden from you, and the service metrics are made of it`,
        );
    const window = explicitWindow(query.from, query.to);
    const rows = await this.db.read(ctx, (em) => {
      const params = new SqlParams();
      const sql = serviceMetricsStatement(
        params,
        { ...window, groupBy },
        {
          tenant: 'app_tenant_id()',
          readable: (alias) => this.policy.readPredicate(ctx, CASE, alias, params),
        },
      );
      return em.query(sql, params.values) as Promise<MetricsRow[]>;
    });
    const figures = ({ overall: _o, key: _k, ...rest }: MetricsRow) => rest;
    const overall = rows.find((r) => r.overall);
    return {
      from: new Date(window.from),
      to: new Date(window.to),
      groupBy,
      overall: overall ? figures(overall) : EMPTY,
      groups: rows.filter((r) => !r.overall).map((r) => ({ key: r.key, ...figures(r) })),
    };
  }
}
