import { Args, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { ServiceMetricsDto, ServiceMetricsQueryDto } from './service-metrics.dto.js';
import { ServiceMetricsService } from './service-metrics.service.js';

@Resolver()
export class ServiceMetricsResolver {
  constructor(private readonly metrics: ServiceMetricsService) {}

  @RequirePermission('cases:read')
  @Query(() => ServiceMetricsDto, {
    description:
      'Resolution times, SLA attainment, CSAT and backlog over a window, overall and per group. REST: GET /v1/service/metrics.',
  })
  serviceMetrics(
    @Ctx() ctx: RequestContext,
    @Args() args: ServiceMetricsQueryDto,
  ): Promise<ServiceMetricsDto> {
    return this.metrics.metrics(ctx, args);
  }
}
