import { Module } from '@nestjs/common';
import { AuditModule } from '../../../platform/audit/audit.module.js';
import { RecordsModule } from '../../../platform/records/records.module.js';
import { AuditEventsController } from './audit-events.controller.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditResolver } from './audit.resolver.js';
import { RecordHistoryController } from './record-history.controller.js';

/**
 * The audit trail's API: `GET /v1/audit-events`, `GET /v1/audit-events/verify`,
 * `GET /v1/{objects}/{id}/history`, and GraphQL `auditEvents`, `auditVerification`,
 * `recordHistory`. Importing it brings in the global AuditModule (the writer every module uses).
 */
@Module({
  imports: [AuditModule, RecordsModule],
  controllers: [AuditEventsController, RecordHistoryController],
  providers: [AuditQueryService, AuditResolver],
})
export class AuditApiModule {}
