import { Module } from '@nestjs/common';
import { AuthModule } from '../../../platform/auth/auth.module.js';
import { OAuthClientsController } from './oauth-clients.controller.js';
import { OAuthClientsResolver } from './oauth-clients.resolver.js';
import { OAuthClientsService } from './oauth-clients.service.js';

/** Management of OAuth clients; their grant and tokens are platform/auth's (ClientCredentialsGrant). */
@Module({
  imports: [AuthModule],
  controllers: [OAuthClientsController],
  providers: [OAuthClientsService, OAuthClientsResolver],
})
export class OAuthClientsModule {}
