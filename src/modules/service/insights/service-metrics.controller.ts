import { Controller, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { Route } from '../../sales/sales-routes.js';
import { ServiceMetricsDto, ServiceMetricsQueryDto } from './service-metrics.dto.js';
import { ServiceMetricsService } from './service-metrics.service.js';

@ApiTags('cases')
@ApiBearerAuth('bearer')
@Controller('v1/service')
export class ServiceMetricsController {
  constructor(private readonly metrics: ServiceMetricsService) {}

  @Route('GET', 'metrics', {
    summary: 'Service metrics',
    description:
      'Over the window [from, to): cases created and resolved, average and median resolution time (calendar and business minutes) of the cases resolved in it, first-response SLA attainment of the cases created in it, resolution SLA attainment and CSAT (average, response rate) of the cases resolved in it; and the backlog (cases open now) by status and priority. Overall and per queue, assignee, priority or channel. Computed over exactly the cases you may see; 403 naming the field when your field policy hides one the figures are made of.',
    permissions: ['cases:read'],
    response: ServiceMetricsDto,
    problems: [400, 401, 403],
  })
  get(@Ctx() ctx: RequestContext, @Query() query: ServiceMetricsQueryDto): Promise<ServiceMetricsDto> {
    return this.metrics.metrics(ctx, query);
  }
}
