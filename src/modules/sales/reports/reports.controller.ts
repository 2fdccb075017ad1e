import { Controller, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { idOf, Route } from '../sales-routes.js';
import {
  ForecastDto,
  ForecastQueryDto,
  LeadConversionReportDto,
  PipelineSummaryDto,
  ReportWindowQueryDto,
} from './reports.dto.js';
import { ReportsService } from './reports.service.js';

const SECURITY =
  'Computed over exactly the records you may see (record-level security, the role hierarchy included); 403 naming the field when your field policy hides one the figures are made of.';

/**
 * The sales reports' REST routes, each beside the object it reports on (and under its OpenAPI
 * tag: a controller without tags would get one of its own). docs/sales.md#reports.
 */
@ApiTags('opportunities')
@ApiBearerAuth('bearer')
@Controller('v1/forecasts')
export class ForecastsController {
  constructor(private readonly reports: ReportsService) {}

  @Route('GET', '', {
    summary: 'Forecast for a period',
    description: `Per group (owner, team or pipeline) and currency, and in total per currency: open amount (open stage, closeDate in the period, forecast category not omitted), weighted amount (amount × probability / 100), commit, best case, and closed won (won stage, closedAt in the period). Amounts in different currencies are never added together; \`currency\` narrows to one. ${SECURITY}`,
    permissions: ['opportunities:read'],
    response: ForecastDto,
    problems: [400, 401, 403],
  })
  forecast(@Ctx() ctx: RequestContext, @Query() query: ForecastQueryDto): Promise<ForecastDto> {
    return this.reports.forecast(ctx, query);
  }
}

@ApiTags('pipelines')
@ApiBearerAuth('bearer')
@Controller('v1/pipelines')
export class PipelineSummaryController {
  constructor(private readonly reports: ReportsService) {}

  @Route('GET', ':id/summary', {
    summary: 'Pipeline summary',
    description: `Per stage: opportunities in it now and their amounts per currency (won and lost stages: closed in the window), conversion to a later stage of those that entered it in the window, and average days in the stage of the stays that ended in the window; for the pipeline: win rate and average sales cycle of the opportunities closed in the window. ${SECURITY}`,
    permissions: ['pipelines:read', 'stages:read', 'opportunities:read'],
    params: { id: 'The pipeline id.' },
    response: PipelineSummaryDto,
  })
  pipelineSummary(
    @Ctx() ctx: RequestContext,
    @Param('id', idOf('pipeline')) id: string,
    @Query() query: ReportWindowQueryDto,
  ): Promise<PipelineSummaryDto> {
    return this.reports.pipelineSummary(ctx, id, query);
  }
}

@ApiTags('leads')
@ApiBearerAuth('bearer')
@Controller('v1/leads')
export class LeadConversionController {
  constructor(private readonly reports: ReportsService) {}

  @Route('GET', 'conversion-rate', {
    summary: 'Lead conversion rate',
    description: `Of the leads created in the window (converted by now, whenever that was): how many, how many converted, how many converted with an opportunity, the rates and the average days to convert; overall, by source and by owner. ${SECURITY}`,
    permissions: ['leads:read'],
    response: LeadConversionReportDto,
    problems: [400, 401, 403],
  })
  leadConversion(
    @Ctx() ctx: RequestContext,
    @Query() query: ReportWindowQueryDto,
  ): Promise<LeadConversionReportDto> {
    return this.reports.leadConversion(ctx, query);
  }
}
