import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordsModule } from '../../platform/records/records.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { LeadAssignmentRuleEntity } from './assignment/lead-assignment-rule.entity.js';
import { LeadAssignmentRulesController } from './assignment/lead-assignment-rules.controller.js';
import { LeadAssignmentRulesResolver } from './assignment/lead-assignment-rules.resolver.js';
import { LeadAssignmentRulesService } from './assignment/lead-assignment-rules.service.js';
import { LeadAssignmentService } from './assignment/lead-assignment.service.js';
import { LeadConversionService } from './leads/lead-conversion.service.js';
import { LeadEntity, LeadQueueEntity } from './leads/lead.entity.js';
import { LeadQueuesController, LeadsController } from './leads/leads.controller.js';
import { LeadQueuesResolver, LeadsResolver } from './leads/leads.resolver.js';
import { LeadQueuesService, LeadsService } from './leads/leads.service.js';
import { ContactRolesService } from './opportunities/contact-roles.service.js';
import { LineItemsService } from './opportunities/line-items.service.js';
import { OpportunitiesController } from './opportunities/opportunities.controller.js';
import { OpportunitiesResolver } from './opportunities/opportunities.resolver.js';
import { OpportunitiesService } from './opportunities/opportunities.service.js';
import {
  ContactRoleEntity,
  LineItemEntity,
  OpportunityEntity,
  StageChangeEntity,
} from './opportunities/opportunity.entity.js';
import { OpportunityStageMover, StageHistoryService } from './opportunities/stage-history.service.js';
import { PipelineEntity, StageEntity } from './pipelines/pipeline.entity.js';
import { PipelinesController } from './pipelines/pipelines.controller.js';
import { PipelinesResolver, StagesResolver } from './pipelines/pipelines.resolver.js';
import { PipelinesService } from './pipelines/pipelines.service.js';
import { StagesService } from './pipelines/stages.service.js';
import { ProductEntity } from './products/product.entity.js';
import { ProductsController } from './products/products.controller.js';
import { ProductsResolver } from './products/products.resolver.js';
import { ProductsService } from './products/products.service.js';
import {
  ForecastsController,
  LeadConversionController,
  PipelineSummaryController,
} from './reports/reports.controller.js';
import { PipelineSummaryResolver, ReportsResolver } from './reports/reports.resolver.js';
import { ReportsService } from './reports/reports.service.js';
import { AccountSalesLinksResolver, ActivitySalesLinksResolver } from './sales-links.resolver.js';
import { SalesRecords } from './sales-sql.js';

/**
 * Sales (issue 4, phase 1): pipelines and stages, opportunities (stage history, contact roles,
 * line items), products, leads (conversion, queues) and lead assignment rules; phase 2: reports
 * (forecast, pipeline summary, lead conversion rate). docs/sales.md.
 */
@Module({
  imports: [
    RecordsModule,
    CustomersModule,
    TypeOrmModule.forFeature([
      PipelineEntity,
      StageEntity,
      OpportunityEntity,
      StageChangeEntity,
      ContactRoleEntity,
      LineItemEntity,
      ProductEntity,
      LeadEntity,
      LeadQueueEntity,
      LeadAssignmentRuleEntity,
    ]),
  ],
  controllers: [
    PipelinesController,
    OpportunitiesController,
    ProductsController,
    LeadsController,
    LeadQueuesController,
    LeadAssignmentRulesController,
    ForecastsController,
    PipelineSummaryController,
    LeadConversionController,
  ],
  providers: [
    SalesRecords,
    StageHistoryService,
    OpportunityStageMover,
    StagesService,
    PipelinesService,
    OpportunitiesService,
    ContactRolesService,
    LineItemsService,
    ProductsService,
    LeadAssignmentRulesService,
    LeadAssignmentService,
    LeadsService,
    LeadQueuesService,
    LeadConversionService,
    PipelinesResolver,
    StagesResolver,
    OpportunitiesResolver,
    ProductsResolver,
    LeadsResolver,
    LeadQueuesResolver,
    LeadAssignmentRulesResolver,
    ActivitySalesLinksResolver,
    AccountSalesLinksResolver,
    ReportsService,
    ReportsResolver,
    PipelineSummaryResolver,
  ],
  exports: [OpportunitiesService, LeadsService, LeadAssignmentService, PipelinesService, ProductsService],
})
export class SalesModule {}
