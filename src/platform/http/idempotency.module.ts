import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency.js';
import { IdempotencyService } from './idempotency.service.js';

/**
 * Idempotency keys on REST POSTs (global: the interceptor covers every route, and any module's
 * streaming endpoint may use IdempotencyService itself).
 */
@Global()
@Module({
  providers: [IdempotencyService, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
