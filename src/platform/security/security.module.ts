import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PermissionGuard } from './permission.guard.js';

/**
 * Permission enforcement for every REST route and GraphQL operation. Import it in AppModule
 * AFTER AuthModule: global guards run in the order their modules register them, and this one
 * needs the RequestContext the AuthGuard builds.
 */
@Module({ providers: [{ provide: APP_GUARD, useClass: PermissionGuard }] })
export class SecurityModule {}
