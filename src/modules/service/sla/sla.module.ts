import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordsModule } from '../../../platform/records/records.module.js';
import { BusinessCalendarsController } from './business-calendars.controller.js';
import { BusinessCalendarsService } from './business-calendars.service.js';
import { SlaPoliciesController } from './sla-policies.controller.js';
import { SlaPoliciesService } from './sla-policies.service.js';
import { BusinessCalendarEntity, SlaPolicyEntity } from './sla.entities.js';
import { BusinessCalendarsResolver, SlaPoliciesResolver } from './sla.resolver.js';
import { SlaService } from './sla.service.js';

/**
 * Service, SLA (issue 5; docs/service.md#business-hours, #sla-policies): business-hours
 * calendars, SLA policies, and SlaService, which the case service calls to match a case's policy
 * and compute due times in business time (business-time.ts).
 */
@Module({
  imports: [RecordsModule, TypeOrmModule.forFeature([BusinessCalendarEntity, SlaPolicyEntity])],
  controllers: [BusinessCalendarsController, SlaPoliciesController],
  providers: [
    SlaService,
    BusinessCalendarsService,
    SlaPoliciesService,
    BusinessCalendarsResolver,
    SlaPoliciesResolver,
  ],
  exports: [SlaService, BusinessCalendarsService, SlaPoliciesService],
})
export class SlaModule {}
