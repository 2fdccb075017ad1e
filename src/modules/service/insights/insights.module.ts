import { Module } from '@nestjs/common';
import { RecordsModule } from '../../../platform/records/records.module.js';
import { KnowledgeModule } from '../knowledge/knowledge.module.js';
import { CaseContextController } from './case-context.controller.js';
import { CaseContextResolver } from './case-context.resolver.js';
import { CaseContextService } from './case-context.service.js';
import { ServiceMetricsController } from './service-metrics.controller.js';
import { ServiceMetricsResolver } from './service-metrics.resolver.js';
import { ServiceMetricsService } from './service-metrics.service.js';

/**
 * Service insights (issue 5): the 360° context of a case and the service metrics.
 * docs/service.md#360-context, #service-metrics.
 */
@Module({
  imports: [RecordsModule, KnowledgeModule],
  controllers: [CaseContextController, ServiceMetricsController],
  providers: [CaseContextService, CaseContextResolver, ServiceMetricsService, ServiceMetricsResolver],
})
export class InsightsModule {}
