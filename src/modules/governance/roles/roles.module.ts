import { Module } from '@nestjs/common';
import { AuditModule } from '../../../platform/audit/audit.module.js';
import { AuthModule } from '../../../platform/auth/auth.module.js';
import { RolesController } from './roles.controller.js';
import { RolesResolver } from './roles.resolver.js';
import { RolesService } from './roles.service.js';

@Module({
  imports: [AuthModule, AuditModule],
  controllers: [RolesController],
  providers: [RolesService, RolesResolver],
  exports: [RolesService],
})
export class RolesModule {}
