import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordsModule } from '../../platform/records/records.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { SalesRecords } from '../sales/sales-sql.js';
import { CaseAssignmentRulesController } from './assignment/case-assignment-rules.controller.js';
import { CaseAssignmentRulesResolver } from './assignment/case-assignment-rules.resolver.js';
import { CaseAssignmentRulesService } from './assignment/case-assignment-rules.service.js';
import { CaseAssignmentService } from './assignment/case-assignment.service.js';
import { CaseAutoCloseService } from './cases/case-auto-close.service.js';
import { CaseSlaService } from './cases/case-sla.service.js';
import { CaseCommentEntity, CaseEntity, CaseQueueEntity } from './cases/case.entity.js';
import { CasesController } from './cases/cases.controller.js';
import { CasesResolver } from './cases/cases.resolver.js';
import { CasesService } from './cases/cases.service.js';
import { EscalationService } from './escalation/escalation.service.js';
import { CaseQueuesController } from './queues/case-queues.controller.js';
import { CaseQueuesResolver } from './queues/case-queues.resolver.js';
import { CaseQueuesService } from './queues/case-queues.service.js';
import { ServiceClock } from './service-clock.js';
import { SlaModule } from './sla/sla.module.js';

/**
 * Service (issue 5, docs/service.md): cases (number, lifecycle, comments, CSAT), queues and
 * assignment rules, the SLA clock on top of SlaModule's policies and business time, escalation and
 * auto-close jobs.
 */
@Module({
  imports: [
    RecordsModule,
    CustomersModule,
    SlaModule,
    TypeOrmModule.forFeature([CaseEntity, CaseQueueEntity, CaseCommentEntity]),
  ],
  controllers: [CasesController, CaseQueuesController, CaseAssignmentRulesController],
  providers: [
    ServiceClock,
    SalesRecords,
    CaseSlaService,
    CaseAssignmentService,
    CaseAssignmentRulesService,
    CasesService,
    CaseQueuesService,
    CaseAutoCloseService,
    EscalationService,
    CasesResolver,
    CaseQueuesResolver,
    CaseAssignmentRulesResolver,
  ],
  exports: [CasesService, CaseQueuesService, CaseSlaService, ServiceClock],
})
export class ServiceModule {}
