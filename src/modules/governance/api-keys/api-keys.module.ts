import { Module } from '@nestjs/common';
import { AuthModule } from '../../../platform/auth/auth.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysResolver } from './api-keys.resolver.js';
import { ApiKeysService } from './api-keys.service.js';

/** Management of API keys; authenticating with one is platform/auth's ApiKeyAuthenticator. */
@Module({
  imports: [AuthModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeysResolver],
})
export class ApiKeysModule {}
