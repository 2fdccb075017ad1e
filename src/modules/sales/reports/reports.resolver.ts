import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { PipelineDto } from '../pipelines/pipeline.dto.js';
import {
  ForecastDto,
  ForecastQueryDto,
  LeadConversionReportDto,
  PipelineSummaryDto,
  ReportWindowQueryDto,
} from './reports.dto.js';
import { ReportsService } from './reports.service.js';

/** The sales reports in GraphQL: the same service calls as REST (docs/sales.md#reports). */
@Resolver()
export class ReportsResolver {
  constructor(private readonly reports: ReportsService) {}

  @RequirePermission('opportunities:read')
  @Query(() => ForecastDto, {
    description:
      'Open, weighted, commit, best-case and closed-won amounts for a period, per group and currency. REST: GET /v1/forecasts.',
  })
  forecast(@Ctx() ctx: RequestContext, @Args() args: ForecastQueryDto): Promise<ForecastDto> {
    return this.reports.forecast(ctx, args);
  }

  @RequirePermission('leads:read')
  @Query(() => LeadConversionReportDto, {
    description:
      'Conversion of the leads created in a window, overall, by source and by owner. REST: GET /v1/leads/conversion-rate.',
  })
  leadConversion(
    @Ctx() ctx: RequestContext,
    @Args() args: ReportWindowQueryDto,
  ): Promise<LeadConversionReportDto> {
    return this.reports.leadConversion(ctx, args);
  }
}

@Resolver(() => PipelineDto)
export class PipelineSummaryResolver {
  constructor(private readonly reports: ReportsService) {}

  @ResolveField('summary', () => PipelineSummaryDto, {
    nullable: true,
    description:
      'Per-stage counts, amounts, conversion and durations, win rate and sales cycle over a window (needs opportunities:read and stages:read). REST: GET /v1/pipelines/{id}/summary.',
  })
  summary(
    @Parent() pipeline: PipelineDto,
    @Ctx() ctx: RequestContext,
    @Args() args: ReportWindowQueryDto,
  ): Promise<PipelineSummaryDto> {
    return this.reports.pipelineSummary(ctx, pipeline.id, args);
  }
}
