import { Module } from '@nestjs/common';
import { AuditModule } from '../../../platform/audit/audit.module.js';
import { AuthModule } from '../../../platform/auth/auth.module.js';
import { UserAdminService } from './user-admin.service.js';
import { UsersController } from './users.controller.js';
import { UsersResolver } from './users.resolver.js';

@Module({
  imports: [AuthModule, AuditModule],
  controllers: [UsersController],
  providers: [UserAdminService, UsersResolver],
  exports: [UserAdminService],
})
export class UsersModule {}
