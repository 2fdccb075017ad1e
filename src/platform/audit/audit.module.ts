import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditChainHeadEntity, AuditEventEntity } from './audit.entities.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { AuditService } from './audit.service.js';

/**
 * The audit trail's writer (AuditService, global: any module's service records events in its own
 * transaction) and its entry point on every request (AuditInterceptor: refused attempts).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity, AuditChainHeadEntity])],
  providers: [AuditService, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  exports: [AuditService],
})
export class AuditModule {}
