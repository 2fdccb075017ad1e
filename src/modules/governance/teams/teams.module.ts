import { Module } from '@nestjs/common';
import { AuditModule } from '../../../platform/audit/audit.module.js';
import { AuthModule } from '../../../platform/auth/auth.module.js';
import { TeamsController } from './teams.controller.js';
import { TeamsResolver } from './teams.resolver.js';
import { TeamsService } from './teams.service.js';

@Module({
  imports: [AuthModule, AuditModule],
  controllers: [TeamsController],
  providers: [TeamsService, TeamsResolver],
  exports: [TeamsService],
})
export class TeamsModule {}
